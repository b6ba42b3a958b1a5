/**
 * The default dispatcher through the store, on this machine: where large sessions' seals and
 * opens ran (stats().inline / pooled), for compressed and uncompressed stores and for a user's
 * explicit offloadThreshold. Counts, not timings.
 */
import assert from 'node:assert/strict'
import { availableParallelism } from 'node:os'
import { after, describe, it } from 'node:test'
import { createSealedPool, RedisStore, type RedisStoreOptions } from '../../src/index.js'
import { poolParts } from '../../src/dispatch/sealed-pool.js'
import { useClient, useRedis } from '../support/redis.js'
import { SECRET_A, sessionWith, uniquePrefix } from '../support/sessions.js'
import { sessionText } from './pool-fixture.js'

const redis = useRedis()
const client = useClient(redis)
const stores: RedisStore[] = []
after(() => Promise.all(stores.map((s) => s.close())))

const KB = 1024
const spareCore = availableParallelism() > 2
const big = () => sessionWith({ cart: JSON.parse(sessionText(256 * KB)) as unknown })

async function roundTrips(options: Partial<RedisStoreOptions>, count = 4): Promise<{ inline: number; pooled: number }> {
  const store = new RedisStore({ client: client.client, prefix: uniquePrefix('dispatch'), secret: SECRET_A, pool: { minThreads: 1, maxThreads: 1 }, ...options } as RedisStoreOptions)
  stores.push(store)
  for (let i = 0; i < count; i++) {
    await store.set(`s${i}`, big())
    assert.ok(await store.get(`s${i}`), 'the session reads back')
  }
  const { inline, pooled } = store.stats()
  return { inline, pooled }
}

describe(`default dispatcher on this machine (${availableParallelism()} cores)`, () => {
  it(spareCore ? 'uncompressed 256 KB sessions use the pool (a core to spare)' : 'uncompressed 256 KB sessions stay inline (no spare core)', async () => {
    const { inline, pooled } = await roundTrips({})
    if (spareCore) assert.ok(pooled > 0, `pooled ${pooled}`)
    else assert.deepEqual({ inline, pooled }, { inline: 8, pooled: 0 })
  })

  it('gzip-compressed 256 KB sessions are sealed on the pool', async () => {
    const { inline, pooled } = await roundTrips({ compress: { algorithm: 'gzip' } })
    assert.ok(pooled >= 4, `every seal pooled: pooled ${pooled}, inline ${inline}`)
    assert.equal(inline + pooled, 8)
  })

  it('small sessions always run inline, compressed or not', async () => {
    const store = new RedisStore({ client: client.client, prefix: uniquePrefix('small'), secret: SECRET_A, compress: { algorithm: 'gzip', minBytes: 0 } })
    stores.push(store)
    for (let i = 0; i < 5; i++) {
      await store.set('x', sessionWith({ n: i, note: 'x'.repeat(2000) }))
      await store.get('x')
    }
    const { inline, pooled, recalled } = store.stats()
    assert.deepEqual({ inline, pooled, recalled }, { inline: 5, pooled: 0, recalled: 5 }, 'the seals inline; each read was of the record just sealed')
  })

  it('an explicit offloadThreshold still forces the pool at and above it', async () => {
    const { inline, pooled } = await roundTrips({ offloadThreshold: 64 * KB })
    assert.deepEqual({ inline, pooled }, { inline: 0, pooled: 8 })
  })

  it("reads Piscina's utilisation (about 0.2 ms a read) at most once per 100 ms, not per operation", async () => {
    const pool = createSealedPool({ maxThreads: 1 })
    const { piscina } = poolParts(pool)
    const getter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(piscina), 'utilization')?.get
    assert.ok(getter, 'Piscina has a utilization getter')
    let reads = 0
    Object.defineProperty(piscina, 'utilization', { get: () => (reads++, getter.call(piscina) as number), configurable: true })
    const store = new RedisStore({ client: client.client, prefix: uniquePrefix('sampled'), secret: SECRET_A, pool, compress: { algorithm: 'gzip' } })
    const started = performance.now()
    for (let i = 0; i < 40; i++) {
      await store.set(`m${i}`, sessionWith({ cart: JSON.parse(sessionText(32 * KB)) as unknown }))
      assert.ok(await store.get(`m${i}`))
    }
    const elapsed = performance.now() - started
    await store.close()
    await pool.destroy()
    assert.ok(reads <= 1 + elapsed / 100, `${reads} reads in ${elapsed.toFixed(0)} ms for 80 placed operations`)
  })
})
