/**
 * The example app's devices page in Debian's Chromium (playwright-core): several browser contexts
 * (each its own cookie jar and a real browser's User-Agent) are devices of one user. Each sees the
 * others by name ("Chrome on Windows"), logs one out, then all others at once; the devices logged
 * out land on the login page at their next request.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, it } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../examples/server.js'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { browserSuite, colourOf, launchChromium, logIn, USER_AGENTS } from './support/chromium.js'

let redis: LocalRedis
let app: RunningApp
let browser: Browser
const contexts: BrowserContext[] = []

/** A new browser context with its own User-Agent, logged in as `name`. */
async function device(userAgent: string, name: string): Promise<Page> {
  const context = await browser.newContext({ userAgent })
  contexts.push(context)
  const page = await context.newPage()
  await logIn(page, app.url, name)
  return page
}

const row = (page: Page, deviceName: string) => page.locator('tr', { has: page.locator('td.browser', { hasText: deviceName }) })
const deviceNames = async (page: Page) => (await page.locator('td.browser').allInnerTexts()).map((t) => t.replace(/This device$/, '').trim())
const notice = async (page: Page) => (await page.locator('.notice').textContent())?.trim()

async function assertLoggedOut(page: Page): Promise<void> {
  await page.goto(`${app.url}/profile`)
  assert.equal(page.url(), `${app.url}/`, 'sent to the login page')
  assert.ok(await page.isVisible('input[name="name"]'), 'the login form is shown')
}

async function assertLoggedIn(page: Page): Promise<void> {
  await page.goto(`${app.url}/profile`)
  assert.equal(page.url(), `${app.url}/profile`, 'still logged in')
}

browserSuite('the devices page in a real browser', () => {
  before(async () => {
    redis = await startRedis()
    app = await startApp({ port: 0, redisUrl: redis.url, secret: randomBytes(32) })
    browser = await launchChromium()
  })

  after(async () => {
    for (const context of contexts) await context.close()
    await browser?.close()
    await app?.close()
    await redis?.stop()
  })

  it('two devices of one user: the iPhone sees both by name, itself marked, and logs the Windows PC out', async () => {
    const name = `Ada ${randomBytes(3).toString('hex')}`
    const pc = await device(USER_AGENTS.windowsChrome, name)
    const phone = await device(USER_AGENTS.iphoneSafari, name)

    await Promise.all([phone.waitForURL(`${app.url}/devices`), phone.click('main a:text-is("Your devices")')])
    const rows = phone.locator('tr:has(td.browser)')
    assert.equal(await rows.count(), 2, 'both sessions are listed')
    assert.deepEqual(await deviceNames(phone), ['Safari on iPhone', 'Chrome on Windows'], 'readable names, this device first')
    const mine = row(phone, 'Safari on iPhone')
    const theirs = row(phone, 'Chrome on Windows')
    assert.equal(await mine.locator('.badge:text-is("This device")').count(), 1, 'the current session is marked')
    assert.equal(await mine.locator('button').count(), 0, 'no Log out button on this device')
    assert.equal(await theirs.locator('.badge').count(), 0)
    assert.ok(!(await phone.content()).includes('Mozilla/5.0'), 'no raw User-Agent')
    const times = theirs.locator('time')
    assert.deepEqual(await times.allInnerTexts(), ['just now', 'just now'], 'signed in and last activity, relative')
    assert.match((await times.first().getAttribute('title')) ?? '', /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\d UTC$/, 'the exact time on hover')

    await Promise.all([phone.waitForURL(`${app.url}/devices`), theirs.locator('button:text-is("Log out")').click()])
    await phone.waitForSelector('.notice.ok')
    assert.equal(await notice(phone), 'Logged out 1 other device.')
    assert.equal(await rows.count(), 1, 'only this device is left')

    await assertLoggedOut(pc)
    await assertLoggedIn(phone)
  })

  it('"Log out other devices" ends every other device of the user, not this one nor another user\'s', async () => {
    const name = `Grace ${randomBytes(3).toString('hex')}`
    const others = [await device(USER_AGENTS.macFirefox, name), await device(USER_AGENTS.androidChrome, name)]
    const stranger = await device(USER_AGENTS.windowsChrome, `Eve ${randomBytes(3).toString('hex')}`)
    const current = await device(USER_AGENTS.iphoneSafari, name)

    await current.goto(`${app.url}/devices`)
    assert.deepEqual((await deviceNames(current)).sort(), ['Chrome on Android', 'Firefox on macOS', 'Safari on iPhone'])
    assert.equal(await row(current, 'Chrome on Windows').count(), 0, "another user's session is not listed")
    assert.match((await current.locator('main .row .muted').textContent()) ?? '', /Ends every session of yours except this one/, 'the button is explained beside it')
    await Promise.all([current.waitForURL(`${app.url}/devices`), current.click('button:text-is("Log out other devices")')])
    await current.waitForSelector('.notice.ok')
    assert.equal(await notice(current), 'Logged out 2 other devices.')
    assert.equal(await current.locator('tr:has(td.browser)').count(), 1)
    assert.ok(await current.isVisible('text=No other device is logged in.'))

    for (const other of others) await assertLoggedOut(other)
    await assertLoggedIn(current)
    await assertLoggedIn(stranger)
  })

  it('a stale per-device Log out (the device already left) redirects with a one-time error in the error colour', async () => {
    const name = `Lin ${randomBytes(3).toString('hex')}`
    const gone = await device(USER_AGENTS.androidChrome, name)
    const current = await device(USER_AGENTS.windowsChrome, name)
    await current.goto(`${app.url}/devices`)
    await Promise.all([gone.waitForURL(`${app.url}/`), gone.click('header button:text-is("Log out")')])
    await Promise.all([current.waitForURL(`${app.url}/devices`), row(current, 'Chrome on Android').locator('button').click()])
    const error = current.locator('.notice.error')
    assert.equal((await error.textContent())?.trim(), 'That device is not logged in any more, so there was nothing to log out.')
    assert.equal(await colourOf(error), 'rgb(140, 29, 24)', 'the error colour, not the success one')
    await current.reload()
    assert.equal(await current.locator('.notice').count(), 0, 'a reload neither posts again nor repeats the message')
  })
})
