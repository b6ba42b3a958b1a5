/**
 * The base follows the request through express-session's own calls, over real HTTP: a second
 * `save()` in one request, `reload()` and `regenerate()` each start from what was last read or
 * written, while another writer (a second store on the same Redis, as another app process would
 * be) changes the session in between.
 */
import assert from 'node:assert/strict'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import express from 'express'
import session from 'express-session'
import type { RedisStore } from '../../src/index.js'
import { useClient, useRedis } from '../support/redis.js'
import { StoreTracker } from '../support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()

type Bag = Record<string, unknown>
let store: RedisStore
let other: RedisStore
let server: Server
let base = ''

/** Another process's write: read the session, add `key`, write it back. */
async function elsewhere(sid: string, key: string): Promise<void> {
  const theirs = (await other.get(sid)) as unknown as Bag
  theirs[key] = true
  await other.set(sid, theirs as never)
}

const bag = (req: express.Request) => req.session as unknown as Bag
const promised = (run: (done: (err?: unknown) => void) => void) => new Promise<void>((resolve, reject) => run((err) => (err ? reject(err) : resolve())))

before(async () => {
  await connection.started()
  store = stores.create({ client: connection.client, prefix: 'flow:' })
  other = stores.create({ client: connection.client, prefix: 'flow:' })
  const app = express()
  app.use(session({ store, secret: 'cookie-signing-secret (test only)', resave: false, saveUninitialized: false, cookie: { maxAge: 600_000 } }))
  app.post('/start', (req, res) => {
    bag(req).started = true
    res.json({ sid: req.sessionID })
  })
  app.post('/save-twice', async (req, res) => {
    bag(req).first = true
    await promised((done) => req.session.save(done))
    await elsewhere(req.sessionID, 'between')
    bag(req).second = true
    res.json({ ok: true })
  })
  app.post('/reload', async (req, res) => {
    await elsewhere(req.sessionID, 'beforeReload')
    await promised((done) => req.session.reload(done))
    bag(req).afterReload = Boolean(bag(req).beforeReload)
    res.json({ ok: true })
  })
  app.post('/regenerate', async (req, res) => {
    const old = req.sessionID
    await promised((done) => req.session.regenerate(done))
    bag(req).fresh = true
    res.json({ old, sid: req.sessionID })
  })
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

after(async () => {
  await new Promise((resolve) => server.close(resolve))
  await stores.closeAll()
})

async function post(path: string, cookie?: string): Promise<{ body: Bag; cookie: string }> {
  const response = await fetch(base + path, { method: 'POST', headers: cookie ? { cookie } : {} })
  assert.equal(response.status, 200, path)
  return { body: (await response.json()) as Bag, cookie: response.headers.get('set-cookie')?.split(';')[0] ?? cookie ?? '' }
}

describe('express-session calls and the base', () => {
  it('a second save() in one request merges onto the write another process made after the first', async () => {
    const { body, cookie } = await post('/start')
    const sid = body.sid as string
    await post('/save-twice', cookie)
    const now = (await store.get(sid)) as unknown as Bag
    assert.deepEqual([now.started, now.first, now.between, now.second], [true, true, true, true])
  })

  it('reload() takes what another process wrote, and the following save needs no merge', async () => {
    const { body, cookie } = await post('/start')
    const sid = body.sid as string
    const merges = store.stats().merges
    await post('/reload', cookie)
    const now = (await store.get(sid)) as unknown as Bag
    assert.deepEqual([now.beforeReload, now.afterReload], [true, true])
    assert.equal(store.stats().merges, merges, 'the save after reload() wrote over the record it reloaded')
  })

  it('regenerate() ends the old id and writes the new one as given', async () => {
    const { cookie } = await post('/start')
    const { body } = await post('/regenerate', cookie)
    assert.equal(await store.get(body.old as string), null)
    const fresh = (await store.get(body.sid as string)) as unknown as Bag
    assert.deepEqual([fresh.fresh, fresh.started], [true, undefined])
  })
})
