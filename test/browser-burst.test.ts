/**
 * "Add 20 at once" in Debian's Chromium (playwright-core): the cart page sends 20 parallel
 * `fetch()` POSTs that each add one item to the same session, then says how many arrived. With the
 * store's default (`concurrency: 'merge'`, compare-and-set and a three-way merge) all 20 must
 * arrive in every trial; with `concurrency: 'overwrite'` (connect-redis's behaviour) later writes
 * drop earlier ones, which the page must show.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, it, type TestContext } from 'node:test'
import type { Browser, BrowserContext } from 'playwright-core'
import { BURST } from '../examples/cart.js'
import { startApp, type Concurrency, type RunningApp } from '../examples/server.js'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { browserSuite, launchChromium, logIn } from './support/chromium.js'

const TRIALS = 3
const OVERWRITE_TRIALS = 5

let redis: LocalRedis
let browser: Browser
const contexts: BrowserContext[] = []
const apps: RunningApp[] = []

/** One login, then `trials` clicks on "Add 20 at once": how many items arrived each time, as the page says. */
async function burstCounts(concurrency: Concurrency | undefined, trials: number): Promise<{ arrived: number[]; answered: number[] }> {
  const app = await startApp({ port: 0, redisUrl: redis.url, secret: randomBytes(32), concurrency })
  apps.push(app)
  const context = await browser.newContext()
  contexts.push(context)
  const page = await context.newPage()
  await logIn(page, app.url, `Burst ${concurrency ?? 'default'}`)
  await page.goto(`${app.url}/cart`)
  const arrived: number[] = []
  const answered: number[] = []
  for (let trial = 0; trial < trials; trial++) {
    await page.click(`button:text-is("Add ${BURST} at once")`)
    const result = page.locator('#burst-result.notice')
    await result.waitFor()
    const match = /^(\d+) of 20 requests answered OK; (-?\d+) of 20 items arrived in the cart\.$/.exec((await result.textContent()) ?? '')
    assert.ok(match, `the page reports the count: ${await result.textContent()}`)
    answered.push(Number(match[1]))
    arrived.push(Number(match[2]))
    await page.evaluate("document.getElementById('burst-result').className = ''")
  }
  const total = Number(await page.locator('#cart').getAttribute('data-count'))
  assert.equal(total, arrived.reduce((a, b) => a + b, 0), 'the counts the page showed add up to the cart')
  return { arrived, answered }
}

browserSuite('"Add 20 at once" in a real browser', () => {
  before(async () => {
    redis = await startRedis()
    browser = await launchChromium()
  })

  after(async () => {
    for (const context of contexts) await context.close()
    await browser?.close()
    for (const app of apps) await app.close()
    await redis?.stop()
  })

  it(`with the store's defaults, all ${BURST} parallel adds arrive, ${TRIALS} times out of ${TRIALS}`, async (t: TestContext) => {
    const { arrived, answered } = await burstCounts(undefined, TRIALS)
    t.diagnostic(`arrived per trial: ${arrived.join(', ')} of ${BURST}`)
    assert.deepEqual(answered, Array(TRIALS).fill(BURST), 'every request was answered OK')
    assert.deepEqual(arrived, Array(TRIALS).fill(BURST), 'no add was lost')
  })

  it(`with concurrency: 'overwrite', later writes drop earlier adds, and the page shows it`, async (t: TestContext) => {
    const { arrived, answered } = await burstCounts('overwrite', OVERWRITE_TRIALS)
    t.diagnostic(`arrived per trial: ${arrived.join(', ')} of ${BURST}`)
    assert.deepEqual(answered, Array(OVERWRITE_TRIALS).fill(BURST), 'every request was answered OK all the same')
    assert.ok(
      arrived.some((n) => n < BURST),
      `overwrite lost nothing in ${OVERWRITE_TRIALS} trials (${arrived.join(', ')}): the test cannot tell merge from overwrite`,
    )
  })
})
