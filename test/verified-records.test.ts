/**
 * Reads of records the store itself sealed or verified skip the decryption (stats().recalled),
 * and only for the very same bytes under the very same key: any other byte, another key, a
 * different store, or an age limit since passed behaves exactly as a full open does.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import type { SessionData } from 'express-session'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { rememberCreatedAt } from '../src/session-marks.js'
import { VERIFIED_ENTRY_MAX_BYTES, VERIFIED_RECORD_MAX_BYTES, VERIFIED_RECORDS_BUDGET_BYTES, VerifiedRecords } from '../src/verified-records.js'
import type { SealErrorInfo } from '../src/index.js'
import { useClient, useRedis } from './support/redis.js'
import { sessionWith, StoreTracker, uniquePrefix, waitFor } from './support/sessions.js'

const redis = useRedis()
const client = useClient(redis)
const stores = new StoreTracker()
after(() => stores.closeAll())

function fresh(extra: Record<string, unknown> = {}) {
  const prefix = uniquePrefix('recall')
  const failures: SealErrorInfo['reason'][] = []
  const store = stores.create({ client: client.client, prefix, onSealError: (info: SealErrorInfo) => failures.push(info.reason), ...extra })
  return { store, prefix, failures }
}

const views = (s: SessionData | null | undefined) => (s as { views?: number } | null | undefined)?.views

describe('reading back what this store wrote', () => {
  it('a record just sealed reads back from memory, and so does one just verified', async () => {
    const { store, prefix } = fresh()
    await store.set('a', sessionWith({ views: 1 }))
    assert.equal(views(await store.get('a')), 1)
    assert.equal(store.stats().recalled, 1)
    assert.equal(store.stats().inline, 1, 'only the seal ran')

    const reader = stores.create({ client: client.client, prefix })
    assert.equal(views(await reader.get('a')), 1)
    assert.equal(views(await reader.get('a')), 1)
    assert.deepEqual({ inline: reader.stats().inline, recalled: reader.stats().recalled }, { inline: 1, recalled: 1 }, 'another store: decrypted once, then recalled')
  })

  it('one changed byte anywhere in the record is a full open, and fails', async () => {
    const { store, prefix, failures } = fresh()
    await store.set('t', sessionWith({ views: 2 }))
    const record = (await redis.raw.getBuffer(`${prefix}t`)) as Buffer
    for (const at of [0, 10, 30, record.length - 20, record.length - 1]) {
      const tampered = Buffer.from(record)
      tampered[at] = (tampered[at] as number) ^ 0x01
      await redis.raw.set(`${prefix}t`, tampered)
      assert.equal(await store.get('t'), null, `byte ${at} flipped`)
    }
    await redis.raw.set(`${prefix}t`, Buffer.concat([record, Buffer.from([0])]))
    assert.equal(await store.get('t'), null, 'a byte appended')
    assert.equal(store.stats().recalled, 0)
    assert.equal(failures.length, 6)
    await redis.raw.set(`${prefix}t`, record)
    assert.equal(views(await store.get('t')), 2, 'the untouched bytes still open (from memory)')
    assert.equal(store.stats().recalled, 1)
  })

  it('the same bytes under another key of the same store do not open', async () => {
    const { store, prefix, failures } = fresh()
    await store.set('x', sessionWith({ views: 3 }))
    await redis.raw.set(`${prefix}y`, (await redis.raw.getBuffer(`${prefix}x`)) as Buffer)
    assert.equal(await store.get('y'), null)
    assert.deepEqual(failures, ['tag'])
    assert.equal(store.stats().recalled, 0)
  })

  it('maxSealAge still ends a recalled record', async () => {
    const { store, failures } = fresh({ maxSealAge: 1 })
    await store.set('old', sessionWith({ views: 4 }))
    const sealedAt = Date.now()
    assert.equal(views(await store.get('old')), 4)
    await waitFor(() => Date.now() > sealedAt + 1100, 'the record to pass maxSealAge')
    assert.equal(await store.get('old'), null)
    assert.deepEqual(failures, ['expired'])
    assert.equal(store.stats().recalled, 2, 'both reads were recalled: the age check ran on the second anyway')
  })

  it('a recalled record keeps its sealed creation time, apart from its seal time (absoluteTimeout ends it)', async () => {
    const { store, prefix, failures } = fresh({ absoluteTimeout: 60 })
    const session = sessionWith({ views: 9 })
    rememberCreatedAt(session, Date.now() - 120_000)
    await store.set('aged', session)
    assert.equal(await store.get('aged'), null, 'created two minutes ago: past absoluteTimeout')
    assert.equal(store.stats().recalled, 1, 'read back from memory')
    const reader = stores.create({ client: client.client, prefix, absoluteTimeout: 60 })
    assert.equal(await reader.get('aged'), null, 'a full open agrees')
    assert.deepEqual(failures, ['absolute'])
  })

  it('compressible sessions: what the store remembers stays within its byte budget (heap measured)', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const compress = { compress: { algorithm: 'gzip' as const } }
    const { store, prefix } = fresh(compress)
    const reader = stores.create({ client: client.client, prefix, ...compress })
    const heap = () => {
      gc()
      return process.memoryUsage().heapUsed
    }
    const before = heap()
    const N = 48
    for (let i = 0; i < N; i++) {
      // 512 KiB of text that gzips to a few hundred bytes: small enough a record to remember.
      await store.set(`c${i}`, sessionWith({ blob: String(i).padEnd(512 * 1024, 'x') }))
      assert.ok(((await redis.raw.getBuffer(`${prefix}c${i}`)) as Buffer).length <= VERIFIED_RECORD_MAX_BYTES)
      await reader.get(`c${i}`)
    }
    const grown = heap() - before
    const MiB = 1024 * 1024
    // Unbounded, the two stores kept 2 x 48 x 512 KiB = 48 MiB of text; bounded, at most 2 x 4 MiB.
    assert.ok(grown < 16 * MiB, `the heap grew by ${(grown / MiB).toFixed(1)} MiB`)
  })

  it('destroy, a deleting set and clear forget; larger records are never remembered', async () => {
    const { store, prefix } = fresh()
    await store.set('d', sessionWith({ views: 5 }))
    const record = (await redis.raw.getBuffer(`${prefix}d`)) as Buffer
    await store.destroy('d')
    await redis.raw.set(`${prefix}d`, record)
    assert.equal(views(await store.get('d')), 5, 'a replayed record still opens (a valid record), but by decryption')
    assert.equal(store.stats().recalled, 0)
    await store.set('big', sessionWith({ blob: 'x'.repeat(VERIFIED_RECORD_MAX_BYTES) }))
    await store.get('big')
    await store.get('big')
    assert.equal(store.stats().recalled, 0, 'over 4 KiB: decrypted every time')
  })
})

describe('ending sessions forgets them', () => {
  it("destroySessionsOf drops what the store remembers of each session it ends", async () => {
    const { store, prefix } = fresh({ userOf: (s: { owner?: string }) => s.owner })
    await store.set('u1', sessionWith({ owner: 'ann', views: 6 }))
    const record = (await redis.raw.getBuffer(`${prefix}u1`)) as Buffer
    assert.equal(views(await store.get('u1')), 6)
    assert.equal(store.stats().recalled, 1)
    assert.equal(await store.destroySessionsOf('ann'), 1)
    const recalled = store.stats().recalled
    await redis.raw.set(`${prefix}u1`, record)
    assert.equal(views(await store.get('u1')), 6, 'a replayed record still opens (a valid record), but by decryption')
    assert.equal(store.stats().recalled, recalled)
  })
})

describe('VerifiedRecords', () => {
  const opened = (text: string) => ({ ok: true as const, text, keyId: 1, sealedAt: 1, createdAt: 1, version: 2 as const, plaintextBytes: text.length })

  it('holds at most its capacity, least recently used out first', () => {
    const memory = new VerifiedRecords(3)
    for (const k of ['a', 'b', 'c']) memory.opened(k, Buffer.from(k), opened(k))
    assert.ok(memory.lookup('a', Buffer.from('a')), 'a used: b is now the oldest')
    memory.opened('d', Buffer.from('d'), opened('d'))
    assert.equal(memory.size, 3)
    assert.equal(memory.lookup('b', Buffer.from('b')), undefined)
    assert.ok(memory.lookup('a', Buffer.from('a')))
  })

  it('holds at most its byte budget by its own count, least recently used out first', () => {
    const memory = new VerifiedRecords(1000, 64 * 1024)
    for (let i = 0; i < 100; i++) memory.opened(`k${i}`, Buffer.alloc(1000, i), opened('t'.repeat(2000)))
    assert.ok(memory.bytes <= 64 * 1024, `${memory.bytes} bytes`)
    assert.ok(memory.bytes > 64 * 1024 - 6000, 'filled up to the budget')
    assert.equal(memory.size, 12, 'each entry counts 1000 + 2 x (2000 + 3) + 256 = 5262 bytes')
    assert.ok(memory.lookup('k99', Buffer.alloc(1000, 99)))
    assert.equal(memory.lookup('k87', Buffer.alloc(1000, 87)), undefined)
    memory.forget('k99')
    assert.equal(memory.size, 11)
    assert.equal(memory.bytes, 11 * 5262)
    memory.clear()
    assert.equal(memory.bytes, 0)
  })

  it('never keeps an entry whose text is large, however small its record (compressed)', () => {
    const memory = new VerifiedRecords()
    memory.opened('small', Buffer.alloc(100), opened('x'.repeat(1000)))
    memory.opened('big', Buffer.alloc(100), opened('x'.repeat(VERIFIED_ENTRY_MAX_BYTES / 2)))
    assert.equal(memory.lookup('big', Buffer.alloc(100)), undefined)
    assert.ok(memory.lookup('small', Buffer.alloc(100)))
    for (let i = 0; i < 5000; i++) memory.opened(`k${i}`, Buffer.alloc(4096, i), opened('y'.repeat(4096)))
    assert.ok(memory.bytes <= VERIFIED_RECORDS_BUDGET_BYTES, `${memory.bytes} bytes`)
    assert.ok(memory.size < 1000, 'the byte budget binds before the entry count')
  })

  it('keeps its own copy of the bytes it verified', () => {
    const memory = new VerifiedRecords()
    const reply = Buffer.from('record')
    memory.opened('k', reply, opened('t'))
    reply[0] = 0x52
    assert.equal(memory.lookup('k', reply), undefined, 'the caller changing its buffer changes nothing remembered')
    assert.ok(memory.lookup('k', Buffer.from('record')))
  })
})
