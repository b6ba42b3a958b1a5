/** sessionsOf / destroySessionsOf on one real redis-server, with every client, inline and pooled, callbacks and promises. */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import type { SessionData } from 'express-session'
import { SealedError, type RedisStore } from '../../src/index.js'
import { clientKinds, useRedis } from '../support/redis.js'
import { SECRET_A, SECRET_B, StoreTracker, probe, sessionWith, uniquePrefix } from '../support/sessions.js'

const redis = useRedis()
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())
const userOf = (s: SessionData) => (s as unknown as { user?: { id: string | number } }).user?.id

const as = (id: string | number, extra: Record<string, unknown> = {}, maxAgeMs = 3_600_000) => sessionWith({ user: { id }, ...extra }, maxAgeMs)

for (const kind of clientKinds()) {
  for (const pooled of [false, true]) {
    describe(`${kind.name}, ${pooled ? 'pooled' : 'inline'}`, () => {
      let client: object
      const make = async (extra: Record<string, unknown> = {}): Promise<{ store: RedisStore; prefix: string }> => {
        await redis.started()
        client ??= await kind.create(redis.url)
        const prefix = uniquePrefix(kind.name)
        const pool = pooled ? { pool: { maxThreads: 1 }, offloadThreshold: 0 } : { pool: false }
        return { store: stores.create({ client, prefix, userOf, ...pool, ...extra }), prefix }
      }
      after(async () => {
        if (client) await kind.close(client)
      })

      test('lists a user\'s sessions newest first, opened, with their times; others\' sessions stay out', async () => {
        const { store, prefix } = await make()
        const before = Date.now()
        await store.set('a1', as('alice', { n: 1 }))
        await store.set('b1', as('bob'))
        await store.set('a2', as('alice', { n: 2 }))
        await store.set('anon', sessionWith({ cart: [] }))
        const list = (await store.sessionsOf('alice')) ?? []
        assert.deepEqual(list.map((s) => s.id).sort(), ['a1', 'a2'])
        for (const s of list) {
          assert.equal((s.session as unknown as { user: { id: string } }).user.id, 'alice')
          assert.ok(typeof s.sealedAt === 'number' && s.sealedAt >= before - 1000, `sealedAt ${s.sealedAt}`)
          assert.ok(typeof s.createdAt === 'number' && s.createdAt <= (s.sealedAt ?? 0))
          assert.ok(s.expiresAt !== null && Math.abs(s.expiresAt - (Date.now() + 3_600_000)) < 5000, `expiresAt ${s.expiresAt}`)
        }
        assert.ok((list[0]?.createdAt ?? 0) >= (list[1]?.createdAt ?? 0), 'newest first')
        assert.deepEqual(((await store.sessionsOf('bob')) ?? []).map((s) => s.id), ['b1'])
        assert.deepEqual(await store.sessionsOf('nobody'), [])
        const ids = ((await store.ids()) ?? []).sort()
        assert.deepEqual(ids, ['a1', 'a2', 'anon', 'b1'], 'index keys are not sessions')
        assert.equal(await store.length(), 4)
        assert.equal((await store.all())?.length, 4)
        const keys = (await redis.raw.keys()).filter((k) => k.startsWith(prefix) && k.includes('~user:'))
        assert.equal(keys.length, 2, 'one index per user')
        assert.ok(keys.every((k) => !k.includes('alice') && !k.includes('bob')), 'the index key does not name the user')
      })

      test('all() over a SCAN batch that holds only index keys sends no empty MGET', async () => {
        const { store, prefix } = await make()
        await store.set('only', as('olga'))
        await redis.raw.call('DEL', `${prefix}only`)
        assert.equal((await redis.raw.keys()).filter((k) => k.startsWith(prefix)).length, 1, 'only the index key is left')
        assert.deepEqual(await store.all(), [])
        assert.equal(await store.length(), 0)
      })

      test('destroySessionsOf ends all but `except`, returns the count, and the ended ones no longer open (callbacks too)', async () => {
        const { store } = await make()
        for (const sid of ['d1', 'd2', 'd3']) await store.set(sid, as(7))
        await store.set('other', as(8))
        const cb = probe<number>()
        void store.destroySessionsOf(7, { except: 'd2' }, cb.callback)
        const { err, value } = await cb.first
        assert.equal(err, null)
        assert.equal(value, 2)
        assert.equal(await store.get('d1'), null)
        assert.equal(await store.get('d3'), null)
        assert.ok(await store.get('d2'))
        assert.ok(await store.get('other'))
        const listed = probe<unknown[]>()
        void store.sessionsOf('7', listed.callback)
        assert.deepEqual(((await listed.first).value as { id: string }[]).map((s) => s.id), ['d2'], 'a number and its string are one user')
        assert.equal(await store.destroySessionsOf(7, { except: ['d2'] }), 0)
        assert.equal(await store.destroySessionsOf(7), 1)
        assert.deepEqual(await store.sessionsOf(7), [])
      })
    })
  }
}

