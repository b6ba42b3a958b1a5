/**
 * Reads the envelope that connect-redis-crypto 4.x stores: the JSON text of a kruptein 2.x object
 *
 *   { "hmac": string, "ct": string, "iv": bytes, "salt": bytes, "aad"?: string, "at"?: bytes }
 *
 * where "bytes" is a Buffer as JSON.stringify writes it ({ "type": "Buffer", "data": [..] }) or a
 * string. Per record: key = PBKDF2(secret, salt, 15000 iterations, 32 bytes, hashing); ct, iv, at
 * and aad are text in the `encodeas` encoding; hmac = HMAC(hashing, key) over the UTF-8 bytes of
 * the ct string, written in `encodeas`; AEAD ciphers take the decoded aad as additional data and
 * a 16-byte tag. The plaintext is the JSON text of the session. Nothing binds a record to its key.
 *
 * The HMAC covers the ct string but not the IV. For CBC the first plaintext block is
 * D(C1) XOR IV, for CTR C1 XOR E(IV): whoever can write to Redis can rewrite the first 16 bytes
 * of a CBC record at will by changing its IV. Each of those maps is one-to-one in the IV, so a
 * record whose first block is exactly what express-session writes ({@link SESSION_HEAD}) still
 * carries its original IV; any other first block is refused.
 */
import { createDecipheriv, createHmac, pbkdf2, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { REFUSED, type DerivationLimiter } from './derivation-limiter.js'

const pbkdf2Async = promisify(pbkdf2)

export type KrupteinCipher = 'aes-256-gcm' | 'aes-256-cbc' | 'aes-256-ctr'
export type KrupteinHash = 'sha256' | 'sha384' | 'sha512'
export type KrupteinEncoding = 'binary' | 'latin1' | 'hex' | 'base64' | 'base64url'

export const KRUPTEIN_CIPHERS: readonly KrupteinCipher[] = ['aes-256-gcm', 'aes-256-cbc', 'aes-256-ctr']
export const KRUPTEIN_HASHES: readonly KrupteinHash[] = ['sha256', 'sha384', 'sha512']
export const KRUPTEIN_ENCODINGS: readonly KrupteinEncoding[] = ['binary', 'latin1', 'hex', 'base64', 'base64url']

/** The settings connect-redis-crypto passed to kruptein; they must match what wrote the records. */
export interface KrupteinSettings {
  readonly secret: string | Uint8Array
  readonly algorithm: KrupteinCipher
  readonly hashing: KrupteinHash
  readonly encodeas: KrupteinEncoding
}

const PBKDF2_ITERATIONS = 15_000
const KEY_BYTES = 32
const TAG_BYTES = 16
/**
 * The first 16 bytes of every session express-session hands to a store: the Session object's first
 * own property is `cookie`, and a Cookie serializes `originalMaxAge` first (express-session 1.x).
 */
export const SESSION_HEAD = Buffer.from('{"cookie":{"orig', 'latin1')
/** Every connect-redis-crypto record starts like this (kruptein writes "hmac" first). */
export const KRUPTEIN_PREFIX = '{"hmac":'

interface Envelope {
  readonly hmac: string
  readonly ct: string
  readonly iv: Buffer
  readonly salt: Buffer
  readonly at: Buffer | undefined
  readonly aad: Buffer | undefined
}

/** A JSON-serialized Buffer, or a string in `encoding`; undefined for anything else. */
function bytesOf(value: unknown, encoding: BufferEncoding): Buffer | undefined {
  if (typeof value === 'string') return Buffer.from(value, encoding)
  if (typeof value !== 'object' || value === null) return undefined
  const { type, data } = value as { type?: unknown; data?: unknown }
  if (type !== 'Buffer' || !Array.isArray(data)) return undefined
  if (!data.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return undefined
  return Buffer.from(data as number[])
}

function parseEnvelope(text: string, settings: KrupteinSettings): Envelope | undefined {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof raw !== 'object' || raw === null) return undefined
  const o = raw as Record<string, unknown>
  if (typeof o.hmac !== 'string' || typeof o.ct !== 'string') return undefined
  const iv = bytesOf(o.iv, settings.encodeas)
  const salt = bytesOf(o.salt, 'utf8')
  if (!iv || !salt) return undefined
  const at = o.at === undefined ? undefined : bytesOf(o.at, settings.encodeas)
  const aad = o.aad === undefined ? undefined : bytesOf(o.aad, settings.encodeas)
  return { hmac: o.hmac, ct: o.ct, iv, salt, at, aad }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}

function decrypt(envelope: Envelope, key: Buffer, settings: KrupteinSettings): Buffer | undefined {
  const body = Buffer.from(envelope.ct, settings.encodeas)
  try {
    if (settings.algorithm === 'aes-256-gcm') {
      if (!envelope.at || !envelope.aad || envelope.at.length !== TAG_BYTES) return undefined
      const decipher = createDecipheriv('aes-256-gcm', key, envelope.iv, { authTagLength: TAG_BYTES })
      decipher.setAuthTag(envelope.at)
      decipher.setAAD(envelope.aad)
      return Buffer.concat([decipher.update(body), decipher.final()])
    }
    const decipher = createDecipheriv(settings.algorithm, key, envelope.iv)
    const plain = Buffer.concat([decipher.update(body), decipher.final()])
    return plain.subarray(0, SESSION_HEAD.length).equals(SESSION_HEAD) ? plain : undefined
  } catch {
    return undefined
  }
}

/** Per-record keys by salt, least recently used dropped first. */
export class KeyCache {
  readonly #keys = new Map<string, Buffer>()

  constructor(private readonly capacity: number) {}

  get(id: string): Buffer | undefined {
    const key = this.#keys.get(id)
    if (key) {
      this.#keys.delete(id)
      this.#keys.set(id, key)
    }
    return key
  }

  set(id: string, key: Buffer): void {
    if (this.capacity === 0) return
    this.#keys.set(id, key)
    if (this.#keys.size > this.capacity) this.#keys.delete(this.#keys.keys().next().value as string)
  }

  get size(): number {
    return this.#keys.size
  }
}

export type KrupteinOpened = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: 'legacy' | 'legacy-busy' }

/**
 * Opens a connect-redis-crypto record: `'legacy'` when it is malformed, was sealed with another
 * secret or settings, or was altered; `'legacy-busy'` when `limiter` refused the key derivation.
 * PBKDF2 runs on libuv's thread pool (about 13 ms of CPU for sha512), so the event loop stays free.
 * A key enters `cache` only once the record's HMAC checks, so planted salts cannot evict real keys.
 */
export async function openKruptein(text: string, settings: KrupteinSettings, cache: KeyCache, limiter: DerivationLimiter): Promise<KrupteinOpened> {
  const envelope = parseEnvelope(text, settings)
  if (!envelope) return { ok: false, reason: 'legacy' }
  const id = envelope.salt.toString('base64')
  let key = cache.get(id)
  if (!key) {
    const derived = await limiter.run(() => pbkdf2Async(settings.secret, envelope.salt, PBKDF2_ITERATIONS, KEY_BYTES, settings.hashing))
    if (derived === REFUSED) return { ok: false, reason: 'legacy-busy' }
    key = derived
  }
  const mac = createHmac(settings.hashing, key).update(envelope.ct, 'utf8').digest()
  if (!sameText(mac.toString(settings.encodeas), envelope.hmac)) return { ok: false, reason: 'legacy' }
  cache.set(id, key)
  const plain = decrypt(envelope, key, settings)
  return plain ? { ok: true, text: plain.toString('utf8') } : { ok: false, reason: 'legacy' }
}
