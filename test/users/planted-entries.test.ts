/**
 * Entries planted into a user's index by anyone who can write to Redis: another user's session,
 * a session that changed hands, a hash, another user's index key. destroySessionsOf ends only the
 * user's own sessions, and a planted entry never stops it from ending them.
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import type { SessionData } from 'express-session'
import type { RedisStore, SealErrorInfo } from '../../src/index.js'
import { clientKinds, glideKind, useRedis } from '../support/redis.js'
import { StoreTracker, sessionWith, uniquePrefix } from '../support/sessions.js'

const redis = useRedis()
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())
const userOf = (s: SessionData) => (s as unknown as { user?: { id: string } }).user?.id
const as = (id: string) => sessionWith({ user: { id } })

interface Setup {
  store: RedisStore
  prefix: string
  failures: SealErrorInfo[]
  aliceIndex: string
  bobIndex: string
}

async function indexKeys(prefix: string): Promise<string[]> {
  return (await redis.raw.keys()).filter((k) => k.startsWith(`${prefix}~user:`))
}

/** alice owns a1 and a2, bob owns b1 and b2; both index keys are returned. */
async function setup(extra: Record<string, unknown>, client?: object): Promise<Setup> {
  await redis.started()
  const prefix = uniquePrefix('planted')
  const failures: SealErrorInfo[] = []
  const connection = client ? { client } : { url: redis.url }
  const store = stores.create({ ...connection, prefix, userOf, onSealError: (i) => failures.push(i), ...extra })
  await store.set('a1', as('alice'))
  await store.set('a2', as('alice'))
  const [aliceIndex] = await indexKeys(prefix)
  await store.set('b1', as('bob'))
  await store.set('b2', as('bob'))
  const bobIndex = (await indexKeys(prefix)).find((k) => k !== aliceIndex)
  assert.ok(aliceIndex && bobIndex)
  return { store, prefix, failures, aliceIndex, bobIndex }
}

/** Lists `sid` in `index` ahead of every real entry (a lower score that has not expired). */
async function plant(index: string, sid: string): Promise<void> {
  await redis.raw.call('ZADD', index, String(Date.now() + 600_000), sid)
}

for (const destroyGuard of [undefined, 30]) {
  describe(`destroyGuard ${destroyGuard ?? 'off'}`, () => {
    const guard = destroyGuard === undefined ? {} : { destroyGuard }

    test("destroySessionsOf never ends a session whose opened owner is another user, whatever the index lists", async () => {
      const { store, prefix, aliceIndex } = await setup(guard)
      // A session alice had, now rewritten by a store whose userOf says frank (the index is not told).
      await store.set('moved', as('alice'))
      const other = stores.create({ url: redis.url, prefix })
      await other.set('moved', as('frank'))
      for (const sid of ['b1', 'b2']) await plant(aliceIndex, sid)
      assert.equal(await store.destroySessionsOf('alice'), 2)
      assert.equal(await store.get('a1'), null)
      assert.equal(await store.get('a2'), null)
      for (const sid of ['b1', 'b2']) assert.equal(userOf((await store.get(sid)) as SessionData), 'bob', `${sid} is still bob's`)
      assert.equal(userOf((await store.get('moved')) as SessionData), 'frank')
      assert.deepEqual(((await store.sessionsOf('bob')) ?? []).map((s) => s.id).sort(), ['b1', 'b2'])
    })

    test('a planted hash or another user\'s index key is no session: reported as "wrong-type", and the real sessions still end', async () => {
      const { store, prefix, failures, aliceIndex, bobIndex } = await setup(guard)
      await redis.raw.call('HSET', `${prefix}h`, 'f', 'v')
      await plant(aliceIndex, 'h')
      await plant(aliceIndex, bobIndex.slice(prefix.length))
      assert.equal(await store.destroySessionsOf('alice'), 2)
      assert.equal(await store.get('a1'), null)
      assert.equal(await store.get('a2'), null)
      assert.deepEqual(
        failures.map((f) => f.reason),
        ['wrong-type', 'wrong-type'],
      )
      assert.deepEqual(failures.map((f) => f.sid).sort(), ['h', bobIndex.slice(prefix.length)].sort())
      assert.equal(await redis.raw.call('TYPE', bobIndex), 'zset', "bob's index is left alone")
      assert.equal(await redis.raw.call('TYPE', `${prefix}h`), 'hash')
      assert.deepEqual(((await store.sessionsOf('bob')) ?? []).map((s) => s.id).sort(), ['b1', 'b2'])
      assert.equal(store.stats().openFailures, 2)
    })
  })
}

for (const kind of [...clientKinds(), glideKind()]) {
  describe(kind.name, () => {
    let client: object | undefined
    after(async () => {
      if (client) await kind.close(client)
    })

    test('get, all and sessionsOf read a key of the wrong type as no session, reported as "wrong-type"', async () => {
      await redis.started()
      client ??= await kind.create(redis.url)
      const { store, prefix, failures, aliceIndex } = await setup({}, client)
      await redis.raw.call('HSET', `${prefix}h`, 'f', 'v')
      await plant(aliceIndex, 'h')
      assert.equal(await store.get('h'), null)
      assert.deepEqual(failures, [{ reason: 'wrong-type', sid: 'h' }])
      assert.deepEqual(((await store.sessionsOf('alice')) ?? []).map((s) => s.id).sort(), ['a1', 'a2'])
      assert.equal((await store.all())?.length, 4)
      assert.equal(await store.destroySessionsOf('alice'), 2)
    })
  })
}
