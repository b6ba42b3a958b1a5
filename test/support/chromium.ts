/** Debian's Chromium for the browser tests (playwright-core drives it), or the reason it cannot run. */
import { existsSync } from 'node:fs'
import { describe, test } from 'node:test'
import { chromium, type Browser, type LaunchOptions, type Locator, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

/** Why the browser tests cannot run here, or undefined when they can. */
export const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (install it: apt-get install -y chromium)`

/** Launch options for a headless Chromium that stays off the network and keeps no state between runs. */
export const LAUNCH: LaunchOptions = {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
}

export const launchChromium = (): Promise<Browser> => chromium.launch(LAUNCH)

/** Without Chromium the suite is one test reported as skipped: node:test does not count a skipped describe. */
export function browserSuite(name: string, body: () => void): void {
  if (missing) test(name, { skip: missing }, () => {})
  else void describe(name, body)
}

/** User-Agents of real browsers, so the devices page has something to name. */
export const USER_AGENTS = {
  windowsChrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  iphoneSafari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  macFirefox: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:120.0) Gecko/20100101 Firefox/120.0',
  androidChrome: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
} as const

/** Logs `page` in as `name` from the login page at `base`; resolves on the profile page. */
export async function logIn(page: Page, base: string, name: string): Promise<void> {
  await page.goto(`${base}/`)
  await page.fill('input[name="name"]', name)
  await Promise.all([page.waitForURL(`${base}/profile`), page.click('button:has-text("Log in")')])
}

/** The page's layout width against the window's: more means the page scrolls sideways. */
export async function widths(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  const [scrollWidth, innerWidth] = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number]
  return { scrollWidth, innerWidth }
}

/** The computed text colour of an element, e.g. `rgb(140, 29, 24)`. */
export const colourOf = (locator: Locator): Promise<string> =>
  locator.evaluate((element) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(element).color)
