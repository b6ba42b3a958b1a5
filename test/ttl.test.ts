/** TTL rules: a ttl function wins, else the cookie's expires, else `ttl`; <= 0 deletes; touch is EXPIRE only. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { SessionData } from 'express-session'
import type { RedisStoreOptions } from '../src/index.js'
import { clientKinds, useRedis, type ClientKind, useKindClient } from './support/redis.js'
import { sessionWith, uniquePrefix } from './support/sessions.js'

const redis = useRedis()
const HOUR_MS = 3_600_000

/** Asserts a Redis TTL of `seconds`, allowing one second for the time the test itself takes. */
function assertTtlNear(actual: number, seconds: number, what: string): void {
  assert.ok(actual <= seconds && actual >= seconds - 1, `${what}: TTL ${actual}, expected ${seconds - 1}..${seconds}`)
}

function ttlRules(kind: ClientKind): void {
  const scope = useKindClient(redis, kind)
  const { stores } = scope
  const fresh = (options: Partial<RedisStoreOptions> = {}) => {
    const prefix = uniquePrefix(kind.name)
    return { store: stores.create({ client: scope.client, prefix, ...options }), key: (sid: string) => `${prefix}${sid}` }
  }

  it("the cookie's maxAge becomes the Redis TTL (within one second), even when `ttl` is set", async () => {
    const { store, key } = fresh({ ttl: 5000 })
    await store.set('c', sessionWith({}, 1800 * 1000))
    assertTtlNear(await redis.raw.ttl(key('c')), 1800, 'cookie maxAge 1800 s')
  })

  it('a session without cookie expiry gets `ttl` seconds, or one day by default', async () => {
    const numbered = fresh({ ttl: 120 })
    await numbered.store.set('n', sessionWith({}, null))
    assertTtlNear(await redis.raw.ttl(numbered.key('n')), 120, 'ttl 120')
    const defaulted = fresh()
    await defaulted.store.set('d', sessionWith({}, null))
    assertTtlNear(await redis.raw.ttl(defaulted.key('d')), 86_400, 'default ttl')
  })

  it('a ttl function wins over the cookie and receives the session', async () => {
    const seen: SessionData[] = []
    const { store, key } = fresh({
      ttl: (session) => {
        seen.push(session)
        return 42
      },
    })
    const session = sessionWith({ user: 'fn' }, HOUR_MS)
    await store.set('f', session)
    assertTtlNear(await redis.raw.ttl(key('f')), 42, 'ttl function')
    assert.equal(seen.length, 1)
    assert.equal((seen[0] as unknown as { user: string }).user, 'fn')
    await store.touch('f', sessionWith({}, HOUR_MS))
    assertTtlNear(await redis.raw.ttl(key('f')), 42, 'touch with a ttl function')
  })

  it('disableTTL writes without expiry (TTL -1) and touch leaves it so', async () => {
    const { store, key } = fresh({ disableTTL: true, ttl: 60 })
    await store.set('forever', sessionWith({}, HOUR_MS))
    assert.equal(await redis.raw.ttl(key('forever')), -1)
    await store.touch('forever', sessionWith({}, HOUR_MS))
    assert.equal(await redis.raw.ttl(key('forever')), -1)
  })

  it('touch extends the TTL with EXPIRE only: the stored bytes do not change and nothing is sealed', async () => {
    const { store, key } = fresh()
    await store.set('t', sessionWith({ user: 'touchy' }, 60_000))
    assertTtlNear(await redis.raw.ttl(key('t')), 60, 'before touch')
    const before = await redis.raw.getBuffer(key('t'))
    const sealed = store.stats().sealed
    await store.touch('t', sessionWith({ user: 'changed in memory only' }, HOUR_MS))
    assertTtlNear(await redis.raw.ttl(key('t')), 3600, 'after touch')
    assert.deepEqual(await redis.raw.getBuffer(key('t')), before)
    assert.equal(store.stats().sealed, sealed)
    assert.equal(((await store.get('t')) as unknown as { user: string }).user, 'touchy')
  })

  it('disableTouch: touch leaves the TTL as it was', async () => {
    const { store, key } = fresh({ disableTouch: true })
    await store.set('dt', sessionWith({}, 60_000))
    await store.touch('dt', sessionWith({}, HOUR_MS))
    assertTtlNear(await redis.raw.ttl(key('dt')), 60, 'after a disabled touch')
  })

  it('an expired cookie on set deletes the key instead of writing it', async () => {
    const { store, key } = fresh()
    await store.set('old', sessionWith({ v: 1 }, HOUR_MS))
    assert.equal(await redis.raw.exists(key('old')), true)
    const sealed = store.stats().sealed
    await store.set('old', sessionWith({ v: 2 }, -1000))
    assert.equal(await redis.raw.exists(key('old')), false)
    assert.equal(store.stats().sealed, sealed, 'nothing was sealed')
    await store.set('never', sessionWith({}, -1000))
    assert.equal(await redis.raw.exists(key('never')), false)
  })

  it('a ttl function returning 0 or a negative number deletes on set', async () => {
    for (const seconds of [0, -5]) {
      const { store, key } = fresh({ ttl: () => seconds })
      await redis.raw.set(key('z'), 'placeholder')
      await store.set('z', sessionWith({}, HOUR_MS))
      assert.equal(await redis.raw.exists(key('z')), false, `ttl function returning ${seconds}`)
    }
  })

  it('an expired cookie on touch deletes the key', async () => {
    const { store, key } = fresh()
    await store.set('late', sessionWith({}, HOUR_MS))
    await store.touch('late', sessionWith({}, -1000))
    assert.equal(await redis.raw.exists(key('late')), false)
    assert.equal(await store.get('late'), null)
  })

  it('a touch on an absent key does not create it', async () => {
    const { store, key } = fresh()
    await store.touch('ghost', sessionWith({}, HOUR_MS))
    assert.equal(await redis.raw.exists(key('ghost')), false)
    assert.equal(await redis.raw.ttl(key('ghost')), -2)
  })
}

for (const kind of clientKinds()) describe(kind.name, () => ttlRules(kind))
