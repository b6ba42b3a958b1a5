/** Where connect-redis and this store must agree: Invalid Date expiry, disableTTL with an expired cookie, the exposed fields, SCAN duplicates. */
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { describe, it } from 'node:test'
import type { SessionData } from 'express-session'
import { RedisStore, type RedisStoreOptions } from '../src/index.js'
import { useClient, useRedis } from './support/redis.js'
import { SECRET_A, sessionWith, StoreTracker, uniquePrefix } from './support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

function fresh(options: Partial<RedisStoreOptions> = {}): { store: RedisStore; key: (sid: string) => string } {
  const prefix = uniquePrefix('fidelity')
  return { store: stores.create({ client: connection.client, prefix, ...options }), key: (sid) => prefix + sid }
}

function withExpires(expires: Date): SessionData {
  const session = sessionWith()
  session.cookie.expires = expires
  return session
}

describe('expiry edge cases', () => {
  it('a cookie expires that is an Invalid Date deletes the key on set and on touch, without an error', async () => {
    const { store, key } = fresh()
    for (const run of [(s: SessionData) => store.set('s', s), (s: SessionData) => store.touch('s', s)]) {
      await store.set('s', sessionWith())
      assert.equal(await redis.raw.exists(key('s')), true)
      await run(withExpires(new Date(Number.NaN)))
      assert.equal(await redis.raw.exists(key('s')), false, 'deleted, as connect-redis does')
    }
  })

  it('disableTTL with an expired cookie deletes the key; with a live cookie it writes without expiry', async () => {
    const { store, key } = fresh({ disableTTL: true })
    await store.set('s', withExpires(new Date(Date.now() + 60_000)))
    assert.equal(await redis.raw.ttl(key('s')), -1, 'no expiry')
    await store.set('s', withExpires(new Date(Date.now() - 1000)))
    assert.equal(await redis.raw.exists(key('s')), false, 'an expired session is deleted, not kept forever')
  })
})

describe('fields exposed like connect-redis', () => {
  it('client, prefix, ttl, scanCount, serializer, disableTouch, disableTTL read back what was given', () => {
    const serializer = { stringify: JSON.stringify, parse: JSON.parse }
    const ttl = () => 60
    const { store } = fresh({ prefix: 'p:', ttl, scanCount: 7, serializer, disableTouch: true, disableTTL: true })
    assert.equal(store.client, connection.client)
    assert.equal(store.prefix, 'p:')
    assert.equal(store.ttl, ttl)
    assert.equal(store.scanCount, 7)
    assert.equal(store.serializer, serializer)
    assert.equal(store.disableTouch, true)
    assert.equal(store.disableTTL, true)
  })

  it('the defaults read back too, and a url store exposes the client it made', async () => {
    const { store } = fresh()
    assert.deepEqual([store.ttl, store.scanCount, store.serializer, store.disableTouch, store.disableTTL], [86_400, 100, JSON, false, false])
    const owned = new RedisStore({ url: redis.url, secret: SECRET_A, pool: false })
    try {
      assert.equal(typeof (owned.client as { get?: unknown }).get, 'function')
    } finally {
      await owned.close()
    }
  })

  it('they are read-only, and toJSON / inspect stay minimal', () => {
    const { store } = fresh({ prefix: 'ro:' })
    for (const field of ['client', 'prefix', 'ttl', 'scanCount', 'serializer', 'disableTouch', 'disableTTL']) {
      assert.throws(() => Object.assign(store, { [field]: 1 }), TypeError, `${field} cannot be assigned`)
    }
    assert.equal(store.prefix, 'ro:')
    assert.deepEqual(JSON.parse(JSON.stringify(store)), { name: 'RedisStore', prefix: 'ro:' })
    assert.equal(inspect(store), 'RedisStore { prefix: "ro:" }')
    assert.ok(!('secret' in store))
  })
})

/** A node-redis client whose SCAN replies repeat every key, and the previous batch too, as SCAN may during a rehash. */
function repeatingScan(client: object): object {
  let previous: unknown[] = []
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target)
      if (property !== 'scan') return typeof value === 'function' ? value.bind(target) : value
      return async (...args: unknown[]) => {
        const reply = (await (value as (...a: unknown[]) => Promise<{ cursor: unknown; keys: unknown[] }>).apply(target, args))
        const keys = [...previous, ...reply.keys, ...reply.keys]
        previous = reply.keys
        return { cursor: reply.cursor, keys }
      }
    },
  })
}

describe('SCAN returning a key more than once', () => {
  it('length, ids and all count each session once; clear still empties', async () => {
    const prefix = uniquePrefix('dup')
    const writer = stores.create({ client: connection.client, prefix })
    const sids = Array.from({ length: 12 }, (_, i) => `s${i}`)
    for (const sid of sids) await writer.set(sid, sessionWith({ sid }))
    const store = stores.create({ client: repeatingScan(connection.client), prefix, scanCount: 2 })
    assert.equal(await store.length(), sids.length)
    assert.deepEqual((await store.ids())?.sort(), [...sids].sort())
    const all = (await store.all()) ?? []
    assert.deepEqual(all.map((s) => (s as unknown as { id: string }).id).sort(), [...sids].sort())
    await store.clear()
    assert.equal(await writer.length(), 0)
  })
})

describe('text the cipher encodes itself', () => {
  it('multi-byte characters and emoji come back whole, compressed or not, inline or pooled, in every encoding', async () => {
    // The sealer hands the text to the cipher (or the compressor) as a string and writes its UTF-8
    // length in the header from Buffer.byteLength: a length in UTF-16 units would fail every open.
    const text = 'Łódź Ελιά 東京 😀 end'
    const expected = { text }
    for (const options of [{}, { compress: true, pool: false }, { offloadThreshold: 0 }, { encodeas: 'hex' }, { encodeas: 'base64url' }] as Partial<RedisStoreOptions>[]) {
      const { store } = fresh(options)
      await store.set('s', sessionWith({ text, pad: 'x'.repeat(2000) }))
      const loaded = (await store.get('s')) as SessionData & { text?: string }
      assert.equal(loaded?.text, expected.text, JSON.stringify(options))
      assert.equal(store.stats().openFailures, 0)
    }
  })
})
