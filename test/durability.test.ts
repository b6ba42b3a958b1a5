/**
 * Durable revocation on a real master and replica: `destroy` and `destroySessionsOf` (and writes
 * with `writes: true`) report success only once the replica holds the change; a stalled replica
 * gives ERR_SEALED_NOT_DURABLE; the WAIT runs on the store's own connection, so the user's client
 * keeps answering meanwhile. Every client kind.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { RedisStore, SealedError, type RedisStoreOptions } from '../src/index.js'
import { pollUntil, redisCli } from './support/redis-cli.js'
import { clientKinds } from './support/redis.js'
import { startReplicated, type ReplicatedRedis } from './support/redis-replica.js'
import { SECRET_A, sessionWith, StoreTracker, uniquePrefix } from './support/sessions.js'

let pair: ReplicatedRedis
before(async () => {
  pair = await startReplicated()
})
after(() => pair?.stop())

const onReplica = (key: string) => redisCli(pair.replica.port, ['EXISTS', key])

function notDurable(error: unknown): boolean {
  assert.ok(error instanceof SealedError, `a SealedError, got ${String(error)}`)
  assert.equal(error.code, 'ERR_SEALED_NOT_DURABLE')
  assert.match(error.message, /may not survive a failover/)
  return true
}

describe('durability: option checks name the field', () => {
  const cases: [unknown, RegExp][] = [
    [1, /"durability" must be an object/],
    [{ timeout: 100 }, /"durability\.replicas" is required/],
    [{ replicas: 1 }, /"durability\.timeout" is required/],
    [{ replicas: 0, timeout: 100 }, /"durability\.replicas" must be an integer >= 1/],
    [{ replicas: 1, timeout: 0.5 }, /"durability\.timeout" must be an integer/],
    [{ replicas: 1, timeout: 100, writes: 'yes' }, /"durability\.writes" must be a boolean/],
    [{ replicas: 1, timeout: 100, wait: true }, /"durability\.wait" is not a known option/],
  ]
  for (const [value, message] of cases) {
    it(`${JSON.stringify(value)} → ${message.source}`, () => {
      assert.throws(() => new RedisStore({ url: 'redis://127.0.0.1:1', secret: SECRET_A, durability: value } as unknown as RedisStoreOptions), (e: unknown) => {
        assert.equal((e as { code?: string }).code, 'ERR_SEALED_OPTIONS')
        assert.match((e as Error).message, message)
        return true
      })
    })
  }
  it('a client without duplicate() is refused by name', () => {
    const fake = { withTypeMapping: () => fake, mGet: async () => [] }
    assert.throws(() => new RedisStore({ client: fake, secret: SECRET_A, durability: { replicas: 1, timeout: 100 } }), /"durability" needs a node-redis, ioredis or iovalkey client/)
  })
})

for (const kind of clientKinds()) {
  describe(`durability with ${kind.name}`, () => {
    let client: object
    const stores = new StoreTracker()
    before(async () => {
      client = await kind.create(pair.master.url)
    })
    after(async () => {
      await stores.closeAll()
      await kind.close(client)
    })
    // A replica that works confirms within ms, but a busy 2-core CI host has taken over 300 ms: the
    // stores that must succeed wait up to 5 s; one on the same prefix with 300 ms meets the stalled replica.
    const store = (extra: Partial<RedisStoreOptions> = {}) =>
      stores.create({ client, prefix: uniquePrefix('durable'), durability: { replicas: 1, timeout: 5000 }, ...extra })
    /** Opens the store's own connection before a stall (a refusal from a slow replica does not matter here). */
    const warmed = async (s: RedisStore) => {
      await s.destroy('warm-up').catch(() => {})
      return s
    }
    const impatient = (of: RedisStore, options: { writes?: true; userOf?: RedisStoreOptions['userOf'] } = {}) =>
      stores.create({ client, prefix: of.prefix, userOf: options.userOf, durability: { replicas: 1, timeout: 300, ...(options.writes ? { writes: true } : {}) } })

    it('a store that never needed its own connection closes cleanly', async () => {
      await store().close()
    })

    it('destroy resolves once the replica holds the deletion', async () => {
      const s = store()
      await s.set('a', sessionWith({ n: 1 }))
      await s.destroy('a')
      assert.equal(await onReplica(`${s.prefix}a`), '0')
    })

    it('a stalled replica: destroy fails with ERR_SEALED_NOT_DURABLE; the master has the deletion; set without writes still succeeds', async () => {
      const s = store()
      await s.set('b', sessionWith({ n: 1 }))
      const fast = await warmed(impatient(s))
      pair.stall()
      try {
        await assert.rejects(fast.destroy('b'), notDurable)
        assert.equal(await s.get('b'), null)
        await s.set('c', sessionWith({ n: 2 }))
      } finally {
        await pair.resume()
      }
    })

    it('writes: true makes set wait too (and fail on a stalled replica)', async () => {
      const s = store({ durability: { replicas: 1, timeout: 5000, writes: true } })
      await s.set('d', sessionWith({ n: 1 }))
      assert.equal(await onReplica(`${s.prefix}d`), '1')
      const fast = await warmed(impatient(s, { writes: true }))
      pair.stall()
      try {
        await assert.rejects(fast.set('e', sessionWith({ n: 2 })), notDurable)
      } finally {
        await pair.resume()
      }
    })

    it("destroySessionsOf on the durable connection reads a planted hash in the index as no session ('wrong-type') and ends the rest", async () => {
      const reasons: string[] = []
      const s = store({ userOf: (session) => (session as { user?: string }).user, onSealError: (i) => reasons.push(i.reason) })
      await Promise.all(['p1', 'p2'].map((sid) => s.set(sid, sessionWith({ user: 'bea' }))))
      const [index] = (await redisCli(pair.master.port, ['--scan', '--pattern', `${s.prefix}~user:*`])).split('\n')
      assert.ok(index)
      await redisCli(pair.master.port, ['HSET', `${s.prefix}hash`, 'f', 'v'])
      await redisCli(pair.master.port, ['ZADD', index, String(Date.now() + 600_000), 'hash'])
      assert.equal(await s.destroySessionsOf('bea'), 2)
      assert.deepEqual(reasons, ['wrong-type'])
      assert.equal(await redisCli(pair.master.port, ['TYPE', `${s.prefix}hash`]), 'hash')
    })

    it('writes: true covers the compare-and-set path too (a session read, changed and saved)', async () => {
      const s = store({ durability: { replicas: 1, timeout: 5000, writes: true } })
      await s.set('h', sessionWith({ n: 1 }))
      const read = (await s.get('h')) as unknown as { n: number }
      read.n = 2
      await s.set('h', read as never)
      assert.equal(((await s.get('h')) as unknown as { n: number }).n, 2)
      const fast = await warmed(impatient(s, { writes: true }))
      pair.stall()
      try {
        read.n = 3
        await assert.rejects(fast.set('h', read as never), notDurable)
      } finally {
        await pair.resume()
      }
    })

    it('destroySessionsOf waits for the replica, and fails on a stalled one', async () => {
      const s = store({ userOf: (session) => (session as { user?: string }).user })
      await Promise.all(['u1', 'u2', 'u3'].map((sid) => s.set(sid, sessionWith({ user: 'ann' }))))
      assert.equal(await s.destroySessionsOf('ann', { except: 'u3' }), 2)
      assert.equal(await onReplica(`${s.prefix}u1`), '0')
      assert.equal(await onReplica(`${s.prefix}u3`), '1')
      const fast = await warmed(impatient(s, { userOf: (session) => (session as { user?: string }).user }))
      pair.stall()
      try {
        await assert.rejects(fast.destroySessionsOf('ann'), notDurable)
      } finally {
        await pair.resume()
      }
    })

    it('a WAIT sent again on a new connection (the first one killed while it waited) confirms nothing, though it answers 1', async () => {
      const s = store({ durability: { replicas: 1, timeout: 3000 } })
      await s.set('w', sessionWith({ n: 1 }))
      pair.stall()
      try {
        const destroyed = s.destroy('w').then(() => 'resolved', (error: unknown) => (notDurable(error) ? 'not durable' : 'other'))
        const id = await pollUntil('the store\'s WAIT to be blocked', async () => {
          const line = (await redisCli(pair.master.port, ['CLIENT', 'LIST'])).split('\n').find((l) => / cmd=wait\b/.test(l))
          return line && /^id=(\d+)/.exec(line)?.[1]
        })
        await redisCli(pair.master.port, ['CLIENT', 'KILL', 'ID', id])
        // The replica catches up at once: a WAIT that ioredis sends again on its new connection (which
        // wrote nothing) then answers 1, though it vouches for no write of this store's.
        pair.replica.process.kill('SIGCONT')
        assert.equal(await destroyed, 'not durable')
      } finally {
        await pair.resume()
      }
    })

    it("the user's client keeps answering while a WAIT is pending on the store's connection", async (t) => {
      const s = store({ durability: { replicas: 1, timeout: 1500 } })
      await s.set('f', sessionWith({ n: 1 }))
      const other = store({ durability: undefined })
      await other.set('g', sessionWith({ n: 1 }))
      pair.stall()
      try {
        let settled = false
        const destroyed = s.destroy('f').then(
          () => 'resolved',
          (error: unknown) => (notDurable(error) ? 'not durable' : 'other'),
        ).finally(() => (settled = true))
        let answered = 0
        for (let i = 0; i < 100_000 && !settled; i++) {
          assert.ok(await other.get('g'))
          answered++
        }
        assert.equal(await destroyed, 'not durable')
        t.diagnostic(`the shared client answered ${answered} reads during the 1.5 s WAIT`)
        assert.ok(answered >= 20, `the shared client answered ${answered} reads during the WAIT`)
      } finally {
        await pair.resume()
      }
    })
  })
}
