/**
 * The example app's devices page (examples/devices.ts) over plain HTTP: what it lists, how it
 * shows the browser, and that the POST routes end only the poster's own other sessions.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { deviceName, MAX_BROWSER_CHARS } from '../examples/devices.js'
import { exampleApp } from './support/example-app.js'
import { Browser, loggedIn as logIn } from './support/http-browser.js'

const example = exampleApp()

const unique = (name: string) => `${name} ${randomBytes(3).toString('hex')}`

const loggedIn = (name: string, userAgent?: string): Promise<Browser> => logIn(example.app.url, name, userAgent)

const stillIn = async (browser: Browser): Promise<boolean> => (await browser.request('/profile')).status === 200
const rows = (body: string): string[] => body.match(/<tr(?: class="current")?><td class="browser"[\s\S]*?<\/tr>/g) ?? []
const nameIn = (row: string): string => /<td class="browser" data-label="Browser">([^<]*)/.exec(row)?.[1] ?? ''
const notice = (body: string): string => /<p class="notice (ok|error)" role="(?:status|alert)">([^<]*)<\/p>/.exec(body)?.slice(1).join(': ') ?? ''

const WINDOWS_CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'
const IPHONE_SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1'

test('the page names each device by browser and system, marks this one, shows times one way, and never shows a raw User-Agent', async () => {
  const name = unique('Ada')
  const laptop = await loggedIn(name, WINDOWS_CHROME)
  const phone = await loggedIn(name, IPHONE_SAFARI)
  const odd = await loggedIn(name, `Laptop/1.0 <script>alert("x")</script> ${'y'.repeat(500)}`)
  const stranger = await loggedIn(unique('Eve'), 'Stranger/1.0')

  assert.match((await phone.request('/profile')).body, /<a href="\/devices">Your devices<\/a>/)
  const page = await phone.request('/devices')
  assert.equal(page.status, 200)
  assert.equal(page.cacheControl, 'no-store')
  const listed = rows(page.body)
  assert.equal(listed.length, 3, page.body)
  assert.match(listed[0] as string, /^<tr class="current"><td class="browser" data-label="Browser">Safari on iPhone<span class="badge">This device<\/span>/, 'this device first, marked')
  assert.deepEqual(listed.slice(1).map(nameIn).sort(), ['Chrome on Windows', 'Unknown browser'])
  for (const ua of [WINDOWS_CHROME, IPHONE_SAFARI, 'Laptop/1.0', 'alert(', 'yyyy', 'Mozilla']) assert.ok(!page.body.includes(ua), `no raw User-Agent on the page (${ua})`)
  const times = [...page.body.matchAll(/<time datetime="([^"]+)" title="([^"]+)">([^<]+)<\/time>/g)]
  assert.equal(times.length, 6, 'signed in and last activity for each of 3 devices, all in one format')
  for (const [, iso, title, relative] of times) {
    assert.ok(Math.abs(Date.parse(iso as string) - Date.now()) < 60_000, iso)
    assert.match(title as string, /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\d UTC$/, 'the exact time on hover')
    assert.equal(relative, 'just now')
  }
  assert.ok(rows(page.body)[1]?.includes('value="'), 'a Log out button for each other device')
  assert.ok(!page.body.includes(`value="${phone.sessionId()}"`), 'no per-device button for this device')
  assert.ok(page.body.includes(`value="${laptop.sessionId()}"`) && page.body.includes(`value="${odd.sessionId()}"`))
  assert.ok(!page.body.includes(stranger.sessionId()), "another user's session is not listed")
  assert.match(page.body, /action="\/devices\/logout-others"><button type="submit" class="danger">Log out other devices<\/button><\/form>\s*<span class="muted">Ends every session of yours except this one/)

  const stored = await example.app.store.get(odd.sessionId())
  assert.equal([...(stored?.account?.browser ?? '')].length, MAX_BROWSER_CHARS, 'the stored User-Agent is bounded')

  const alone = await loggedIn(unique('Solo'), '   ')
  const single = await alone.request('/devices')
  assert.equal(rows(single.body).length, 1)
  assert.match(single.body, /Unknown browser/)
  assert.match(single.body, /No other device is logged in/)
  assert.doesNotMatch(single.body, /Log out other devices/)
})

test('deviceName reads common browsers and systems', () => {
  assert.equal(deviceName(WINDOWS_CHROME), 'Chrome on Windows')
  assert.equal(deviceName(IPHONE_SAFARI), 'Safari on iPhone')
  assert.equal(deviceName('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36'), 'Chrome on Android')
  assert.equal(deviceName('Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:120.0) Gecko/20100101 Firefox/120.0'), 'Firefox on macOS')
  assert.equal(deviceName(undefined), 'Unknown browser')
  assert.equal(deviceName(''), 'Unknown browser')
})

test('last activity follows browsing: a request notes lastSeen when the last note is a minute old, and no more often', async () => {
  const browser = await loggedIn(unique('Reader'))
  const sid = browser.sessionId()
  const session = await example.app.store.get(sid)
  assert.ok(session)
  const fiveMinutesAgo = Date.now() - 5 * 60_000
  session.lastSeen = fiveMinutesAgo
  await example.app.store.set(sid, session)
  const before = Date.now()
  assert.equal((await browser.request('/profile')).status, 200)
  const noted = (await example.app.store.get(sid))?.lastSeen ?? 0
  assert.ok(noted >= before, `lastSeen moved to the request (${noted - fiveMinutesAgo} ms later)`)
  const record = await example.inspector.get(`sess:${sid}`)
  for (const path of ['/profile', '/devices', '/cart']) await browser.request(path)
  assert.equal(await example.inspector.get(`sess:${sid}`), record, 'browsing within the minute writes nothing')
})

test('POST /devices/logout ends nothing unless the id is another session of the same user', async () => {
  const name = unique('Alice')
  const aliceOne = await loggedIn(name)
  const aliceTwo = await loggedIn(name)
  const malloryName = unique('Mallory')
  const mallory = await loggedIn(malloryName)
  const malloryOther = await loggedIn(malloryName)

  for (const form of <Record<string, string>[]>[{ id: aliceOne.sessionId() }, { id: mallory.sessionId() }, { id: 'no-such-session' }, {}, { id: '' }]) {
    const reply = await mallory.request('/devices/logout', form)
    assert.equal(reply.status, 303, JSON.stringify(form))
    assert.equal(reply.location, '/devices')
    assert.equal(notice((await mallory.request('/devices')).body), 'error: That device is not logged in any more, so there was nothing to log out.')
  }
  assert.equal(await example.inspector.exists(`sess:${aliceOne.sessionId()}`), 1, "another user's session was ended")
  assert.ok(await stillIn(aliceOne), 'Alice was logged out by Mallory')
  assert.ok(await stillIn(mallory), 'posting its own id logged this device out')
  assert.ok(await stillIn(malloryOther))

  const anonymous = await new Browser(example.app.url).request('/devices/logout', { id: aliceOne.sessionId() })
  assert.equal(anonymous.status, 303, 'a logged-out browser is sent to the login page')
  assert.ok(await stillIn(aliceOne))

  const ended = await aliceTwo.request('/devices/logout', { id: aliceOne.sessionId() })
  assert.equal(ended.status, 303)
  assert.equal(ended.location, '/devices')
  assert.equal(await example.inspector.exists(`sess:${aliceOne.sessionId()}`), 0, "the other device's session is gone from Redis")
  assert.equal(await stillIn(aliceOne), false)
  assert.ok(await stillIn(aliceTwo))
  const after = (await aliceTwo.request('/devices')).body
  assert.equal(notice(after), 'ok: Logged out 1 other device.')
  assert.equal(notice((await aliceTwo.request('/devices')).body), '', 'the message is shown once')
})

test('POST /devices/logout-others ends the user\'s other sessions only', async () => {
  const name = unique('Grace')
  const devices = [await loggedIn(name), await loggedIn(name), await loggedIn(name)]
  const bob = await loggedIn(unique('Bob'))
  const [first, second, current] = devices as [Browser, Browser, Browser]
  const reply = await current.request('/devices/logout-others', {})
  assert.equal(reply.status, 303)
  assert.equal(reply.location, '/devices')
  assert.equal(await stillIn(first), false)
  assert.equal(await stillIn(second), false)
  assert.ok(await stillIn(current), 'the device that asked stays logged in')
  assert.ok(await stillIn(bob), "another user's session was ended")
  const page = await current.request('/devices')
  assert.equal(rows(page.body).length, 1)
  assert.equal(notice(page.body), 'ok: Logged out 2 other devices.')
})
