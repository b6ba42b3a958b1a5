/**
 * The creation time in version 2 headers: a new session gets now, a re-saved one keeps its own
 * (through express-session over real HTTP, and through regenerate), and an edited header fails.
 */
import assert from 'node:assert/strict'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import express from 'express'
import session from 'express-session'
import type { SealErrorInfo } from '../src/index.js'
import { createdAtOf } from '../src/session-marks.js'
import { schemeFor } from '../src/codec/format.js'
import { KeyRing } from '../src/codec/keyring.js'
import { deriveMasterKeys } from '../src/codec/secrets.js'
import { reHeadered } from './support/key-holder.js'
import { sealV1ForTests } from './support/seal-v1.js'
import { useClient, useRedis } from './support/redis.js'
import { SECRET_A, sessionWith, StoreTracker, uniquePrefix } from './support/sessions.js'

declare module 'express-session' {
  interface SessionData {
    visits?: number
  }
}

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

async function header(key: string): Promise<{ sealedAt: number; createdAt: number }> {
  const record = (await redis.raw.getBuffer(key)) as Buffer
  assert.equal(record[0], 0x02, 'a version 2 record')
  return { sealedAt: record.readUIntBE(7, 6), createdAt: record.readUIntBE(13, 6) }
}

/** Waits until Date.now() has moved past `ms`, so two seal times can differ. */
async function after1ms(ms: number): Promise<void> {
  while (Date.now() <= ms) await new Promise((resolve) => setImmediate(resolve))
}

describe('through the store', () => {
  it('a new session is created now; a session from get, set again, keeps its creation time', async () => {
    const prefix = uniquePrefix('ct')
    const store = stores.create({ client: connection.client, prefix })
    await store.set('s', sessionWith({ n: 1 }))
    const first = await header(`${prefix}s`)
    assert.equal(first.createdAt, first.sealedAt)
    const loaded = await store.get('s')
    assert.equal(createdAtOf(loaded), first.createdAt)
    assert.equal(JSON.stringify(loaded).includes(String(first.createdAt)), false, 'not in the JSON')
    await after1ms(first.sealedAt)
    await store.set('s', { ...(loaded as object), n: 2 } as never)
    const spread = await header(`${prefix}s`)
    assert.ok(spread.sealedAt > first.sealedAt)
    assert.equal(spread.createdAt, spread.sealedAt, 'a spread copy is a new object: it does not carry the hidden time')
    const again = await store.get('s')
    await after1ms(spread.sealedAt)
    await store.set('s', again as never)
    const resaved = await header(`${prefix}s`)
    assert.ok(resaved.sealedAt > spread.sealedAt, 'sealed again now')
    assert.equal(resaved.createdAt, spread.createdAt, 'created-at carried')
  })

  it('through the worker pool too: a pooled re-seal keeps created-at', async () => {
    const prefix = uniquePrefix('ct-pool')
    const store = stores.create({ client: connection.client, prefix, pool: { maxThreads: 1 }, offloadThreshold: 0 })
    await store.set('s', sessionWith())
    const first = await header(`${prefix}s`)
    // A second store reads it (this one would recall the record it just sealed instead of opening it).
    const reader = stores.create({ client: connection.client, prefix, pool: { maxThreads: 1 }, offloadThreshold: 0 })
    const loaded = await reader.get('s')
    await after1ms(first.sealedAt)
    await store.set('s', loaded as never)
    const again = await header(`${prefix}s`)
    assert.ok(again.sealedAt > first.sealedAt)
    assert.equal(again.createdAt, first.createdAt)
    assert.equal(store.stats().pooled, 2, 'both seals on the worker')
    assert.equal(reader.stats().pooled, 1, 'the open on the worker')
  })

  it("what get learns of a session (its creation time, its owner, its base) rides on one non-enumerable Symbol that JSON, keys, spreads and clones leave out", async () => {
    const prefix = uniquePrefix('ct-keys')
    const store = stores.create({ client: connection.client, prefix, userOf: (s) => (s as { uid?: string }).uid })
    await store.set('s', sessionWith({ uid: 'u1' }))
    const reader = stores.create({ client: connection.client, prefix, userOf: (s) => (s as { uid?: string }).uid })
    const marks = Symbol.for('connect-redis-sealed.session-marks')
    for (const loaded of [await store.get('s'), await reader.get('s')]) {
      assert.ok(loaded !== null && loaded !== undefined)
      const fields = Object.keys(JSON.parse(JSON.stringify(loaded)) as object)
      assert.deepEqual(Reflect.ownKeys(loaded), [...fields, marks], 'get added something besides the one marks Symbol')
      assert.equal(Object.getOwnPropertyDescriptor(loaded, marks)?.enumerable, false)
      for (const copy of [{ ...loaded }, Object.assign({}, loaded), structuredClone(loaded)]) assert.deepEqual(Reflect.ownKeys(copy), fields)
      assert.deepEqual(Object.keys(loaded), fields)
      assert.equal(typeof createdAtOf(loaded), 'number')
    }
  })

  it('a session object that cannot take a property (frozen) keeps its marks beside it', async () => {
    const prefix = uniquePrefix('ct-frozen')
    const store = stores.create({ client: connection.client, prefix, serializer: { stringify: JSON.stringify, parse: (text: string) => Object.freeze(JSON.parse(text) as session.SessionData) } })
    await store.set('s', sessionWith({ n: 1 }))
    const loaded = await store.get('s')
    assert.ok(loaded !== null && loaded !== undefined && Object.isFrozen(loaded))
    assert.equal(typeof createdAtOf(loaded), 'number', 'the frozen object lost its creation time')
    assert.deepEqual(Reflect.ownKeys(loaded), Object.keys(loaded))
  })

  it('editing created-at in Redis (to look younger) fails the tag', async () => {
    const prefix = uniquePrefix('ct-edit')
    const reports: SealErrorInfo[] = []
    const store = stores.create({ client: connection.client, prefix, onSealError: (info) => reports.push(info) })
    await store.set('s', sessionWith())
    const record = (await redis.raw.getBuffer(`${prefix}s`)) as Buffer
    record.writeUIntBE(Date.now() + 1000, 13, 6)
    await redis.raw.set(`${prefix}s`, record)
    assert.equal(await store.get('s'), null)
    assert.deepEqual(reports, [{ reason: 'tag', sid: 's' }])
  })

  it('a record whose created-at lies after its sealed-at does not open, inline or pooled (reason "created-after-sealed")', async () => {
    const prefix = uniquePrefix('ct-after')
    const cipher = { algorithm: 'aes-256-ctr' as const, hashing: 'sha256' as const }
    const reports: SealErrorInfo[] = []
    const onSealError = (info: SealErrorInfo) => reports.push(info)
    const writer = stores.create({ client: connection.client, prefix, ...cipher })
    await writer.set('s', sessionWith({ n: 5 }))
    const sealed = (await redis.raw.getBuffer(`${prefix}s`)) as Buffer
    const { sealedAt } = await header(`${prefix}s`)
    const ring = new KeyRing(await deriveMasterKeys([SECRET_A]))
    const withCreatedAt = (createdAt: number) => reHeadered(sealed, `${prefix}s`, ring, (h) => h.writeUIntBE(createdAt, 13, 6))
    const inline = stores.create({ client: connection.client, prefix, ...cipher, onSealError })
    const pooled = stores.create({ client: connection.client, prefix, ...cipher, onSealError, pool: { maxThreads: 1 }, offloadThreshold: 0 })
    await redis.raw.set(`${prefix}s`, withCreatedAt(sealedAt - 1))
    assert.equal((await inline.get('s') as { n?: number } | null)?.n, 5, 'rewritten with a valid time, it opens: the tag was made right')
    for (const ahead of [1, 60_000]) {
      await redis.raw.set(`${prefix}s`, withCreatedAt(sealedAt + ahead))
      assert.equal(await inline.get('s'), null, `created ${ahead} ms after sealed, inline`)
      assert.equal(await pooled.get('s'), null, `created ${ahead} ms after sealed, pooled`)
    }
    assert.deepEqual(reports.map((r) => r.reason), Array(4).fill('created-after-sealed'))
    assert.equal(pooled.stats().pooled, 2, 'both opens ran on the worker')
  })

  it('a version 1 record is re-sealed as version 2 on its next write, created at its old seal time', async () => {
    const prefix = uniquePrefix('ct-v1')
    const store = stores.create({ client: connection.client, prefix })
    await store.set('s', sessionWith())
    const ring = new KeyRing(await deriveMasterKeys([SECRET_A]))
    const sealedAt = Date.now() - 60_000
    await redis.raw.set(`${prefix}s`, sealV1ForTests(JSON.stringify(sessionWith({ old: true })), `${prefix}s`, ring, schemeFor('aes-256-gcm', 'sha512'), sealedAt))
    const loaded = await store.get('s')
    assert.equal((loaded as { old?: boolean } | null)?.old, true, 'the v1 record opens')
    assert.equal(createdAtOf(loaded), sealedAt)
    await store.set('s', loaded as never)
    const next = await header(`${prefix}s`)
    assert.equal(next.createdAt, sealedAt)
    assert.ok(next.sealedAt >= sealedAt + 60_000)
  })
})

