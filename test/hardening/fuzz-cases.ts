/**
 * Property cases for hostile Redis values, shared by the fast test (test/hardening/fuzz.test.ts)
 * and the long run (bench/fuzz.ts). Each case opens a value and checks one rule: the outcome is
 * "no session" or exactly the session that was sealed for that very key. Nothing may throw.
 */
import { createCipheriv, randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { CIPHERS, HASHES, HEADER_BYTES, schemeById, schemeFor, type Scheme } from '../../src/codec/format.js'
import { KeyRing } from '../../src/codec/keyring.js'
import { open, toRecordBytes } from '../../src/codec/open.js'
import type { Opened } from '../../src/codec/opened.js'
import { seal, type Encoding, type SealSettings } from '../../src/codec/seal.js'
import { deriveMasterKeys } from '../../src/codec/secrets.js'

export interface FuzzWorld {
  /** Opens with either key; seals with the first. */
  readonly ring: KeyRing
  /** Seals with the older key of `ring` (records that must still open). */
  readonly olderRing: KeyRing
  /** A key `ring` does not know. */
  readonly strangerRing: KeyRing
  readonly maxBytes: number
}

export async function fuzzWorld(maxBytes = 64 * 1024): Promise<FuzzWorld> {
  const [current, older, stranger] = await deriveMasterKeys([Buffer.alloc(32, 0xa1), Buffer.alloc(32, 0xb2), Buffer.alloc(32, 0xc3)])
  if (!current || !older || !stranger) throw new Error('three keys expected')
  return { ring: new KeyRing([current, older]), olderRing: new KeyRing([older]), strangerRing: new KeyRing([stranger]), maxBytes }
}

export const ENCODINGS: readonly Encoding[] = ['binary', 'base64', 'base64url', 'hex']
export const SCHEMES: readonly Scheme[] = CIPHERS.flatMap((c) => (c === 'aes-256-cbc' || c === 'aes-256-ctr' ? HASHES.map((h) => schemeFor(c, h)) : [schemeFor(c, 'sha512')]))

const settingsArb: fc.Arbitrary<SealSettings> = fc.record({
  scheme: fc.constantFrom(...SCHEMES),
  encoding: fc.constantFrom(...ENCODINGS),
  compression: fc.option(fc.record({ algorithm: fc.constantFrom('gzip' as const, 'brotli' as const), minBytes: fc.constant(0), level: fc.constant(1) }), { nil: undefined }),
})
const plainArb = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify({ cookie: { originalMaxAge: 1000 }, v }) ?? '', 'utf8')),
  fc.nat({ max: 3000 }).map((n) => Buffer.from('ab'.repeat(n))),
)
export const redisKeyArb = fc.string({ maxLength: 24, unit: 'grapheme' }).map((s) => `sess:${s}`)

export interface SealedCase {
  readonly stored: Buffer
  readonly key: string
  readonly plain: Buffer
  readonly encoding: Encoding
}

function asBuffer(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'latin1') : value
}

/** Re-encodes envelope bytes the way `encoding` stores them. */
function encodeAs(record: Buffer, encoding: Encoding): Buffer {
  return encoding === 'binary' ? record : Buffer.from(record.toString(encoding), 'latin1')
}

const smallPlainArb = fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b))

export function sealedArb(world: FuzzWorld, ring: KeyRing = world.ring, plain: fc.Arbitrary<Buffer> = plainArb): fc.Arbitrary<SealedCase> {
  return fc.tuple(settingsArb, plain, redisKeyArb).map(([settings, plain, key]) => ({
    stored: asBuffer(seal(plain, key, ring, settings)),
    key,
    plain,
    encoding: settings.encoding,
  }))
}

/** AES-GCM record built by hand with any flags and body, authentic under the ring's current key. */
export function authenticRecord(world: FuzzWorld, key: string, flags: number, body: Uint8Array): Buffer {
  const scheme = schemeById(0x01) as Scheme
  const keys = world.ring.keysFor(world.ring.currentId, scheme)
  if (!keys) throw new Error('no key')
  const header = Buffer.alloc(HEADER_BYTES)
  header.writeUInt8(1, 0)
  header.writeUInt8(scheme.id, 1)
  header.writeUInt32BE(keys.id, 2)
  header.writeUInt8(flags, 6)
  header.writeUIntBE(Date.now(), 7, 6)
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keys.encryption, nonce, { authTagLength: 16 })
  cipher.setAAD(Buffer.concat([header, Buffer.from(key, 'utf8')]))
  const ciphertext = Buffer.concat([cipher.update(body), cipher.final()])
  return Buffer.concat([header, nonce, ciphertext, cipher.getAuthTag()])
}

