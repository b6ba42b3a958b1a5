/**
 * The example app's devices page (examples/devices.ts) over plain HTTP: what it lists, how it
 * shows the browser, and that the POST routes end only the poster's own other sessions.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { MAX_BROWSER_CHARS } from '../examples/devices.js'
import { exampleApp } from './support/example-app.js'
import { Browser } from './support/http-browser.js'

const example = exampleApp()

const unique = (name: string) => `${name} ${randomBytes(3).toString('hex')}`

async function loggedIn(name: string, userAgent?: string): Promise<Browser> {
  const browser = new Browser(example.app.url, userAgent)
  const login = await browser.request('/login', { name })
  assert.equal(login.status, 303)
  return browser
}

const stillIn = async (browser: Browser): Promise<boolean> => (await browser.request('/profile')).status === 200
const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&amp;': '&' }
const unescape = (html: string): string => html.replace(/&(?:lt|gt|quot|#39|amp);/g, (e) => ENTITIES[e] ?? e)
const rows = (body: string): string[] => body.match(/<tr(?: class="current")?><td class="browser">[\s\S]*?<\/tr>/g) ?? []

test('the page lists each session of the user with its browser (escaped, bounded), marks this one, and is linked from the profile', async () => {
  const name = unique('Ada')
  const laptop = await loggedIn(name, `Laptop/1.0 <script>alert("x")</script> ${'y'.repeat(500)}`)
  const phone = await loggedIn(name, '  Phone \t\tBrowser/2.0  ')
  const stranger = await loggedIn(unique('Eve'), 'Stranger/1.0')

  assert.match((await phone.request('/profile')).body, /<a href="\/devices">Your devices<\/a>/)
  const page = await phone.request('/devices')
  assert.equal(page.status, 200)
  const listed = rows(page.body)
  assert.equal(listed.length, 2, page.body)
  assert.match(listed[0] as string, /^<tr class="current"><td class="browser">Phone Browser\/2\.0<\/td>[\s\S]*<strong>this device<\/strong>/, 'this device first')
  const other = listed[1] as string
  assert.ok(other.includes('Laptop/1.0 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'), other)
  assert.ok(!page.body.includes('<script>'), 'the User-Agent was not escaped')
  const shown = unescape(/<td class="browser">([^<]*)<\/td>/.exec(other)?.[1] ?? '')
  assert.ok(shown.startsWith('Laptop/1.0 <script>alert("x")</script> yyy'), shown)
  assert.equal(shown.length, MAX_BROWSER_CHARS, 'the stored browser is bounded')
  assert.ok(other.includes(`value="${laptop.sessionId()}"`), 'a Log out button for the other device')
  assert.ok(!page.body.includes(`value="${phone.sessionId()}"`), 'no per-device button for this device')
  assert.ok(!page.body.includes(stranger.sessionId()), "another user's session is not listed")
  assert.match(page.body, /action="\/devices\/logout-others"/)
  assert.match(page.body, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/)

  const alone = await loggedIn(unique('Solo'), '   ')
  const single = await alone.request('/devices')
  assert.equal(rows(single.body).length, 1)
  assert.match(single.body, /unknown browser/)
  assert.match(single.body, /No other device is logged in/)
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
    assert.equal(reply.status, 404, JSON.stringify(form))
    assert.match(reply.body, /No such other device of yours/)
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
  assert.equal(ended.location, '/devices?ended=1')
  assert.equal(await example.inspector.exists(`sess:${aliceOne.sessionId()}`), 0, "the other device's session is gone from Redis")
  assert.equal(await stillIn(aliceOne), false)
  assert.ok(await stillIn(aliceTwo))
  assert.match((await aliceTwo.request('/devices?ended=1')).body, /Logged out 1 other device\./)
})

test('POST /devices/logout-others ends the user\'s other sessions only', async () => {
  const name = unique('Grace')
  const devices = [await loggedIn(name), await loggedIn(name), await loggedIn(name)]
  const bob = await loggedIn(unique('Bob'))
  const [first, second, current] = devices as [Browser, Browser, Browser]
  const reply = await current.request('/devices/logout-others', {})
  assert.equal(reply.status, 303)
  assert.equal(reply.location, '/devices?ended=2')
  assert.equal(await stillIn(first), false)
  assert.equal(await stillIn(second), false)
  assert.ok(await stillIn(current), 'the device that asked stays logged in')
  assert.ok(await stillIn(bob), "another user's session was ended")
  const page = await current.request('/devices?ended=2')
  assert.equal(rows(page.body).length, 1)
  assert.match(page.body, /Logged out 2 other devices\./)
  assert.equal((await current.request('/devices?ended=%3Cb%3E')).body.includes('<b>'), false)
})