describe('through express-session over HTTP', () => {
  let server: Server | undefined
  let base = ''
  const prefix = uniquePrefix('ct-http')

  before(async () => {
    await connection.started()
    const store = stores.create({ client: connection.client, prefix })
    const app = express()
    app.use(session({ store, secret: 'cookie-signing-secret-of-32-chars-or-more', resave: false, saveUninitialized: false, cookie: { maxAge: 600_000 } }))
    app.post('/visit', (req, res) => {
      req.session.visits = (req.session.visits ?? 0) + 1
      res.json({ sid: req.sessionID })
    })
    app.post('/regenerate', (req, res, next) => {
      req.session.regenerate((err) => {
        if (err) return next(err)
        req.session.visits = 1
        res.json({ sid: req.sessionID })
      })
    })
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve())
    })
    base = `http://127.0.0.1:${(server?.address() as AddressInfo).port}`
  })
  after(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))

  async function post(path: string, cookie?: string): Promise<{ sid: string; cookie: string }> {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: cookie ? { cookie } : {} })
    assert.equal(res.status, 200)
    const set = res.headers.get('set-cookie')
    return { sid: ((await res.json()) as { sid: string }).sid, cookie: set ? (set.split(';')[0] as string) : (cookie as string) }
  }

  it('each request that changes the session re-seals it with the first request’s creation time; regenerate starts anew', async () => {
    const first = await post('/visit')
    const created = await header(`${prefix}${first.sid}`)
    await after1ms(created.sealedAt)
    const second = await post('/visit', first.cookie)
    assert.equal(second.sid, first.sid)
    const resaved = await header(`${prefix}${first.sid}`)
    assert.ok(resaved.sealedAt > created.sealedAt, 're-sealed')
    assert.equal(resaved.createdAt, created.createdAt, 'created-at carried through express-session')
    await after1ms(resaved.sealedAt)
    const fresh = await post('/regenerate', second.cookie)
    assert.notEqual(fresh.sid, first.sid)
    const renewed = await header(`${prefix}${fresh.sid}`)
    assert.ok(renewed.createdAt > created.createdAt, 'a regenerated session is a new session')
  })
})
