/**
 * Record acceptance, without Redis: which stored bytes become a session, in which order the
 * rules apply, and that each refusal is counted and reported once with its reason.
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { schemeFor } from '../../src/codec/format.js'
import { KeyRing } from '../../src/codec/keyring.js'
import { deriveMasterKeys } from '../../src/codec/secrets.js'
import { InlineSealer } from '../../src/dispatch/sealer.js'
import type { SealErrorInfo } from '../../src/index.js'
import { TOMBSTONE } from '../../src/redis/destroy-guard.js'
import { RecordAcceptance, type AcceptanceRules, type OpenedRecord } from '../../src/records/acceptance.js'

const KEY = 'sess:a'
const settings = { scheme: schemeFor('aes-256-gcm', 'sha512'), encoding: 'binary' as const, compression: undefined }
let older: KeyRing
let ring: KeyRing

before(async () => {
  const [a, b] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)]
  older = new KeyRing(await deriveMasterKeys([b]))
  ring = new KeyRing(await deriveMasterKeys([a, b]))
})

function acceptance(rules: Partial<AcceptanceRules> = {}) {
  const reasons: SealErrorInfo['reason'][] = []
  const all: AcceptanceRules = { maxSealAge: undefined, clockSkew: 60, absoluteTimeout: undefined, serializer: JSON, ...rules }
  const records = new RecordAcceptance(all, undefined, (info) => reasons.push(info.reason))
  const sealer = new InlineSealer(ring, settings, 1 << 20)
  const open = (stored: Buffer | null) => records.open('a', KEY, stored, sealer, ring.currentId) as OpenedRecord | null
  return { records, sealer, reasons, open }
}

const sealAt = (text: string, sealedAt: number, createdAt = sealedAt, keys = ring) =>
  new InlineSealer(keys, settings, 1 << 20).seal(text, KEY, { sealedAt, createdAt }) as Buffer

describe('record acceptance', () => {
  it('no value and a tombstone are no session, and not failures', () => {
    const { open, reasons, records } = acceptance()
    assert.equal(open(null), null)
    assert.equal(open(Buffer.from(TOMBSTONE)), null)
    assert.deepEqual(reasons, [])
    assert.equal(records.counts.openFailures, 0)
  })

  it('a record opens with its times and the text it held; reading the same bytes back is recalled', () => {
    const { open, records } = acceptance()
    const now = Date.now()
    const stored = sealAt('{"n":1}', now, now - 5000)
    const first = open(stored)
    assert.deepEqual(first && { ...first }, { session: { n: 1 }, createdAt: now - 5000, sealedAt: now, text: '{"n":1}' })
    assert.deepEqual(open(stored)?.session, { n: 1 })
    assert.deepEqual({ opened: records.counts.opened, recalled: records.counts.recalled }, { opened: 2, recalled: 1 })
  })

  it('a record under an older key opens and is counted as such', () => {
    const { open, records } = acceptance()
    assert.deepEqual(open(sealAt('{"old":true}', Date.now(), Date.now(), older))?.session, { old: true })
    assert.equal(records.counts.openedWithOldKey, 1)
  })

  it('refuses, in order: altered bytes, future, expired, absolute, parse — each counted and reported once', async () => {
    const now = Date.now()
    const cases: [Partial<AcceptanceRules>, Buffer, SealErrorInfo['reason']][] = [
      [{}, Buffer.concat([sealAt('{}', now), Buffer.from([0])]), 'tag'],
      [{ clockSkew: 1 }, sealAt('{}', now + 5000), 'future'],
      [{ maxSealAge: 10 }, sealAt('{}', now - 11_000), 'expired'],
      [{ maxSealAge: 10, absoluteTimeout: 60 }, sealAt('{}', now - 5000, now - 61_000), 'absolute'],
      [{ absoluteTimeout: 60, clockSkew: 1 }, sealAt('{}', now + 5000, now - 61_000), 'future'],
      [{}, sealAt('{not json', now), 'parse'],
      [{ serializer: { stringify: JSON.stringify, parse: () => Promise.reject(new Error('no')) } }, sealAt('{}', now), 'parse'],
    ]
    for (const [rules, stored, reason] of cases) {
      const { records, reasons, sealer } = acceptance(rules)
      assert.equal(await records.open('a', KEY, stored, sealer, ring.currentId), null, reason)
      assert.deepEqual(reasons, [reason])
      assert.deepEqual({ failures: records.counts.openFailures, opened: records.counts.opened }, { failures: 1, opened: 0 })
    }
  })

  it('a record sealed under another Redis key does not open', () => {
    const { records, reasons, sealer } = acceptance()
    const elsewhere = new InlineSealer(ring, settings, 1 << 20).seal('{}', 'sess:b') as Buffer
    assert.equal(records.open('a', KEY, elsewhere, sealer, ring.currentId), null)
    assert.deepEqual(reasons, ['tag'])
  })

  it('a throwing onSealError is the caller\'s to contain: reject() still counts first', () => {
    const records = new RecordAcceptance({ maxSealAge: undefined, clockSkew: 60, absoluteTimeout: undefined, serializer: JSON }, undefined, () => {
      throw new Error('hook')
    })
    assert.throws(() => records.reject({ reason: 'parse', sid: 'a' }), /hook/)
    assert.equal(records.counts.openFailures, 1)
  })
})
