/**
 * The example app's devices page in Debian's Chromium (playwright-core): several browser contexts
 * (each its own cookie jar and User-Agent) are devices of one user. One device logs another out,
 * then all others at once; the devices logged out land on the login page at their next request.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { after, before, describe, it, test } from 'node:test'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { startApp, type RunningApp } from '../examples/server.js'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'

const CHROMIUM = '/usr/bin/chromium'
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (install it: apt-get install -y chromium)`

let redis: LocalRedis
let app: RunningApp
let browser: Browser
const contexts: BrowserContext[] = []

interface Device {
  readonly page: Page
  readonly userAgent: string
}

/** A new browser context with its own User-Agent, logged in as `name`. */
async function device(label: string, name: string): Promise<Device> {
  const userAgent = `${label}Browser/1.0 (example-devices test)`
  const context = await browser.newContext({ userAgent })
  contexts.push(context)
  const page = await context.newPage()
  await page.goto(`${app.url}/`)
  await page.fill('input[name="name"]', name)
  await Promise.all([page.waitForURL(`${app.url}/profile`), page.click('button:has-text("Log in")')])
  return { page, userAgent }
}

const row = (page: Page, userAgent: string) => page.locator('tr', { hasText: userAgent })

async function assertLoggedOut(page: Page): Promise<void> {
  await page.goto(`${app.url}/profile`)
  assert.equal(page.url(), `${app.url}/`, 'sent to the login page')
  assert.ok(await page.isVisible('input[name="name"]'), 'the login form is shown')
}

async function assertLoggedIn(page: Page): Promise<void> {
  await page.goto(`${app.url}/profile`)
  assert.equal(page.url(), `${app.url}/profile`, 'still logged in')
}

/** Without Chromium the suite is one test reported as skipped: node:test does not count a skipped describe. */
function browserSuite(name: string, body: () => void): void {
  if (missing) test(name, { skip: missing }, () => {})
  else void describe(name, body)
}

browserSuite('the devices page in a real browser', () => {
  before(async () => {
    redis = await startRedis()
    app = await startApp({ port: 0, redisUrl: redis.url, secret: randomBytes(32) })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    })
  })

  after(async () => {
    for (const context of contexts) await context.close()
    await browser?.close()
    await app?.close()
    await redis?.stop()
  })

  it('two devices of one user: the second sees both, itself marked, and logs the first out', async () => {
    const name = `Ada ${randomBytes(3).toString('hex')}`
    const first = await device('First', name)
    const second = await device('Second', name)

    await Promise.all([second.page.waitForURL(`${app.url}/devices`), second.page.click('a:text-is("Your devices")')])
    const rows = second.page.locator('tr:has(td.browser)')
    assert.equal(await rows.count(), 2, 'both sessions are listed')
    const mine = row(second.page, second.userAgent)
    const theirs = row(second.page, first.userAgent)
    assert.equal(await mine.locator('text=this device').count(), 1, 'the current session is marked')
    assert.equal(await mine.locator('button').count(), 0, 'no Log out button on this device')
    assert.equal(await theirs.locator('text=this device').count(), 0)
    assert.match((await theirs.textContent()) ?? '', /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC[\s\S]*UTC/, 'logged-in and last-used times')

    await Promise.all([second.page.waitForURL(`${app.url}/devices?ended=1`), theirs.locator('button:text-is("Log out")').click()])
    assert.equal(await rows.count(), 1, 'only this device is left')
    assert.ok(await second.page.isVisible('text=Logged out 1 other device.'))

    await assertLoggedOut(first.page)
    await assertLoggedIn(second.page)
  })

  it('"Log out other devices" ends every other device of the user, not this one nor another user\'s', async () => {
    const name = `Grace ${randomBytes(3).toString('hex')}`
    const others = [await device('Desk', name), await device('Tablet', name)]
    const stranger = await device('Stranger', `Eve ${randomBytes(3).toString('hex')}`)
    const current = await device('Phone', name)

    await current.page.goto(`${app.url}/devices`)
    assert.equal(await current.page.locator('tr:has(td.browser)').count(), 3)
    assert.equal(await row(current.page, stranger.userAgent).count(), 0, "another user's session is not listed")
    await Promise.all([current.page.waitForURL(`${app.url}/devices?ended=2`), current.page.click('button:text-is("Log out other devices")')])
    assert.ok(await current.page.isVisible('text=Logged out 2 other devices.'))
    assert.equal(await current.page.locator('tr:has(td.browser)').count(), 1)
    assert.ok(await current.page.isVisible('text=No other device is logged in.'))

    for (const other of others) await assertLoggedOut(other.page)
    await assertLoggedIn(current.page)
    await assertLoggedIn(stranger.page)
  })
})