export class FuzzCounter {
  readonly perCase = new Map<string, number>()
  total = 0
  add(name: string, n = 1): void {
    this.total += n
    this.perCase.set(name, (this.perCase.get(name) ?? 0) + n)
  }
}

/** The rule every case checks. `allowed` is the one plaintext that may come out (when the value is still an exact record for this key). */
export function mustOpenToNothingBut(opened: Opened, allowed: Buffer | undefined, what: string): void {
  if (!opened.ok) return
  if (allowed !== undefined && opened.plain.equals(allowed)) return
  throw new Error(`${what}: a value opened to something that was not sealed for this key`)
}

export interface CodecCase {
  readonly name: string
  /** Runs at scale 1; the whole run multiplies it. */
  readonly runs: number
  readonly run: (world: FuzzWorld, counter: FuzzCounter, options: { seed: number; numRuns: number }) => void
}

/** Opens a value and applies the rule, counting the case. */
function check(world: FuzzWorld, counter: FuzzCounter, name: string, stored: Uint8Array, key: string, allowed: Buffer | undefined): Opened {
  counter.add(name)
  const opened = open(stored, key, world.ring, world.maxBytes)
  mustOpenToNothingBut(opened, allowed, name)
  return opened
}

export const CODEC_CASES: readonly CodecCase[] = [
  { name: 'valid records open exactly', runs: 300, run: (w, c, o) => fc.assert(fc.property(sealedArb(w), (s: SealedCase) => {
    const opened = check(w, c, 'valid records open exactly', s.stored, s.key, s.plain)
    if (!opened.ok && s.plain.length <= w.maxBytes) throw new Error(`a valid record did not open: ${opened.reason}`)
  }), o) },
  { name: 'older key still opens', runs: 100, run: (w, c, o) => fc.assert(fc.property(sealedArb(w, w.olderRing), (s: SealedCase) => {
    if (!check(w, c, 'older key still opens', s.stored, s.key, s.plain).ok) throw new Error('a record of the older key did not open')
  }), o) },
  { name: 'random bytes', runs: 1500, run: (w, c, o) => fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), redisKeyArb, (b: Uint8Array, k: string) => void check(w, c, 'random bytes', b, k, undefined)), o) },
  { name: 'random tail after a plausible header', runs: 1500, run: (w, c, o) => fc.assert(fc.property(
    fc.constantFrom(...SCHEMES), fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 400 }), redisKeyArb,
    (scheme: Scheme, flags: number, tail: Uint8Array, k: string) => {
      const header = Buffer.alloc(HEADER_BYTES)
      header.writeUInt8(1, 0)
      header.writeUInt8(scheme.id, 1)
      header.writeUInt32BE(w.ring.currentId, 2)
      header.writeUInt8(flags, 6)
      header.writeUIntBE(Date.now(), 7, 6)
      check(w, c, 'random tail after a plausible header', Buffer.concat([header, tail]), k, undefined)
    }), o) },
  { name: 'truncation at every length', runs: 50, run: (w, c, o) => fc.assert(fc.property(sealedArb(w, w.ring, smallPlainArb), (s: SealedCase) => {
    for (let len = 0; len < s.stored.length; len++) check(w, c, 'truncation at every length', s.stored.subarray(0, len), s.key, s.encoding === 'binary' ? undefined : s.plain)
  }), o) },
  { name: 'single bit flip', runs: 2500, run: (w, c, o) => fc.assert(fc.property(sealedArb(w), fc.nat(), fc.integer({ min: 0, max: 7 }), (s: SealedCase, at: number, bit: number) => {
    const flipped = Buffer.from(s.stored)
    const i = at % flipped.length
    flipped[i] = (flipped[i] as number) ^ (1 << bit)
    // Text encodings decode some flips to the same bytes ('a' and 'A' in hex): then the exact session may open.
    check(w, c, 'single bit flip', flipped, s.key, s.encoding === 'binary' ? undefined : s.plain)
  }), o) },
  { name: 'valid record under another key', runs: 1000, run: (w, c, o) => fc.assert(fc.property(sealedArb(w), redisKeyArb, (s: SealedCase, other: string) => {
    if (other !== s.key) check(w, c, 'valid record under another key', s.stored, other, undefined)
  }), o) },
  { name: 'sealed with an unknown secret', runs: 500, run: (w, c, o) => fc.assert(fc.property(sealedArb(w, w.strangerRing), (s: SealedCase) => void check(w, c, 'sealed with an unknown secret', s.stored, s.key, undefined)), o) },
  { name: 'other format version', runs: 800, run: (w, c, o) => fc.assert(fc.property(sealedArb(w), fc.integer({ min: 0, max: 255 }).filter((v) => v !== 2), (s: SealedCase, v: number) => {
    const record = Buffer.from(toRecordBytes(s.stored))
    record[0] = v
    check(w, c, 'other format version', encodeAs(record, s.encoding), s.key, undefined)
  }), o) },
  { name: 'garbage header fields', runs: 1500, run: (w, c, o) => fc.assert(fc.property(sealedArb(w), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.nat(), (s: SealedCase, junk: Uint8Array, mask: number) => {
    const record = Buffer.from(toRecordBytes(s.stored))
    const before = Buffer.from(record.subarray(1, HEADER_BYTES))
    for (let i = 0; i < 12; i++) if (mask & (1 << i)) record[1 + i] = junk[i] as number
    check(w, c, 'garbage header fields', encodeAs(record, s.encoding), s.key, before.equals(record.subarray(1, HEADER_BYTES)) ? s.plain : undefined)
  }), o) },
  { name: 'authentic record, hostile body', runs: 400, run: (w, c, o) => fc.assert(fc.property(
    fc.integer({ min: 0, max: 255 }), fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 4 }).map((n) => gzipSync(Buffer.alloc(w.maxBytes + 1 + n * 100_000)))), redisKeyArb,
    (flags: number, body: Uint8Array, k: string) => {
      const opened = open(authenticRecord(w, k, flags, body), k, w.ring, w.maxBytes)
      c.add('authentic record, hostile body')
      // Authentic, so whatever opens was sealed for this key; it must still respect the flags and the size bound.
      if (opened.ok && ((flags & ~0b11) !== 0 || flags === 0b11 || opened.plain.length > w.maxBytes)) throw new Error('bad flags or an oversized plaintext opened')
      if (opened.ok && flags === 0 && !opened.plain.equals(body)) throw new Error('an uncompressed body changed')
    }), o) },
  { name: 'huge values', runs: 6, run: (w, c, o) => fc.assert(fc.property(fc.constantFrom(...ENCODINGS), fc.integer({ min: 1, max: 4 }), (encoding: Encoding, times: number) => {
    const record = Buffer.alloc(w.maxBytes * times + 200, 0x5a)
    record.writeUInt8(1, 0)
    record.writeUInt8(0x01, 1)
    record.writeUInt32BE(w.ring.currentId, 2)
    record.writeUInt8(0, 6)
    const opened = check(w, c, 'huge values', encodeAs(record, encoding), 'sess:huge', undefined)
    if (opened.ok || opened.reason !== 'too-large') throw new Error(`a huge value was not refused by size: ${opened.ok || opened.reason}`)
  }), o) },
  { name: 'other stores: plaintext JSON and raw strings', runs: 1500, run: (w, c, o) => fc.assert(fc.property(
    fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ cookie: { originalMaxAge: 86_400_000, expires: null, httpOnly: true, path: '/' }, v })),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength: 120 }).map((points) => String.fromCodePoint(...points)),
    ),
    redisKeyArb,
    (text: string, k: string) => void check(w, c, 'other stores: plaintext JSON and raw strings', Buffer.from(text, 'utf8'), k, undefined)), o) },
  { name: 'text-encoded garbage', runs: 1500, run: (w, c, o) => fc.assert(fc.property(
    fc.oneof(
      fc.string({ maxLength: 400 }).map((s) => `0${s}`),
      fc.stringMatching(/^[0-9a-f]{0,400}$/).map((s) => `01${s}`),
      fc.string({ maxLength: 400 }).map((s) => `A${s}`),
      fc.base64String({ maxLength: 400 }).map((s) => `AQ${s}`),
    ),
    redisKeyArb,
    (text: string, k: string) => void check(w, c, 'text-encoded garbage', Buffer.from(text, 'latin1'), k, undefined)), o) },
  { name: 'records spliced or with junk appended', runs: 800, run: (w, c, o) => fc.assert(fc.property(sealedArb(w), sealedArb(w), fc.uint8Array({ minLength: 1, maxLength: 40 }), (a: SealedCase, b: SealedCase, junk: Uint8Array) => {
    check(w, c, 'records spliced or with junk appended', Buffer.concat([a.stored, b.stored]), a.key, a.encoding === 'binary' ? undefined : a.plain)
    check(w, c, 'records spliced or with junk appended', Buffer.concat([a.stored, junk]), a.key, a.encoding === 'binary' ? undefined : a.plain)
  }), o) },
]

/** Runs every codec case `scale` times its base number of runs from one seed; returns the counts. */
export function runCodecFuzz(world: FuzzWorld, seed: number, scale: number): FuzzCounter {
  const counter = new FuzzCounter()
  for (const c of CODEC_CASES) {
    c.run(world, counter, { seed, numRuns: Math.max(1, Math.round(c.runs * scale)) })
  }
  return counter
}

/** The seed from FUZZ_SEED, or a fresh one (always printed, so a failure can be replayed). */
export function fuzzSeed(): number {
  const fromEnv = process.env.FUZZ_SEED
  return fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31)
}
