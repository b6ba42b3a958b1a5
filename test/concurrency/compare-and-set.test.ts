/**
 * `concurrency: 'merge'` at the store's level: a session read from a record is written only over
 * that record, merged onto a newer one, and never written over a session that ended; the base
 * follows repeated saves; and `'overwrite'` keeps connect-redis's last-write-wins.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import type { SessionData } from 'express-session'
import { SealedError, type RedisStoreOptions } from '../../src/index.js'
import { useClient, useRedis } from '../support/redis.js'
import { sessionWith, StoreTracker, uniquePrefix } from '../support/sessions.js'

const redis = useRedis()
const client = useClient(redis)
const stores = new StoreTracker()
after(() => stores.closeAll())

type Data = SessionData & Record<string, unknown>

/** Two stores (two app processes, as far as Redis can tell) on one prefix. */
function pair(extra: Partial<RedisStoreOptions> = {}) {
  const prefix = uniquePrefix('cas')
  const options = { client: client.client, prefix, ...extra }
  return { a: stores.create(options), b: stores.create(options), prefix }
}

const read = async (store: ReturnType<typeof pair>['a'], sid: string) => (await store.get(sid)) as Data

describe('compare-and-set with a three-way merge', () => {
  it('two requests that read the same record and change different keys both keep their change', async () => {
    const { a, b } = pair()
    await a.set('s', sessionWith({ basket: ['apple'], n: 1 }))
    const one = await read(a, 's')
    const two = await read(b, 's')
    one.basket = [...(one.basket as string[]), 'pear']
    one.left = true
    ;(two.basket as string[]).push('plum')
    two.right = true
    delete two.n
    await a.set('s', one)
    await b.set('s', two)
    const now = await read(a, 's')
    assert.deepEqual({ basket: now.basket, left: now.left, right: now.right, n: now.n }, { basket: ['apple', 'pear', 'plum'], left: true, right: true, n: undefined })
    assert.deepEqual(pick(b.stats()), { conflicts: 1, merges: 1, mergeConflicts: 0, droppedWrites: 0 })
    assert.deepEqual(pick(a.stats()), { conflicts: 0, merges: 0, mergeConflicts: 0, droppedWrites: 0 })
  })

  it('both changing one key: the later write wins there, and the conflict is counted', async () => {
    const { a, b } = pair()
    await a.set('s', sessionWith({ theme: 'light', other: 1 }))
    const [one, two] = [await read(a, 's'), await read(b, 's')]
    one.theme = 'dark'
    one.other = 2
    two.theme = 'blue'
    await a.set('s', one)
    await b.set('s', two)
    const now = await read(a, 's')
    assert.deepEqual([now.theme, now.other], ['blue', 2])
    assert.equal(b.stats().mergeConflicts, 1)
  })

  it('this request\'s cookie wins whole', async () => {
    const { a, b } = pair()
    await a.set('s', sessionWith({}))
    const [one, two] = [await read(a, 's'), await read(b, 's')]
    one.cookie.path = '/one'
    two.cookie.httpOnly = false
    await a.set('s', one)
    await b.set('s', two)
    const now = await read(a, 's')
    assert.deepEqual([now.cookie.path, now.cookie.httpOnly], ['/', false], 'the other request\'s cookie change is not merged in')
  })

  it('a session destroyed (or expired) after it was read is not written back, and the drop is counted', async () => {
    const { a, b, prefix } = pair()
    await a.set('s', sessionWith({ user: 'alice' }))
    const slow = await read(a, 's')
    await b.destroy('s')
    slow.basket = ['late']
    await a.set('s', slow)
    assert.equal(await redis.raw.getBuffer(`${prefix}s`), null)
    assert.deepEqual(pick(a.stats()), { conflicts: 0, merges: 0, mergeConflicts: 0, droppedWrites: 1 }, 'found gone by the write itself, with no read after it')
    await a.set('s', slow)
    assert.equal(await redis.raw.getBuffer(`${prefix}s`), null, 'a second save of the same object stays dropped')
  })

  it('with destroyGuard, the tombstone also ends a session read before the destroy', async () => {
    const { a, b, prefix } = pair({ destroyGuard: 60 })
    await a.set('s', sessionWith({ user: 'alice' }))
    const slow = await read(a, 's')
    await b.destroy('s')
    await a.set('s', slow)
    assert.equal(await a.get('s'), null)
    assert.equal(a.stats().droppedWrites, 1)
    assert.ok((await redis.raw.getBuffer(`${prefix}s`))?.toString().includes('destroyed'))
  })

  it('a record that does not open is no base for a merge: reported, nothing merged, nothing written over it', async () => {
    const reasons: string[] = []
    const { a, prefix } = pair({ onSealError: (info) => reasons.push(info.reason) })
    await a.set('s', sessionWith({ v: 1 }))
    const session = await read(a, 's')
    await redis.raw.set(`${prefix}s`, Buffer.from('\x02garbage-that-is-no-record-at-all-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'latin1'))
    session.v = 2
    await a.set('s', session)
    assert.equal((await redis.raw.getBuffer(`${prefix}s`))?.subarray(1, 8).toString(), 'garbage')
    assert.equal(reasons.length, 1)
    assert.equal(a.stats().droppedWrites, 1)
  })

  it('a key that now holds another type is no session: reported as wrong-type, left as it is, the write dropped', async () => {
    const reasons: string[] = []
    const { a, prefix } = pair({ onSealError: (info) => reasons.push(info.reason) })
    await a.set('s', sessionWith({ v: 1 }))
    const session = await read(a, 's')
    await redis.raw.call('DEL', `${prefix}s`)
    await redis.raw.call('HSET', `${prefix}s`, 'planted', '1')
    session.v = 2
    await a.set('s', session)
    assert.equal(await redis.raw.call('TYPE', `${prefix}s`), 'hash')
    assert.deepEqual(reasons, ['wrong-type'])
    assert.equal(a.stats().droppedWrites, 1)
  })

  it('the base follows the request: a second save after a merge keeps the other request\'s change', async () => {
    const { a, b } = pair()
    await a.set('s', sessionWith({ items: [] }))
    const [one, two] = [await read(a, 's'), await read(b, 's')]
    ;(two.items as string[]).push('theirs')
    await b.set('s', two)
    ;(one.items as string[]).push('mine-1')
    await a.set('s', one)
    ;(one.items as string[]).push('mine-2')
    await a.set('s', one)
    assert.deepEqual((await read(b, 's')).items, ['theirs', 'mine-1', 'mine-2'])
    const counts = pick(a.stats())
    assert.equal(counts.merges, 2, 'the second save merged onto the record the first one wrote')
    assert.equal(counts.conflicts, 1, 'without another round trip to Redis')
  })

  it('a new session, a direct set and a session written under another id are written as given', async () => {
    const { a, b } = pair()
    await a.set('s', sessionWith({ v: 1 }))
    const copy = await read(a, 's')
    await b.set('s', sessionWith({ v: 2 }))
    await a.set('t', copy)
    assert.equal((await read(b, 't')).v, 1, 'copied to a new id')
    await a.set('s', sessionWith({ v: 3 }))
    assert.equal((await read(b, 's')).v, 3, 'no base: overwrite, as the Store contract says')
  })

  it("'overwrite': the last write wins whole, and a destroyed session comes back", async () => {
    const { a, b } = pair({ concurrency: 'overwrite' })
    await a.set('s', sessionWith({ x: 0 }))
    const [one, two] = [await read(a, 's'), await read(b, 's')]
    one.left = true
    two.right = true
    await a.set('s', one)
    await b.set('s', two)
    const now = await read(a, 's')
    assert.deepEqual([now.left, now.right], [undefined, true])
    await b.destroy('s')
    await a.set('s', one)
    assert.notEqual(await a.get('s'), null)
    assert.deepEqual(pick(b.stats()), { conflicts: 0, merges: 0, mergeConflicts: 0, droppedWrites: 0 })
  })

  it('past the attempt bound, a write that is overtaken every time fails with ERR_SEALED_CONFLICT', async () => {
    const { a, b } = pair()
    await a.set('s', sessionWith({ n: 0 }))
    let n = 0
    const busy = stores.create({
      client: client.client,
      prefix: (a as unknown as { prefix: string }).prefix,
      serializer: {
        parse: JSON.parse,
        stringify: (s: SessionData) => {
          const text = JSON.stringify(s)
          if (n > 0) void b.set('s', sessionWith({ n: ++n }))
          return text
        },
      },
    })
    const session = await read(busy, 's')
    n = 1
    void b.set('s', sessionWith({ n: 1 }))
    session.mine = true
    await assert.rejects(busy.set('s', session), (error: unknown) => error instanceof SealedError && (error as SealedError).code === 'ERR_SEALED_CONFLICT')
  })

  it('rejects an unknown concurrency mode, naming the option', () => {
    assert.throws(() => stores.create({ client: client.client, concurrency: 'lock' as never }), /option "concurrency" must be one of "merge", "overwrite"/)
  })
})

function pick(stats: { conflicts: number; merges: number; mergeConflicts: number; droppedWrites: number }) {
  const { conflicts, merges, mergeConflicts, droppedWrites } = stats
  return { conflicts, merges, mergeConflicts, droppedWrites }
}
