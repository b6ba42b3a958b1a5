/**
 * The example app's layout in Debian's Chromium (playwright-core), on a desktop window and on a
 * 375 px phone: no page scrolls sideways, the header folds into a menu on the phone, the devices
 * table becomes stacked cards, and errors look like errors.
 *
 * Set UPDATE_SCREENSHOTS=1 to write the README screenshots to docs/ (otherwise to a temp dir).
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { startApp, type RunningApp } from '../examples/server.js'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { browserSuite, colourOf, launchChromium, logIn, USER_AGENTS, widths } from './support/chromium.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SHOTS = process.env.UPDATE_SCREENSHOTS ? join(ROOT, 'docs') : undefined
const PHONE = { width: 375, height: 740 }
const PAGES = ['/', '/profile', '/cart', '/devices', '/stats', '/no-such-page']

let redis: LocalRedis
let app: RunningApp
let browser: Browser
let desktop: BrowserContext
let shotsDir: string
const contexts: BrowserContext[] = []

/** A fresh phone: its own cookies, an iPhone's User-Agent, 375 px wide. */
async function phonePage(): Promise<Page> {
  const context = await browser.newContext({ userAgent: USER_AGENTS.iphoneSafari, viewport: PHONE, isMobile: true, hasTouch: true })
  contexts.push(context)
  return context.newPage()
}

async function assertNoSidewaysScroll(page: Page, path: string): Promise<void> {
  await page.goto(`${app.url}${path}`)
  const { scrollWidth, innerWidth } = await widths(page)
  // A mobile browser widens the layout viewport to fit content that overflows, so check it stayed at 375 px too.
  assert.equal(innerWidth, PHONE.width, `${path}: the window was widened to fit the page`)
  assert.ok(scrollWidth <= innerWidth, `${path} at ${innerWidth} px is ${scrollWidth} px wide`)
}

browserSuite('the example app on a desktop and on a phone', () => {
  before(async () => {
    redis = await startRedis()
    app = await startApp({ port: 0, redisUrl: redis.url, secret: randomBytes(32) })
    browser = await launchChromium()
    desktop = await browser.newContext({ userAgent: USER_AGENTS.windowsChrome, viewport: { width: 900, height: 640 } })
    shotsDir = SHOTS ?? mkdtempSync(join(tmpdir(), 'sealed-shots-'))
  })

  after(async () => {
    for (const context of [desktop, ...contexts]) await context?.close()
    await browser?.close()
    await app?.close()
    await redis?.stop()
    if (!SHOTS && shotsDir) rmSync(shotsDir, { recursive: true, force: true })
  })

  it('no page scrolls sideways at 375 px, logged out, logged in, and with a long unbroken name', async () => {
    const page = await phonePage()
    await assertNoSidewaysScroll(page, '/')
    await page.fill('input[name="name"]', ' ')
    await Promise.all([page.waitForURL(`${app.url}/`), page.click('button:has-text("Log in")')])
    assert.ok(await page.isVisible('.notice.error'), 'the mistyped name is reported')
    await assertNoSidewaysScroll(page, '/no-such-page')

    await logIn(page, app.url, 'W'.repeat(40))
    await page.goto(`${app.url}/cart`)
    await page.click('button:text-is("Add 1,000")')
    await page.waitForSelector('.notice.ok')
    for (const path of PAGES) await assertNoSidewaysScroll(page, path)
  })

  it('on the phone the header folds into a menu and the devices table into stacked cards', async () => {
    const name = 'Ada Lovelace'
    const desk = await desktop.newPage()
    await logIn(desk, app.url, name)
    const page = await phonePage()
    await logIn(page, app.url, name)

    await page.goto(`${app.url}/devices`)
    const menu = page.locator('.menu-toggle')
    assert.ok(await menu.isVisible(), 'a Menu button')
    assert.equal(await page.locator('header nav').isVisible(), false, 'the links are folded away')
    await page.screenshot({ path: join(shotsDir, 'example-phone-devices.png') })
    await menu.click()
    assert.equal(await menu.getAttribute('aria-expanded'), 'true')
    assert.ok(await page.locator('header nav a:text-is("Cart")').isVisible(), 'the menu opens')
    assert.ok(await page.locator('header button:text-is("Log out")').isVisible())

    const cards = await page.locator('table.devices tr:has(td.browser)').evaluateAll((rows) =>
      rows.map((row) => {
        const box = (row as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect()
        return { width: Math.round(box.width), cells: row.querySelectorAll('td').length }
      }),
    )
    assert.equal(cards.length, 2)
    const heading = page.locator('table.devices thead')
    assert.equal(await heading.isVisible(), false, 'no table heading on the phone')
    for (const card of cards) assert.ok(card.width > PHONE.width * 0.85, `each device is a full-width card (${card.width} px)`)
    const label = await page.locator('td.browser').first().evaluate((cell) => (globalThis as unknown as { getComputedStyle(e: unknown, p: string): { content: string } }).getComputedStyle(cell, '::before').content)
    assert.equal(label, '"Browser: "', 'each value carries its label')

    await desk.goto(`${app.url}/devices`)
    assert.ok(await desk.locator('header nav').isVisible(), 'the desktop shows the links')
    assert.equal(await desk.locator('.menu-toggle').isVisible(), false, 'and no Menu button')
    assert.ok(await desk.locator('table.devices thead').isVisible(), 'and a table')
    await desk.screenshot({ path: join(shotsDir, 'example-devices.png') })

    await desk.goto(`${app.url}/cart`)
    await desk.click('button:text-is("Add 1,000")')
    await desk.waitForSelector('.notice.ok')
    await desk.click('li:has-text("Blue enamel mug") button:text-is("Add")')
    await desk.waitForSelector('strong:text-is("1,001 items")')
    assert.equal(await colourOf(desk.locator('.notice')), 'rgb(26, 93, 42)', 'a confirmation in the success colour')
    await desk.screenshot({ path: join(shotsDir, 'example-cart.png'), fullPage: true })
    await page.goto(`${app.url}/cart`)
    await page.click('button:text-is("Add 1,000")')
    await page.waitForSelector('.notice.ok')
    await page.click('li:has-text("Blue enamel mug") button:text-is("Add")')
    await page.waitForSelector('strong:text-is("1,001 items")')
    const { scrollWidth } = await widths(page)
    assert.ok(scrollWidth <= PHONE.width, `the filled cart is ${scrollWidth} px wide`)
    const brand = await page.locator('.brand').boundingBox()
    const toggle = await page.locator('.menu-toggle').boundingBox()
    assert.ok(brand && toggle && Math.abs(brand.y + brand.height / 2 - (toggle.y + toggle.height / 2)) < 8, 'the name and the Menu button share one line')
    await page.screenshot({ path: join(shotsDir, 'example-phone-cart.png') })
    await desk.close()
  })

  it('errors look like errors: a styled 404 page, and the login page after a mistake', async () => {
    const page = await desktop.newPage()
    const reply = await page.goto(`${app.url}/no-such-page`)
    assert.equal(reply?.status(), 404)
    assert.equal(await page.textContent('h1'), 'Page not found')
    assert.equal(await colourOf(page.locator('.notice.error')), 'rgb(140, 29, 24)')
    assert.ok(!(await page.content()).includes('Cannot GET'))

    const visitor = await browser.newContext({ viewport: { width: 900, height: 420 } })
    const login = await visitor.newPage()
    await login.goto(`${app.url}/`)
    await login.fill('input[name="name"]', 'Ada Lovelace')
    await login.screenshot({ path: join(shotsDir, 'example-login.png') })
    await visitor.close()
    await page.close()
  })
})
