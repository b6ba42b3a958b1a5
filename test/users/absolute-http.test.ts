/** Over real HTTP with express-session: absoluteTimeout ends a busy session; "log out other devices" works. */
import assert from 'node:assert/strict'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import express from 'express'
import session from 'express-session'
import type { RedisStore } from '../../src/index.js'
import { useRedis } from '../support/redis.js'
import { StoreTracker } from '../support/sessions.js'

const redis = useRedis()
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

async function serve(store: RedisStore): Promise<{ base: string; close: () => Promise<void> }> {
  const app = express()
  app.use(session({ store, secret: 'http test cookie secret', resave: false, saveUninitialized: false }))
  app.post('/login/:user', (req, res) => {
    ;(req.session as unknown as { user: { id: string } }).user = { id: req.params.user }
    res.send('ok')
  })
  app.get('/me', (req, res) => {
    res.send((req.session as unknown as { user?: { id: string } }).user?.id ?? 'anonymous')
  })
  app.post('/logout-others', async (req, res) => {
    const id = (req.session as unknown as { user: { id: string } }).user.id
    res.send(String(await store.destroySessionsOf(id, { except: req.sessionID })))
  })
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? ''

test('a session kept busy by a request every 200 ms ends at the absolute limit (2 s)', async () => {
  await redis.started()
  const userOf = (s: unknown) => (s as { user?: { id: string } }).user?.id
  const store = stores.create({ url: redis.url, prefix: 'abs:', absoluteTimeout: 2, userOf })
  const { base, close } = await serve(store)
  try {
    const started = Date.now()
    const cookie = cookieOf(await fetch(`${base}/login/ann`, { method: 'POST' }))
    let endedAfter = 0
    while (Date.now() - started < 6000) {
      const me = await (await fetch(`${base}/me`, { headers: { cookie } })).text()
      if (me !== 'ann') {
        endedAfter = Date.now() - started
        break
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.ok(endedAfter >= 2000 && endedAfter < 4000, `ended after ${endedAfter} ms`)
  } finally {
    await close()
  }
})

test('two devices of one user: the second logs out the first, which is anonymous on its next request', async () => {
  await redis.started()
  const userOf = (s: unknown) => (s as { user?: { id: string } }).user?.id
  const store = stores.create({ url: redis.url, prefix: 'dev:', userOf })
  const { base, close } = await serve(store)
  try {
    const first = cookieOf(await fetch(`${base}/login/bea`, { method: 'POST' }))
    const second = cookieOf(await fetch(`${base}/login/bea`, { method: 'POST' }))
    assert.equal((await store.sessionsOf('bea'))?.length, 2)
    assert.equal(await (await fetch(`${base}/logout-others`, { method: 'POST', headers: { cookie: second } })).text(), '1')
    assert.equal(await (await fetch(`${base}/me`, { headers: { cookie: first } })).text(), 'anonymous')
    assert.equal(await (await fetch(`${base}/me`, { headers: { cookie: second } })).text(), 'bea')
  } finally {
    await close()
  }
})
