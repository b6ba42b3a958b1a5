/** One createSealedPool() shared by stores that open and close one after another, for ever. */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { KeyRing } from '../../src/codec/keyring.js'
import { deriveMasterKeys } from '../../src/codec/secrets.js'
import { schemeFor } from '../../src/codec/format.js'
import { createSealer } from '../../src/dispatch/create-sealer.js'
import { registerRing } from '../../src/dispatch/key-registry.js'
import { openPool } from '../../src/dispatch/pool.js'
import { PooledSealer } from '../../src/dispatch/pooled-sealer.js'
import { poolParts } from '../../src/dispatch/sealed-pool.js'
import { InlineSealer } from '../../src/dispatch/sealer.js'
import { TurnGate } from '../../src/dispatch/turn-gate.js'
import { createSealedPool, RedisStore } from '../../src/index.js'
import { resolvePool, resolvePoolSettings } from '../../src/options/pool.js'
import { useClient, useRedis } from '../support/redis.js'
import { SECRET_A, sessionWith, uniquePrefix } from '../support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const shared = createSealedPool({ minThreads: 1, maxThreads: 1 })
after(() => shared.destroy())

/** Whether any byte after the registry's 16-byte header is non-zero, i.e. some key is still there. */
const registryHoldsKeys = (): boolean => new Uint8Array(poolParts(shared).registry, 16).some((b) => b !== 0)

test('10,000 stores opened, used on the pool and closed one after another on one shared pool all work, and each close zeroes its keys', async () => {
  const prefix = uniquePrefix('cycle')
  const session = sessionWith({ n: 1 })
  for (let i = 0; i < 10_000; i++) {
    const store = new RedisStore({ client: connection.client, secret: SECRET_A, pool: shared, offloadThreshold: 0, prefix })
    await store.set('s', session)
    const stats = store.stats()
    assert.equal(stats.pooled, 1, `store ${i} sealed on the pool: ${JSON.stringify(stats)}`)
    await store.close()
    if (i % 500 === 0) assert.equal(registryHoldsKeys(), false, `store ${i}'s keys are zeroed after close`)
  }
  assert.equal(registryHoldsKeys(), false)
})

test("a worker forgets a closed store's keys: a later task for that ring fails on the worker and is redone inline", async () => {
  const masters = await deriveMasterKeys([SECRET_A])
  const ring = new KeyRing(masters)
  const seal = { scheme: schemeFor('aes-256-gcm', 'sha512'), encoding: 'binary' as const, compression: undefined }
  const options = { seal, maxSessionBytes: 1 << 20, offloadThreshold: 0 }
  const sealer = createSealer(ring, masters, { ...options, pool: resolvePool(shared) })
  await sealer.seal('{"a":1}', 'sess:forget')
  assert.equal(sealer.stats().pooled, 1, 'the worker has used, and cached, the ring')
  const ringId = new Int32Array(poolParts(shared).registry, 0, 2)[1] as number
  await sealer.close()
  const stale = new PooledSealer({
    inline: new InlineSealer(ring, seal, options.maxSessionBytes),
    pool: shared,
    ownsPool: false,
    ringId,
    seal,
    maxBytes: options.maxSessionBytes,
    offloadThreshold: 0,
    gate: new TurnGate(),
  })
  await stale.seal('{"a":1}', 'sess:forget')
  const stats = stale.stats()
  assert.deepEqual({ pooled: stats.pooled, workerFailures: stats.workerFailures, inline: stats.inline }, { pooled: 0, workerFailures: 1, inline: 1 })
})

test("closing a store that owns its pool zeroes the pool's key memory too", async () => {
  const masters = await deriveMasterKeys([SECRET_A])
  const ring = new KeyRing(masters)
  const seal = { scheme: schemeFor('aes-256-gcm', 'sha512'), encoding: 'binary' as const, compression: undefined }
  const owned = openPool(resolvePoolSettings({ minThreads: 1, maxThreads: 1 }))
  const { registry } = poolParts(owned)
  const sealer = new PooledSealer({
    inline: new InlineSealer(ring, seal, 1 << 20),
    pool: owned,
    ownsPool: true,
    ringId: registerRing(registry, masters),
    seal,
    maxBytes: 1 << 20,
    offloadThreshold: 0,
    gate: new TurnGate(),
  })
  await sealer.seal('{"a":1}', 'sess:owned')
  assert.equal(sealer.stats().pooled, 1)
  assert.ok(new Uint8Array(registry, 16).some((b) => b !== 0), 'the keys were there')
  await sealer.close()
  assert.equal(new Uint8Array(registry, 16).some((b) => b !== 0), false)
  assert.equal(owned.threads, 0)
})