describe('rules', () => {
  const make = async (extra: Record<string, unknown> = {}) => {
    await redis.started()
    const prefix = uniquePrefix('rules')
    return { store: stores.create({ url: redis.url, prefix, userOf, ...extra }), prefix }
  }
  const indexKeys = async (prefix: string) => (await redis.raw.keys()).filter((k) => k.startsWith(`${prefix}~user:`))

  test('an owner change lists the session under the new owner and unlists it from the old one; logout unlists it', async () => {
    const { store, prefix } = await make()
    await store.set('s', as('carol'))
    const read = (await store.get('s')) as unknown as { user: { id: string } }
    read.user = { id: 'dave' }
    await store.set('s', read as unknown as SessionData)
    assert.deepEqual(await store.sessionsOf('carol'), [])
    assert.deepEqual(((await store.sessionsOf('dave')) ?? []).map((s) => s.id), ['s'])
    const [carolKey] = await indexKeys(prefix)
    assert.ok(carolKey)
    const again = (await store.get('s')) as unknown as { user?: unknown }
    delete again.user
    await store.set('s', again as unknown as SessionData)
    assert.deepEqual(await store.sessionsOf('dave'), [])
    assert.deepEqual(await indexKeys(prefix), [], 'the emptied indexes are gone')
  })

  test("an owner change is also seen through express-session's copy of the session (createSession)", async () => {
    const { store, prefix } = await make()
    await store.set('s', as('carol'))
    const read = (await store.get('s')) as SessionData
    const copy = store.createSession({ sessionID: 's' } as never, read) as unknown as { user: { id: string } }
    copy.user = { id: 'dave' }
    await store.set('s', copy as unknown as SessionData)
    assert.equal((await indexKeys(prefix)).length, 1, "carol's index was emptied and removed")
    assert.deepEqual(((await store.sessionsOf('dave')) ?? []).map((s) => s.id), ['s'])
  })

  test('an entry whose record is gone, does not open, or belongs to someone else is left out and removed', async () => {
    const { store, prefix } = await make()
    await store.set('gone', as('erin'))
    await store.set('bad', as('erin'))
    await store.set('moved', as('erin'))
    await store.set('kept', as('erin'))
    await redis.raw.call('DEL', `${prefix}gone`)
    await redis.raw.set(`${prefix}bad`, Buffer.from([1, 2, 3]))
    // A record copied from another user's session under this id does not open (it is bound to its key);
    // one rewritten by a store whose userOf now says someone else is foreign.
    const other = stores.create({ url: redis.url, prefix })
    await other.set('moved', as('frank'))
    assert.deepEqual(((await store.sessionsOf('erin')) ?? []).map((s) => s.id), ['kept'])
    const [key] = await indexKeys(prefix)
    assert.deepEqual(await redis.raw.call('ZRANGE', key as string, '0', '-1'), ['kept'])
  })

  test('ttl: no expiry is listed with expiresAt null; an expired write (ttl <= 0) unlists', async () => {
    const { store } = await make({ disableTTL: true })
    await store.set('forever', as('gina'))
    assert.equal((await store.sessionsOf('gina'))?.[0]?.expiresAt, null)
    const { store: timed } = await make()
    await timed.set('t', as('hal'))
    await timed.set('t', as('hal', {}, -1000))
    assert.deepEqual(await timed.sessionsOf('hal'), [])
  })

  test('touch moves the entry\'s expiry with the key\'s', async () => {
    const { store } = await make()
    await store.set('t', as('ivy', {}, 60_000))
    await store.touch('t', as('ivy', {}, 7_200_000))
    const [entry] = (await store.sessionsOf('ivy')) ?? []
    assert.ok(entry?.expiresAt && entry.expiresAt > Date.now() + 3_600_000, `expiresAt ${entry?.expiresAt}`)
  })

  test('key rotation: entries written under the old secret are found with the new ring and moved to the new index', async () => {
    const prefix = uniquePrefix('rotate')
    await redis.started()
    const old = stores.create({ url: redis.url, prefix, userOf, secret: SECRET_B })
    await old.set('r1', as('jo'))
    const rotated = stores.create({ url: redis.url, prefix, userOf, secret: [SECRET_A, SECRET_B] })
    await rotated.set('r2', as('jo'))
    assert.equal((await indexKeys(prefix)).length, 2, 'one index per key before the read')
    assert.deepEqual(((await rotated.sessionsOf('jo')) ?? []).map((s) => s.id).sort(), ['r1', 'r2'])
    assert.equal((await indexKeys(prefix)).length, 1, 'the old index was moved into the new one')
    assert.deepEqual(((await rotated.sessionsOf('jo')) ?? []).map((s) => s.id).sort(), ['r1', 'r2'])
    assert.equal(await rotated.destroySessionsOf('jo'), 2)
  })

  test('without userOf, sessionsOf and destroySessionsOf reject with a TypeError naming userOf, and no index is written', async () => {
    await redis.started()
    const prefix = uniquePrefix('none')
    const store = stores.create({ url: redis.url, prefix })
    await store.set('x', as('kim'))
    await assert.rejects(store.sessionsOf('kim'), (e: Error) => e instanceof TypeError && /userOf/.test(e.message))
    await assert.rejects(store.destroySessionsOf('kim'), TypeError)
    assert.deepEqual(await indexKeys(prefix), [])
  })

  test('a userOf returning something other than a string, number or nothing fails the write with a TypeError', async () => {
    const { store } = await make({ userOf: () => ({ id: 1 }) })
    await assert.rejects(store.set('x', as(1)), (e: Error) => e instanceof TypeError && /"userOf"/.test(e.message) && e instanceof SealedError && (e as SealedError).code === 'ERR_SEALED_OPTIONS')
  })
})
