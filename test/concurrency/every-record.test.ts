/**
 * The compare-and-set and its merge hold for every kind of record a session can be read from
 * (format v2 in each encoding, a frozen v1 record, a connect-redis plaintext record under
 * `legacy`), pooled as inline, and on every client the store supports.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import type { SessionData } from 'express-session'
import type { RedisStore, RedisStoreOptions } from '../../src/index.js'
import { clientKinds, glideKind, useClient, useKindClient, useRedis } from '../support/redis.js'
import { sessionWith, StoreTracker } from '../support/sessions.js'

const redis = useRedis()
const client = useClient(redis)
const stores = new StoreTracker()
after(() => stores.closeAll())

type Data = SessionData & Record<string, unknown>

/** A v1 record (aes-256-gcm) frozen by 0.1.0 under `sess:vector` with the bytes 0x00..0x1f as secret; see test-vector.test.ts. */
const V1_SECRET = Buffer.from(Array.from({ length: 32 }, (_, i) => i))
const V1_RECORD =
  '010119cfa28900019b76daa8002094d8797fdb54a8e1da20e58797091a3c98ff1036f9388f2df2ca85d25c1e55be5bcf767628c2094ad63970ca2d05a62fcf55abbd19e4d897617c9a61b60a6c6fcd0e522b9a258cc822696c74b807e30a309d677454c4ac322edaa4390c21941c64096a844801f3f7fd2e00b4ac15a34fd909f71cd3ed2dccd161747c557de83484ac36df5e5bb629e56db156c22ded8bb05abf4a46903197539eea5cb38efb37fcf97e72c1841cbf'

/**
 * Two stores read the record under `sid`, change different things, and write in turn: both
 * changes stay. Then a slow reader's write after a destroy writes nothing.
 */
async function raceOver(a: RedisStore, b: RedisStore, sid: string): Promise<Data> {
  const one = (await a.get(sid)) as Data
  const two = (await b.get(sid)) as Data
  assert.ok(one && two, 'both read the session')
  one.fromA = 1
  two.fromB = 2
  ;(two.list as unknown[] | undefined)?.push('b')
  await a.set(sid, one)
  await b.set(sid, two)
  const merged = (await a.get(sid)) as Data
  assert.deepEqual([merged.fromA, merged.fromB], [1, 2], 'both changes kept')
  assert.equal(b.stats().merges, 1)
  const slow = (await b.get(sid)) as Data
  await a.destroy(sid)
  slow.late = true
  await b.set(sid, slow)
  assert.equal(await a.get(sid), null, 'a logout stays a logout')
  assert.equal(b.stats().droppedWrites, 1)
  return merged
}

function pairOf(options: Partial<RedisStoreOptions>): [RedisStore, RedisStore] {
  return [stores.create({ client: client.client, ...options }), stores.create({ client: client.client, ...options })]
}

describe('every record a session can be read from', () => {
  for (const encodeas of ['binary', 'hex', 'base64', 'base64url'] as const) {
    it(`format v2, encodeas ${encodeas}`, async () => {
      const [a, b] = pairOf({ prefix: `enc-${encodeas}:`, encodeas })
      await a.set('s', sessionWith({ list: ['a'] }))
      const merged = await raceOver(a, b, 's')
      assert.deepEqual(merged.list, ['a', 'b'])
    })
  }

  it('a frozen v1 record: merged, and re-sealed as v2', async () => {
    await redis.raw.set('sess:vector', Buffer.from(V1_RECORD, 'hex'))
    const [a, b] = pairOf({ prefix: 'sess:', secret: V1_SECRET })
    const one = (await a.get('vector')) as Data
    const two = (await b.get('vector')) as Data
    one.fromA = 1
    two.fromB = 2
    await a.set('vector', one)
    await b.set('vector', two)
    const merged = (await a.get('vector')) as Data
    assert.deepEqual([merged.user, merged.n, merged.fromA, merged.fromB], ['vector', 42, 1, 2])
    assert.equal((await redis.raw.getBuffer('sess:vector'))?.[0], 2)
  })

  it('a connect-redis plaintext record read through legacy', async () => {
    const legacy = { until: new Date(Date.now() + 86_400_000), plaintext: true }
    await redis.raw.set('legacy:s', JSON.stringify(sessionWith({ list: ['old'] })))
    const [a, b] = pairOf({ prefix: 'legacy:', legacy })
    const merged = await raceOver(a, b, 's')
    assert.deepEqual(merged.list, ['old', 'b'])
    assert.ok(a.stats().legacyOpened >= 1)
  })

  it('pooled: seals and opens on a worker give the same outcome', async () => {
    const [a, b] = pairOf({ prefix: 'pooled:', pool: { minThreads: 1, maxThreads: 1 }, offloadThreshold: 0 })
    await a.set('s', sessionWith({ list: [] }))
    await raceOver(a, b, 's')
    assert.ok(a.stats().pooled + b.stats().pooled > 0, 'the work ran on the pool')
  })
})

describe('every client', () => {
  for (const kind of [...clientKinds(), glideKind()]) {
    describe(kind.name, () => {
      const use = useKindClient(redis, kind)
      it('merges, and drops a write after a destroy', async () => {
        const prefix = `client-${kind.name.replace(/\W/g, '')}:`
        const a = use.stores.create({ client: use.client, prefix })
        const b = use.stores.create({ client: use.client, prefix })
        await a.set('s', sessionWith({ list: [] }))
        await raceOver(a, b, 's')
      })

      it('runs its scripts by SHA-1, and by body again after the server forgot them (SCRIPT FLUSH, a restart)', async () => {
        const prefix = `flush-${kind.name.replace(/\W/g, '')}:`
        const a = use.stores.create({ client: use.client, prefix })
        await a.set('s', sessionWith({ n: 1 }))
        const session = (await a.get('s')) as Data
        await redis.raw.call('CONFIG', 'RESETSTAT')
        for (const n of [2, 3]) {
          session.n = n
          await a.set('s', session)
          await redis.raw.call('SCRIPT', 'FLUSH')
        }
        session.n = 4
        await a.set('s', session)
        assert.equal(((await a.get('s')) as Data).n, 4)
        const stats = String(await redis.raw.call('INFO', 'commandstats'))
        const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
        const expected = kind.name === 'valkey-glide' ? { evalsha: 0, eval: 3 } : { evalsha: 3, eval: 2 }
        assert.deepEqual({ evalsha: calls('evalsha'), eval: calls('eval') }, expected, 'each write tried EVALSHA first; the two after a flush fell back to EVAL once (GLIDE: EVAL)')
      })
    })
  }
})
