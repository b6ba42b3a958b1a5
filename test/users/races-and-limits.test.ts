/** The race rules of destroySessionsOf, absoluteTimeout, and an index that stays bounded by its live sessions. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { SessionData } from 'express-session'
import type { SealErrorInfo } from '../../src/index.js'
import { useRedis } from '../support/redis.js'
import { StoreTracker, sessionWith, uniquePrefix, waitFor } from '../support/sessions.js'

const redis = useRedis()
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())
const userOf = (s: SessionData) => (s as unknown as { user?: { id: string } }).user?.id
const as = (id: string, maxAgeMs = 3_600_000) => sessionWith({ user: { id } }, maxAgeMs)

async function make(extra: Record<string, unknown> = {}) {
  await redis.started()
  const prefix = uniquePrefix('race')
  const failures: SealErrorInfo[] = []
  const store = stores.create({ url: redis.url, prefix, userOf, onSealError: (i) => failures.push(i), ...extra })
  return { store, prefix, failures }
}

describe('races', () => {
  test('destroyGuard: a slower request saving a session ended by destroySessionsOf does not bring it back', async () => {
    const { store } = await make({ destroyGuard: 30 })
    await store.set('slow', as('u'))
    const held = (await store.get('slow')) as SessionData
    assert.equal(await store.destroySessionsOf('u'), 1)
    await store.set('slow', held)
    await store.touch('slow', held)
    assert.equal(await store.get('slow'), null)
    assert.deepEqual(await store.sessionsOf('u'), [])
  })

  for (const concurrency of ['overwrite', 'merge'] as const) test(`destroyGuard (${concurrency}): a save or touch refused by the tombstone is not written, and the index does not list it`, async () => {
    const { store, prefix } = await make({ destroyGuard: 30, concurrency })
    await store.set('slow', as('u'))
    await store.set('kept', as('u'))
    const held = (await store.get('slow')) as SessionData
    await store.destroy('slow')
    const [index] = (await redis.raw.keys()).filter((k) => k.startsWith(`${prefix}~user:`))
    assert.ok(index)
    const listed = async () => ((await redis.raw.call('ZRANGE', index, '0', '-1')) as string[]).sort()
    assert.deepEqual(await listed(), ['kept', 'slow'], 'destroy alone leaves the entry (sessionsOf cleans it)')
    await store.set('slow', held)
    assert.deepEqual(await listed(), ['kept'], 'the refused save took back the entry it wrote')
    await store.touch('slow', held)
    assert.deepEqual(await listed(), ['kept'], 'so did a refused touch')
    assert.equal(await store.get('slow'), null)
    await redis.raw.call('DEL', `${prefix}slow`)
    await store.set('slow', held)
    if (concurrency === 'overwrite') {
      assert.ok(await store.get('slow'), 'once the tombstone is gone the save lands')
      assert.deepEqual(await listed(), ['kept', 'slow'])
    } else {
      assert.equal(await store.get('slow'), null, 'a session read before its end stays ended, tombstone or not')
      assert.deepEqual(await listed(), ['kept'])
    }
  })

  test('by default a slower save of a session ended by destroySessionsOf writes nothing, and it is not listed again', async () => {
    const { store } = await make()
    await store.set('slow', as('u'))
    const held = (await store.get('slow')) as SessionData
    assert.equal(await store.destroySessionsOf('u'), 1)
    await store.set('slow', held)
    assert.equal(await store.get('slow'), null)
    assert.deepEqual(await store.sessionsOf('u'), [])
    assert.equal(store.stats().droppedWrites, 1)
  })

  test("with 'overwrite' and no destroyGuard a slower save revives the session, and it is listed again (never alive and unlisted)", async () => {
    const { store } = await make({ concurrency: 'overwrite' })
    await store.set('slow', as('u'))
    const held = (await store.get('slow')) as SessionData
    assert.equal(await store.destroySessionsOf('u'), 1)
    await store.set('slow', held)
    assert.ok(await store.get('slow'))
    assert.deepEqual(((await store.sessionsOf('u')) ?? []).map((s) => s.id), ['slow'])
  })

  for (const destroyGuard of [undefined, 30]) {
    test(`sessions written while destroySessionsOf runs are ended or listed afterwards (destroyGuard ${destroyGuard ?? 'off'})`, async () => {
      const { store } = await make(destroyGuard === undefined ? {} : { destroyGuard })
      for (let i = 0; i < 100; i++) await store.set(`old${i}`, as('v'))
      const writes: Promise<unknown>[] = []
      let ended = false
      const ending = store.destroySessionsOf('v').finally(() => (ended = true))
      // Writes spread over the loop turns the end takes, and a few after it, so some land on each side.
      let after = 0
      for (let i = 0; i < 100 && after < 5; i++) {
        writes.push(store.set(`new${i}`, as('v')), store.set(`old${i}`, as('v')))
        if (ended) after++
        await new Promise((resolve) => setImmediate(resolve))
      }
      await Promise.all([ending, ...writes])
      const listed = new Set(((await store.sessionsOf('v')) ?? []).map((s) => s.id))
      let alive = 0
      for (let i = 0; i < 100; i++) {
        for (const sid of [`new${i}`, `old${i}`]) {
          if (await store.get(sid)) {
            alive++
            assert.ok(listed.has(sid), `${sid} is alive and listed`)
          }
        }
      }
      assert.ok(alive > 0, 'some writes landed after the end (the test exercised the race)')
    })
  }
})

describe('absoluteTimeout', () => {
  test('a re-save keeps the sealed creation time and renews only the seal time (format v2)', async () => {
    const { store } = await make()
    await store.set('probe', as('p'))
    const first = (await store.sessionsOf('p'))?.[0]
    assert.ok(first, 'listed after the first write')
    await waitFor(() => Date.now() > (first.sealedAt ?? 0) + 5, 'the clock to move')
    await store.set('probe', (await store.get('probe')) ?? as('p'))
    const second = (await store.sessionsOf('p'))?.[0]
    assert.equal(second?.createdAt, first.createdAt)
    assert.ok((second?.sealedAt ?? 0) > (first.sealedAt ?? 0), 'the seal time moved on')
  })

  test('a session kept busy by touches every 200 ms stops opening at the absolute limit (reason "absolute")', async () => {
    const { store, failures } = await make({ absoluteTimeout: 2 })
    const started = Date.now()
    await store.set('busy', as('w'))
    let ended = 0
    while (Date.now() - started < 6000) {
      const got = await store.get('busy')
      if (!got) {
        ended = Date.now() - started
        break
      }
      await store.touch('busy', got)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.ok(ended >= 2000 && ended < 4000, `ended after ${ended} ms`)
    assert.equal(failures.at(-1)?.reason, 'absolute')
    assert.deepEqual(await store.sessionsOf('w'), [], 'sessionsOf leaves it out too')
  })

  test('a session kept busy by re-saves stops opening at the absolute limit (the sealed creation time of format v2)', async () => {
    const { store, failures } = await make({ absoluteTimeout: 2 })
    const started = Date.now()
    await store.set('busy', as('w'))
    let ended = 0
    for (let n = 0; Date.now() - started < 6000; n++) {
      const got = (await store.get('busy')) as (SessionData & { n?: number }) | null
      if (got === null) {
        ended = Date.now() - started
        break
      }
      got.n = n
      await store.set('busy', got)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.ok(ended >= 2000 && ended < 4000, `ended after ${ended} ms`)
    assert.equal(failures.at(-1)?.reason, 'absolute')
  })

  test('absoluteTimeout must be a positive integer', async () => {
    await assert.rejects(async () => make({ absoluteTimeout: 0 }), (e: Error) => e instanceof TypeError && /absoluteTimeout/.test(e.message))
    await assert.rejects(async () => make({ userOf: 'user.id' }), (e: Error) => e instanceof TypeError && /userOf/.test(e.message))
  })
})

describe('bounded index', () => {
  test('100,000 sessions of one user that expire leave an index bounded by the live ones', async () => {
    const { store, prefix } = await make({ ttl: () => 1, timeout: 60_000 })
    const N = 100_000
    const BATCH = 500
    for (let i = 0; i < N; i += BATCH) {
      await Promise.all(Array.from({ length: BATCH }, (_, j) => store.set(`x${i + j}`, as('many'))))
    }
    const [key] = (await redis.raw.keys()).filter((k) => k.startsWith(`${prefix}~user:`))
    assert.ok(key)
    assert.ok(Number(await redis.raw.call('ZCARD', key)) > 0)
    const { store: longer } = await make({ prefix })
    await waitFor(async () => (await redis.raw.call('DBSIZE')) !== null && (await redis.raw.exists(`${prefix}x${N - 1}`)) === false, 'the sessions to expire', 20_000)
    await waitFor(
      async () => {
        await longer.set('live', as('many'))
        return Number(await redis.raw.call('ZCARD', key)) === 1
      },
      'a write to trim the index to its one live session',
      10_000,
    )
    assert.deepEqual(((await longer.sessionsOf('many')) ?? []).map((s) => s.id), ['live'])
    assert.ok(Number(await redis.raw.call('PTTL', key)) > 3_000_000, 'the index lives as long as its longest entry')
  })
})
