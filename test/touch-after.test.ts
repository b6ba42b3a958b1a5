/** `touchAfter`: touches within the window send nothing to Redis, counted by Redis itself (INFO commandstats). */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { TouchCache } from '../src/touch-cache.js'
import { useClient, useRedis } from './support/redis.js'
import { sessionWith, StoreTracker, uniquePrefix, waitFor } from './support/sessions.js'

const redis = useRedis()
const client = useClient(redis)
const stores = new StoreTracker()
after(() => stores.closeAll())

/** How many times Redis has run `command` since start (INFO commandstats). */
async function calls(command: string): Promise<number> {
  const info = String(await redis.raw.call('INFO', 'commandstats'))
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)
  return match ? Number(match[1]) : 0
}

async function counting<T>(command: string, work: () => Promise<T>): Promise<number> {
  const before = await calls(command)
  await work()
  // INFO itself is not an EXPIRE, so the difference is the store's alone.
  return (await calls(command)) - before
}

function fresh(touchAfter: number | undefined) {
  const prefix = uniquePrefix('touch')
  const store = stores.create({ client: client.client, prefix, ...(touchAfter === undefined ? {} : { touchAfter }) })
  return { store, key: (sid: string) => `${prefix}${sid}` }
}

describe('touchAfter', () => {
  it('off by default: every touch is an EXPIRE', async () => {
    const { store } = fresh(undefined)
    const session = sessionWith({ n: 1 })
    await store.set('a', session)
    assert.equal(await counting('expire', async () => {
      for (let i = 0; i < 5; i++) await store.touch('a', session)
    }), 5)
  })

  it('within the window after a set, touches send nothing; the session stays readable', async () => {
    const { store, key } = fresh(60)
    const session = sessionWith({ n: 1 })
    await store.set('a', session)
    assert.equal(await counting('expire', async () => {
      for (let i = 0; i < 5; i++) await store.touch('a', sessionWith({ n: 1 }))
    }), 0)
    assert.deepEqual((await store.get('a'))?.cookie !== undefined, true)
    assert.ok((await redis.raw.ttl(key('a'))) > 3500)
  })

  it('a touch of a session this store has not written is sent once, then skipped', async () => {
    const writer = fresh(undefined)
    await writer.store.set('b', sessionWith())
    // Same prefix as the writer: a second store (another process) reading the same session.
    const reader = stores.create({ client: client.client, prefix: writer.key(''), touchAfter: 60 })
    assert.equal(await counting('expire', async () => {
      for (let i = 0; i < 4; i++) await reader.touch('b', sessionWith())
    }), 1)
  })

  it('a touch that would shorten the expiry (a shorter cookie) is always sent', async () => {
    const { store, key } = fresh(60)
    await store.set('c', sessionWith({}, 3_600_000))
    assert.equal(await counting('expire', () => store.touch('c', sessionWith({}, 600_000))), 1)
    const ttl = await redis.raw.ttl(key('c'))
    assert.ok(ttl <= 600 && ttl > 590, `TTL ${ttl} follows the shorter cookie`)
  })

  it('a touch that would shorten the expiry by less than touchAfter is sent too', async () => {
    const { store, key } = fresh(60)
    await store.set('s', sessionWith({}, 3_600_000))
    assert.equal(await counting('expire', () => store.touch('s', sessionWith({}, 3_570_000))), 1)
    const ttl = await redis.raw.ttl(key('s'))
    assert.ok(ttl <= 3570 && ttl > 3560, `TTL ${ttl} follows the cookie 30 s shorter`)
  })

  it('destroy forgets the session: a touch after it is sent (and does not revive it)', async () => {
    const { store, key } = fresh(60)
    const session = sessionWith()
    await store.set('d', session)
    await store.destroy('d')
    assert.equal(await counting('expire', () => store.touch('d', session)), 1)
    assert.equal(await redis.raw.exists(key('d')), false)
  })

  it('a touch that destroyGuard refused is not remembered: once the tombstone is gone, the next touch is sent', async () => {
    const prefix = uniquePrefix('touch-guard')
    const store = stores.create({ client: client.client, prefix, touchAfter: 60, destroyGuard: 1 })
    const session = sessionWith({}, 3_600_000)
    await store.set('g', session)
    await store.destroy('g')
    await store.touch('g', session)
    await waitFor(async () => !(await redis.raw.exists(`${prefix}g`)), 'the tombstone to expire')
    // Another process writes the id anew, with a short cookie; this store's next touch must reach Redis.
    await stores.create({ client: client.client, prefix }).set('g', sessionWith({}, 60_000))
    await store.touch('g', session)
    const ttl = await redis.raw.ttl(`${prefix}g`)
    assert.ok(ttl > 3500, `TTL ${ttl}: the touch was sent`)
  })

  it('a set with a TTL of zero or less deletes and forgets; a later touch is sent', async () => {
    const { store, key } = fresh(60)
    await store.set('e', sessionWith())
    await store.set('e', sessionWith({}, -1000))
    assert.equal(await redis.raw.exists(key('e')), false)
    assert.equal(await counting('expire', () => store.touch('e', sessionWith())), 1)
  })

  it('touchAfter: 0 is off, and a bad value is a TypeError naming the option', async () => {
    const { store } = fresh(0)
    await store.set('f', sessionWith())
    assert.equal(await counting('expire', () => store.touch('f', sessionWith())), 1)
    for (const touchAfter of [-1, 1.5, '60']) {
      assert.throws(() => stores.create({ client: client.client, touchAfter: touchAfter as number }), (e: Error) => e instanceof TypeError && e.message.includes('touchAfter'))
    }
  })
})

describe('TouchCache', () => {
  it('skips only inside the window and only when the expiry would not move earlier', () => {
    const cache = new TouchCache(60)
    cache.record('k', 3600, 1_000_000)
    assert.equal(cache.canSkip('k', 3600, 1_000_000 + 59_999), true)
    assert.equal(cache.canSkip('k', 3600, 1_000_000 + 60_000), false, 'the window is over')
    assert.equal(cache.canSkip('k', 3500, 1_000_000 + 1000), false, 'the expiry would move 99 s earlier')
    // Earlier by less than touchAfter is still earlier: a skip would leave Redis's expiry after the cookie's.
    assert.equal(cache.canSkip('k', 3570, 1_000_000), false, 'the expiry would move 30 s earlier')
    assert.equal(cache.canSkip('k', 3599, 1_000_000 + 999), false, 'the expiry would move 1 ms earlier')
    assert.equal(cache.canSkip('k', 3599, 1_000_000 + 1000), true, 'the same expiry')
    assert.equal(cache.canSkip('other', 3600, 1_000_000), false)
    cache.forget('k')
    assert.equal(cache.canSkip('k', 3600, 1_000_001), false)
  })

  it('holds at most its capacity, forgetting the least recently recorded', () => {
    const cache = new TouchCache(60, 3)
    for (const key of ['a', 'b', 'c']) cache.record(key, 100, 0)
    cache.record('a', 100, 1)
    cache.record('d', 100, 2)
    assert.equal(cache.size, 3)
    assert.equal(cache.canSkip('b', 100, 3), false, 'b was the oldest')
    assert.equal(cache.canSkip('a', 100, 3), true)
    assert.equal(cache.canSkip('d', 100, 3), true)
  })
})
