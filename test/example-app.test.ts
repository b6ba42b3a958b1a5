/**
 * The example app (examples/server.ts) over real HTTP against a private redis-server: login,
 * profile, a cart large enough for the worker pool, logout; what Redis holds at each step.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { test } from 'node:test'
import { RESP_TYPES } from 'redis'
import { startApp, type Concurrency } from '../examples/server.js'
import { startRedis } from '../scripts/local-redis.js'
import { exampleApp } from './support/example-app.js'
import { Browser } from './support/http-browser.js'

const example = exampleApp()

const rawValue = (key: string) => example.inspector.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(key) as Promise<Buffer | null>

test('login → profile → a cart of 1,000+ items on the pool → logout, with sealed records in Redis', async () => {
  const browser = new Browser(example.app.url)
  const name = `Zoë <Probe> ${randomBytes(4).toString('hex')}`

  const home = await browser.request('/')
  assert.equal(home.status, 200)
  assert.match(home.body, /<form method="post" action="\/login"/)
  assert.equal(browser.cookies.size, 0, 'an anonymous visit must not create a session')
  assert.equal(await example.inspector.dbSize(), 0)

  const login = await browser.request('/login', { name })
  assert.equal(login.status, 303)
  assert.equal(login.location, '/profile')
  const sid = browser.sessionId()
  const key = `sess:${sid}`
  assert.ok(await rawValue(key), 'the session was not written to Redis')

  const profile = await browser.request('/profile')
  assert.equal(profile.status, 200)
  assert.equal(profile.cacheControl, 'no-store', 'an authenticated page must not be kept by the browser (Back after logout)')
  assert.ok(profile.body.includes('Zoë &lt;Probe&gt;'), 'the profile does not show the (escaped) name')
  assert.ok(!profile.body.includes('<Probe>'), 'the name was not HTML-escaped')

  const added = await browser.request('/cart/add', { sku: 'mug-blue', count: '1000' })
  assert.equal(added.status, 303)
  assert.equal(added.location, '/cart')
  await browser.request('/cart/add', { sku: 'tea-green' })
  const cart = await browser.request('/cart')
  assert.equal(cart.status, 200)
  assert.equal(cart.cacheControl, 'no-store')
  assert.match(cart.body, /<strong>1,001 items<\/strong>/)
  const size = Number(/Session size: <strong>([\d,]+) bytes/.exec(cart.body)?.[1]?.replaceAll(',', ''))
  assert.ok(size > 32_768, `a 1,001-item cart should be above the offload threshold, was ${size} bytes`)
  assert.match(cart.body, /sealed on the worker pool/)

  const stats = (await (await fetch(`${example.app.url}/stats.json`)).json()) as { pooled: number; sealed: number; openFailures: number }
  assert.ok(stats.pooled >= 1, `the large session did not go through the pool: ${JSON.stringify(stats)}`)
  assert.equal(stats.openFailures, 0)

  const raw = await rawValue(key)
  assert.ok(raw && raw.length > size / 2, 'the large cart is not in Redis')
  for (const plain of [name, 'Zoë', 'Blue enamel mug', '"cart"']) {
    assert.equal(raw.includes(Buffer.from(plain)), false, `the raw Redis value contains ${JSON.stringify(plain)}`)
  }

  const oldCookie = browser.cookies.get('connect.sid') as string
  const logout = await browser.request('/logout', {})
  assert.equal(logout.status, 303)
  assert.equal(logout.location, '/')
  assert.equal(browser.cookies.has('connect.sid'), false, 'logout did not clear the cookie')
  assert.match((await browser.request('/')).body, /class="notice ok" role="status">You are logged out\./)
  assert.equal(await example.inspector.exists(key), 0, 'the session is still in Redis after logout')

  const afterLogout = await browser.request('/profile')
  assert.equal(afterLogout.status, 303, 'a logged-out browser must be sent to the login page')
  const replay = new Browser(example.app.url)
  replay.cookies.set('connect.sid', oldCookie)
  assert.equal((await replay.request('/profile')).status, 303, 'the old cookie still opens a session after logout')
  assert.equal(await example.inspector.exists(key), 0)
})

test('bad input: a mistyped name comes back once as an error after a redirect, crafted input gets a styled 400, and no session', async () => {
  const browser = new Browser(example.app.url)
  const keysBefore = await example.inspector.dbSize()
  const empty = await browser.request('/login', { name: '   ' })
  assert.equal(empty.status, 303, 'Post/Redirect/Get: a reload must not post the form again')
  assert.equal(empty.location, '/')
  const shown = await browser.request('/')
  assert.match(shown.body, /<p class="notice error" role="alert">Please enter a name of 1 to 40 characters\.<\/p>/, 'in the error style')
  assert.doesNotMatch((await browser.request('/')).body, /Please enter a name/, 'the message is shown once')
  assert.equal((await browser.request('/login', { name: 'x'.repeat(41) })).location, '/')
  assert.equal(browser.cookies.has('connect.sid'), false, 'a failed login makes no session')
  assert.equal(await example.inspector.dbSize(), keysBefore, 'nothing written to Redis')

  for (const path of ['/profile', '/cart']) {
    const anonymous = await browser.request(path)
    assert.equal(anonymous.status, 303, `${path} without a login`)
    assert.equal(anonymous.location, '/')
  }
  assert.equal((await browser.request('/cart/add', { sku: 'tea-green' })).status, 303)

  await browser.request('/login', { name: 'Bob' })
  const unknown = await browser.request('/cart/add', { sku: 'no-such-thing' })
  assert.equal(unknown.status, 400)
  assert.match(unknown.body, /<h1>Bad request<\/h1>[\s\S]*class="notice error"[^>]*>Unknown product or count/)
  assert.equal((await browser.request('/cart/add', { sku: 'tea-green', count: '1001' })).status, 400)
  assert.equal((await browser.request('/cart/add', { sku: 'tea-green', count: '1.5' })).status, 400)
  assert.match((await browser.request('/cart')).body, /<strong>0 items<\/strong>/)
})

test('unknown pages get a styled 404, an oversized form a styled 413, never Express\'s bare text', async () => {
  const browser = new Browser(example.app.url)
  for (const reply of [await browser.request('/nope'), await browser.request('/nope/<b>', {})]) {
    assert.equal(reply.status, 404)
    assert.match(reply.body, /<h1>Page not found<\/h1>/)
    assert.doesNotMatch(reply.body, /Cannot (GET|POST)|<b>/)
  }
  const huge = await browser.request('/login', { name: 'x'.repeat(10_000) })
  assert.equal(huge.status, 413)
  assert.match(huge.body, /<h1>Request too large<\/h1>/)
})

test('a forged or tampered cookie gives a fresh anonymous page, not an error', async () => {
  const browser = new Browser(example.app.url)
  await browser.request('/login', { name: 'Carol' })
  const key = `sess:${browser.sessionId()}`
  const raw = (await rawValue(key)) as Buffer
  raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1
  await example.inspector.set(key, raw)
  const home = await browser.request('/')
  assert.equal(home.status, 200)
  assert.match(home.body, /action="\/login"/, 'a tampered record must read as no session')
})

test('/health answers with Redis up; /stats.json is store.stats(); /stats is a page for a person, outside the user\'s navigation', async () => {
  const health = await fetch(`${example.app.url}/health`)
  assert.equal(health.status, 200)
  assert.deepEqual(await health.json(), { ok: true, redis: 'PONG' })
  const stats = (await (await fetch(`${example.app.url}/stats.json`)).json()) as Record<string, unknown>
  for (const field of ['sealed', 'opened', 'openFailures', 'pooled', 'inline']) assert.equal(typeof stats[field], 'number', field)
  const page = await (await fetch(`${example.app.url}/stats`)).text()
  assert.match(page, /<dt>Sessions in Redis<\/dt><dd><strong>[\d,]+<\/strong>/)
  assert.match(page, /<dt>Uptime<\/dt><dd><strong>\d+ (s|min \d+ s|h \d+ min)<\/strong>/)
  assert.match(page, /<dt>Pool in use<\/dt><dd><strong>\d+\.\d %<\/strong>/, 'utilisation as a rounded percentage')
  assert.match(page, /<dt>Dropped writes<\/dt><dd><strong>[\d,]+<\/strong> <span class="muted">writes not made because the session had ended/)
  assert.match(page, /<dt>From memory<\/dt><dd><strong>[\d,]+<\/strong> <span class="muted">reads of a record/, 'each counter says what it counts')
  assert.doesNotMatch(page, /href="\/cart"|action="\/logout"/, 'no user navigation on the operator page')
  const browser = new Browser(example.app.url)
  await browser.request('/login', { name: 'Nav' })
  for (const path of ['/', '/profile', '/cart', '/devices']) assert.doesNotMatch((await browser.request(path)).body, /href="\/stats"/, `${path} links no operator page`)
})

test('startApp rejects a bad store option (SESSION_CONCURRENCY=bogus) and releases its Redis client', async () => {
  const clientsBefore = Number(/connected_clients:(\d+)/.exec(await example.inspector.info('clients'))?.[1])
  await assert.rejects(startApp({ port: 0, redisUrl: example.redis.url, secret: randomBytes(32), concurrency: 'bogus' as Concurrency }), { code: 'ERR_SEALED_OPTIONS' })
  const clientsAfter = Number(/connected_clients:(\d+)/.exec(await example.inspector.info('clients'))?.[1])
  assert.equal(clientsAfter, clientsBefore, 'the failed start left a Redis connection open')
})

test('startApp rejects on a taken port with EADDRINUSE and releases its Redis client', async () => {
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
  const { port } = holder.address() as { port: number }
  const clientsBefore = Number(/connected_clients:(\d+)/.exec(await example.inspector.info('clients'))?.[1])
  try {
    await assert.rejects(startApp({ port, redisUrl: example.redis.url, secret: randomBytes(32) }), { code: 'EADDRINUSE' })
  } finally {
    holder.close()
  }
  const clientsAfter = Number(/connected_clients:(\d+)/.exec(await example.inspector.info('clients'))?.[1])
  assert.equal(clientsAfter, clientsBefore, 'the failed start left a Redis connection open')
})

test('startApp rejects when Redis does not answer, and /health says 503 once Redis goes away', async () => {
  const closed = await startRedis()
  await closed.stop()
  await assert.rejects(startApp({ port: 0, redisUrl: closed.url, secret: randomBytes(32) }), /ECONNREFUSED/)

  const doomed = await startRedis()
  const logged: string[] = []
  const second = await startApp({ port: 0, redisUrl: doomed.url, secret: randomBytes(32), logError: (line) => logged.push(line) })
  try {
    assert.equal((await fetch(`${second.url}/health`)).status, 200)
    await doomed.stop()
    const down = await fetch(`${second.url}/health`)
    assert.equal(down.status, 503)
    assert.deepEqual(await down.json(), { ok: false, redis: 'unreachable' })
    assert.ok(logged.some((line) => line.startsWith('redis: ')), `the lost connection was not reported: ${JSON.stringify(logged)}`)
  } finally {
    await second.close()
  }
})
