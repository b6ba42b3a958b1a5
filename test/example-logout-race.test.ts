/**
 * Logout is final in the example app with the store's defaults (no destroyGuard, no other opt-in):
 * a device that has a large "Add 1,000" in flight while another device presses "Log out other
 * devices" stays logged out, and never reappears in "Your devices". Many trials; counts reported.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test, type TestContext } from 'node:test'
import { exampleApp } from './support/example-app.js'
import { loggedIn as logIn, type Browser } from './support/http-browser.js'

const example = exampleApp()
const TRIALS = 12

const loggedIn = (name: string): Promise<Browser> => logIn(example.app.url, name)

test(`a write in flight never brings a logged-out device back (${TRIALS} trials)`, async (t: TestContext) => {
  let revived = 0
  let listed = 0
  let inFlightAnswered = 0
  for (let trial = 0; trial < TRIALS; trial++) {
    const name = `Racer ${randomBytes(3).toString('hex')}`
    const keeper = await loggedIn(name)
    const busy = await loggedIn(name)
    for (let i = 0; i < 3; i++) await busy.request('/cart/add', { sku: 'tea-green', count: '1000' })
    const [slow, ended] = await Promise.all([busy.request('/cart/add', { sku: 'mug-blue', count: '1000' }), keeper.request('/devices/logout-others', {})])
    assert.equal(ended.status, 303)
    if (slow.status === 303) inFlightAnswered++
    if ((await busy.request('/profile')).status === 200) revived++
    const devices = (await example.app.store.sessionsOf(name)) ?? []
    if (devices.some((d) => d.id !== keeper.sessionId())) listed++
  }
  t.diagnostic(`${TRIALS} trials: ${revived} revived, ${listed} listed again after logout; the write in flight was answered in ${inFlightAnswered}`)
  assert.equal(revived, 0, 'a logged-out device came back')
  assert.equal(listed, 0, 'a logged-out device reappeared in Your devices')
})
