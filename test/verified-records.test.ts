/**
 * Reads of records the store itself sealed or verified skip the decryption (stats().recalled),
 * and only for the very same bytes under the very same key: any other byte, another key, a
 * different store, or an age limit since passed behaves exactly as a full open does.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import type { SessionData } from 'express-session'
import { VERIFIED_RECORD_MAX_BYTES, VerifiedRecords } from '../src/verified-records.js'
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

  it('keeps its own copy of the bytes it verified', () => {
    const memory = new VerifiedRecords()
    const reply = Buffer.from('record')
    memory.opened('k', reply, opened('t'))
    reply[0] = 0x52
    assert.equal(memory.lookup('k', reply), undefined, 'the caller changing its buffer changes nothing remembered')
    assert.ok(memory.lookup('k', Buffer.from('record')))
  })
})
