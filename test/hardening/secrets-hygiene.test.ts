/**
 * Nothing the store shows the outside world (inspect, JSON, error messages and stacks, warnings,
 * onSealError info) holds a secret, a derived key or session plaintext. And the EtM tag check
 * treats a tag wrong in its first byte exactly like one wrong in its last.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { inspect } from 'node:util'
import type { SessionData } from 'express-session'
import { ask, startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import { HEADER_BYTES, schemeFor } from '../../src/codec/format.js'
import { KeyRing } from '../../src/codec/keyring.js'
import { open } from '../../src/codec/open.js'
import { seal } from '../../src/codec/seal.js'
import { RedisStore, type SealErrorInfo } from '../../src/index.js'
import { deriveMasterKeys } from '../../src/codec/secrets.js'
import { rawClient } from './clients.js'
import { SCHEMES } from './fuzz-cases.js'

const PASSPHRASE = `hygiene-passphrase-${randomBytes(16).toString('hex')}`
const KEY = randomBytes(32)
const PLAINTEXT = `plaintext-marker-${randomBytes(12).toString('hex')}`
const session = { cookie: { originalMaxAge: 60_000 }, note: PLAINTEXT } as unknown as SessionData

let redis: LocalRedis
let raw: Awaited<ReturnType<typeof rawClient>>
const forbidden: string[] = []
const stores: RedisStore[] = []

before(async () => {
  redis = await startRedis()
  raw = await rawClient(redis.port)
  const masters = await deriveMasterKeys([PASSPHRASE, KEY])
  const ring = new KeyRing(masters)
  const derived: Buffer[] = [KEY, ...masters.map((m) => Buffer.from(m.key))]
  for (const m of masters) {
    for (const scheme of SCHEMES) {
      const keys = ring.keysFor(m.id, scheme)
      if (keys) derived.push(keys.encryption, ...(keys.mac ? [keys.mac] : []))
    }
  }
  forbidden.push(PASSPHRASE, PLAINTEXT, ...derived.flatMap((k) => [k.toString('hex'), k.toString('base64'), k.toString('base64url'), k.toString('latin1')]))
})
after(async () => {
  await Promise.all(stores.map((s) => s.close().catch(() => {})))
  raw.destroy()
  await redis.stop()
})

function makeStore(extra: Record<string, unknown> = {}): RedisStore {
  const store = new RedisStore({ client: raw, secret: [PASSPHRASE, KEY], pool: { maxThreads: 1 }, offloadThreshold: 0, ...extra })
  stores.push(store)
  return store
}

function assertClean(what: string, text: string): void {
  for (const f of forbidden) assert.ok(!text.includes(f), `${what} leaks a secret, a key or plaintext`)
}

function describeError(error: unknown): string {
  return [String(error), (error as Error).stack ?? '', inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error)].join('\n')
}

test('inspect(store), JSON.stringify(store) and stats() show no secret, key or plaintext, after the keys are in use', async () => {
  const store = makeStore()
  await store.set('s1', session)
  assert.equal(((await store.get('s1')) as { note?: string }).note, PLAINTEXT, 'the store really holds the keys and the session')
  const views = [
    inspect(store),
    inspect(store, { showHidden: true, depth: Infinity, getters: true }),
    inspect(store, { showHidden: true, depth: Infinity, customInspect: false }),
    JSON.stringify(store),
    String(store),
    inspect(store.stats()),
    inspect(Object.entries(store), { depth: Infinity }),
  ]
  views.forEach((view, i) => assertClean(`view ${i}`, view))
})

test('every error message, stack and cause is free of secrets, keys and plaintext', async () => {
  const errors: unknown[] = []
  const capture = (fn: () => unknown) => {
    try {
      fn()
    } catch (error) {
      errors.push(error)
    }
  }
  capture(() => new RedisStore({ client: raw, secret: [PASSPHRASE, PASSPHRASE] }))
  capture(() => new RedisStore({ client: raw, secret: KEY.subarray(0, 16) }))
  capture(() => new RedisStore({ client: raw, secret: [KEY, 42 as unknown as string] }))
  capture(() => new RedisStore({ client: raw, secret: [PASSPHRASE, ''] }))
  capture(() => new RedisStore({ client: raw, secret: PASSPHRASE, ttl: -1 }))
  capture(() => new RedisStore({ client: raw, secret: PASSPHRASE, secrte: PASSPHRASE } as unknown as { secret: string }))
  capture(() => new RedisStore({ client: {}, secret: KEY }))
  capture(() => new RedisStore({ secret: KEY } as { secret: Buffer }))
  assert.equal(errors.length, 8, 'each misconfiguration threw')

  const tooLarge = makeStore({ maxSessionBytes: 16 })
  await tooLarge.set('big', session).catch((e: unknown) => errors.push(e))
  const badSerializer = makeStore({ serializer: { stringify: () => 42, parse: JSON.parse } })
  await badSerializer.set('x', session).catch((e: unknown) => errors.push(e))
  const badTtl = makeStore({ ttl: () => Number.NaN })
  await badTtl.set('x', session).catch((e: unknown) => errors.push(e))
  const slow = makeStore({ timeout: 200 })
  await slow.set('warm', session)
  assert.equal(await ask(redis.port, 'CLIENT PAUSE 600 ALL'), '+OK')
  await slow.get('warm').catch((e: unknown) => errors.push(e))
  await slow.set('warm', session).catch((e: unknown) => errors.push(e))
  const closed = makeStore()
  await closed.close()
  await closed.get('x').catch((e: unknown) => errors.push(e))
  const codes = errors.map((e) => (e as { code?: string }).code)
  assert.deepEqual(codes.slice(8), ['ERR_SEALED_TOO_LARGE', 'ERR_SEALED_SERIALIZE', 'ERR_SEALED_OPTIONS', 'ERR_SEALED_TIMEOUT', 'ERR_SEALED_TIMEOUT', 'ERR_SEALED_CLOSED'])
  errors.forEach((error, i) => assertClean(`error ${i} (${(error as Error).message})`, describeError(error)))
})

test('the refusal of a short passphrase does not quote it', () => {
  const short = 'short-secret-x9'
  forbidden.push(short)
  let error: unknown
  try {
    makeStore({ secret: short })
  } catch (caught) {
    error = caught
  }
  assert.ok(error instanceof TypeError, 'refused with a TypeError')
  assertClean('the error', describeError(error))
})

test('onSealError info is only { reason, sid }, whatever failed, even when a serializer error quotes the plaintext', async () => {
  const infos: SealErrorInfo[] = []
  const store = makeStore({
    maxSealAge: 60,
    onSealError: (info: SealErrorInfo) => infos.push(info),
    serializer: { stringify: JSON.stringify, parse: (text: string) => (text.includes('"parse-me"') ? Promise.reject(new Error(`cannot parse ${text}`)) : JSON.parse(text)) },
  })
  const masters = await deriveMasterKeys([PASSPHRASE])
  const ring = new KeyRing(masters)
  const settings = { scheme: schemeFor('aes-256-gcm', 'sha512'), encoding: 'binary', compression: undefined } as const
  await store.set('tag', session)
  const tampered = (await raw.withTypeMapping({ 36: Buffer }).get('sess:tag')) as Buffer
  tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1
  await raw.set('sess:tag', tampered)
  await raw.set('sess:old', seal(Buffer.from(JSON.stringify(session)), 'sess:old', ring, settings, Date.now() - 120_000) as Buffer)
  await raw.set('sess:parse', seal(Buffer.from(JSON.stringify({ ...session, kind: 'parse-me' })), 'sess:parse', ring, settings) as Buffer)
  await raw.set('sess:moved', seal(Buffer.from(JSON.stringify(session)), 'sess:elsewhere', ring, settings) as Buffer)
  await raw.set('sess:junk', PLAINTEXT)
  for (const sid of ['tag', 'old', 'parse', 'moved', 'junk']) assert.equal(await store.get(sid), null)
  assert.deepEqual(infos, [
    { reason: 'tag', sid: 'tag' },
    { reason: 'expired', sid: 'old' },
    { reason: 'parse', sid: 'parse' },
    { reason: 'tag', sid: 'moved' },
    { reason: 'version', sid: 'junk' },
  ])
  for (const info of infos) assertClean('onSealError info', inspect(info, { showHidden: true, depth: Infinity }))
})

test('EtM: a tag wrong only in its first byte and one wrong only in its last are refused alike; AEAD the same', async () => {
  const ring = new KeyRing(await deriveMasterKeys([KEY]))
  for (const scheme of SCHEMES) {
    const settings = { scheme, encoding: 'binary', compression: undefined } as const
    const record = seal(Buffer.from(PLAINTEXT), 'sess:t', ring, settings) as Buffer
    const tagStart = record.length - scheme.tagBytes
    assert.ok(tagStart > HEADER_BYTES + scheme.nonceBytes)
    assert.ok(open(record, 'sess:t', ring, 1 << 20).ok, `${scheme.cipher}/${scheme.hash}: the intact record opens`)
    const outcomes = [tagStart, record.length - 1].map((at) => {
      const bad = Buffer.from(record)
      bad[at] = (bad[at] as number) ^ 0x80
      return open(bad, 'sess:t', ring, 1 << 20)
    })
    const zeroed = Buffer.from(record)
    zeroed.fill(0, tagStart)
    outcomes.push(open(zeroed, 'sess:t', ring, 1 << 20))
    for (const outcome of outcomes) assert.deepEqual(outcome, { ok: false, reason: 'tag' }, `${scheme.cipher}/${scheme.hash ?? 'aead'}`)
  }
})
