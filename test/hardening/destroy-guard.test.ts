/** What each store method does with the tombstone that `destroy` leaves under `destroyGuard`. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { SessionData } from 'express-session'
import { ask, startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import { RedisStore, type SealErrorInfo } from '../../src/index.js'
import { TOMBSTONE } from '../../src/redis/destroy-guard.js'
import { CLIENT_KINDS, connectClient, rawClient, type ClientName, type TestClient } from './clients.js'
import { waitFor } from '../support/sessions.js'

let redis: LocalRedis
let raw: Awaited<ReturnType<typeof rawClient>>
const clients: TestClient[] = []
const stores: RedisStore[] = []
before(async () => {
  redis = await startRedis()
  raw = await rawClient(redis.port)
})
after(async () => {
  await Promise.all(stores.map((s) => s.close()))
  await Promise.all(clients.map((c) => c.close()))
  raw.destroy()
  await redis.stop()
})

const session = (maxAgeMs = 3_600_000): SessionData =>
  ({ cookie: { originalMaxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs) }, user: 'bob' }) as unknown as SessionData

async function guardedStore(kind: ClientName, extra: Record<string, unknown> = {}) {
  const client = await connectClient(kind, redis.port)
  clients.push(client)
  const failures: SealErrorInfo[] = []
  const store = new RedisStore({ client: client.client, secret: Buffer.alloc(32, 4), pool: false, onSealError: (i) => failures.push(i), ...extra })
  stores.push(store)
  return { store, failures }
}

for (const kind of CLIENT_KINDS) {
  test(`${kind}: destroy leaves a tombstone for destroyGuard seconds; set and touch leave it alone; get sees no session`, async () => {
    const prefix = `g:${kind.replace(/\W/g, '')}:`
    const { store, failures } = await guardedStore(kind, { destroyGuard: 30, prefix })
    await store.set('a', session())
    await store.destroy('a')
    const key = `${prefix}a`
    assert.deepEqual(await raw.withTypeMapping({ 36: Buffer }).get(key), TOMBSTONE)
    const ttl = await raw.ttl(key)
    assert.ok(ttl > 0 && ttl <= 30, `tombstone TTL ${ttl}`)

    await store.set('a', session())
    assert.equal(await store.get('a'), null, 'a write after destroy is refused')
    await store.touch('a', session())
    assert.ok((await raw.ttl(key)) <= 30, 'touch did not stretch the tombstone to a session lifetime')
    await store.set('a', session(-1000))
    assert.deepEqual(await raw.withTypeMapping({ 36: Buffer }).get(key), TOMBSTONE, 'an expired session save does not lift the guard')
    assert.deepEqual(failures, [], 'a tombstone is not an open failure')
    assert.equal(store.stats().openFailures, 0)

    await store.destroy('never-existed')
    await store.set('never-existed', session())
    assert.equal(await store.get('never-existed'), null, 'destroying an id that was never saved guards it too')

    await store.set('b', session())
    assert.deepEqual((await store.all())?.map((s) => (s as { id?: string }).id), ['b'], 'all() leaves tombstones out')
    assert.deepEqual((await store.ids())?.sort(), ['a', 'b', 'never-existed'], 'ids() lists guarded ids until their tombstone expires')
    assert.equal(await store.length(), 3)
    await store.clear()
    assert.equal(await store.length(), 0, 'clear() removes tombstones too')
  })

  test(`${kind}: once the tombstone expires the id can be written again; plain records, text encodings and no-TTL writes go through the script`, async () => {
    const prefix = `e:${kind.replace(/\W/g, '')}:`
    const { store } = await guardedStore(kind, { destroyGuard: 1, prefix, encodeas: 'base64' })
    await store.destroy('c')
    await waitFor(async () => (await raw.exists(`${prefix}c`)) === 0, 'the tombstone expires', 5000)
    await store.set('c', session())
    assert.equal((await store.get('c'))?.user, 'bob')
    assert.equal((await raw.get(`${prefix}c`))?.[0], 'A', 'written as base64 through EVAL')
    await store.touch('c', session(7_200_000))
    assert.ok((await raw.ttl(`${prefix}c`)) > 3600, 'touch extends a live session')
    await store.set('c', session(-1000))
    assert.equal(await raw.exists(`${prefix}c`), 0, 'an expired session is deleted')

    const noTtl = (await guardedStore(kind, { destroyGuard: 5, prefix, disableTTL: true })).store
    await noTtl.set('d', session())
    assert.equal(await raw.ttl(`${prefix}d`), -1, 'disableTTL writes without expiry')
    assert.equal((await noTtl.get('d'))?.user, 'bob')
  })

  test(`${kind}: a guarded write is bounded by the timeout like every command`, async () => {
    const { store } = await guardedStore(kind, { destroyGuard: 5, prefix: 't:', timeout: 300 })
    assert.equal(await ask(redis.port, 'CLIENT PAUSE 900 WRITE'), '+OK')
    const started = performance.now()
    await assert.rejects(store.set('slow', session()), { code: 'ERR_SEALED_TIMEOUT', message: /EVAL/ })
    assert.ok(performance.now() - started < 1500)
    await waitFor(() => store.set('slow', session()).then(() => true, () => false), 'Redis writes again', 15_000)
  })
}

test('a store without destroyGuard reads a tombstone another store left as no session, not as a failure', async () => {
  const { store: guarded } = await guardedStore('node-redis 6', { destroyGuard: 30, prefix: 'mix:' })
  const { store: plain, failures } = await guardedStore('node-redis 6', { prefix: 'mix:' })
  await guarded.destroy('m')
  assert.equal(await plain.get('m'), null)
  assert.deepEqual(failures, [])
})

test('destroyGuard must be a whole number of seconds >= 1', () => {
  for (const bad of [0, -1, 1.5, '60', Number.NaN, true, null]) {
    assert.throws(
      () => new RedisStore({ client: raw, secret: Buffer.alloc(32, 1), destroyGuard: bad as number }),
      (error: unknown) =>
        error instanceof TypeError && (error as { code?: string }).code === 'ERR_SEALED_OPTIONS' && /option "destroyGuard"/.test(error.message),
      `destroyGuard: ${String(bad)}`,
    )
  }
})
