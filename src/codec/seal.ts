import { createCipheriv, createDecipheriv, createHmac, randomFillSync, timingSafeEqual } from 'node:crypto'
import { brotliCompressSync, brotliDecompressSync, constants as zlib, gunzipSync, gzipSync } from 'node:zlib'
import {
  COMPRESSION_FLAGS,
  COMPRESSION_MASK,
  FORMAT_VERSION,
  HEADER_BYTES,
  schemeById,
  type CompressionName,
  type Scheme,
} from './format.js'
import type { KeyRing, SchemeKeys } from './keyring.js'

/** How records are written to Redis. Reading accepts every encoding (see {@link toRecordBytes}). */
export type Encoding = 'binary' | 'base64' | 'base64url' | 'hex'

export interface CompressionSettings {
  readonly algorithm: CompressionName
  /** Plaintexts shorter than this many bytes are stored uncompressed. */
  readonly minBytes: number
  readonly level: number
}

export interface SealSettings {
  readonly scheme: Scheme
  readonly encoding: Encoding
  readonly compression: CompressionSettings | undefined
}

/** Why a record did not open. Deliberately coarse: it never says more than which check failed. */
export type OpenFailureReason =
  | 'truncated'
  | 'version'
  | 'algorithm'
  | 'key'
  | 'flags'
  | 'tag'
  | 'too-large'
  | 'decompress'

export type Opened =
  | { readonly ok: true; readonly plain: Buffer; readonly keyId: number; readonly sealedAt: number }
  | { readonly ok: false; readonly reason: OpenFailureReason }

const AEAD = { authTagLength: 16 } as const

// One CSPRNG call per 256 nonces instead of one per seal; each nonce is used before the pool refills.
const noncePool = Buffer.allocUnsafeSlow(4096)
let nonceOffset = noncePool.length

function freshNonce(bytes: number): Buffer {
  if (nonceOffset + bytes > noncePool.length) {
    randomFillSync(noncePool)
    nonceOffset = 0
  }
  nonceOffset += bytes
  return noncePool.subarray(nonceOffset - bytes, nonceOffset)
}

/** update() + final() output; stream modes end with nothing, so a copy of the whole body is spared. */
function finish(head: Buffer, tail: Buffer): Buffer {
  return tail.length === 0 ? head : Buffer.concat([head, tail])
}

function additionalData(header: Buffer, redisKey: string): Buffer {
  return Buffer.concat([header, Buffer.from(redisKey, 'utf8')])
}

function macTag(keys: SchemeKeys, scheme: Scheme, aad: Buffer, iv: Uint8Array, body: Uint8Array): Buffer {
  const aadBits = Buffer.alloc(8)
  aadBits.writeBigUInt64BE(BigInt(aad.length) * 8n)
  const hmac = createHmac(scheme.hash as string, keys.mac as Buffer)
  return hmac.update(aad).update(iv).update(body).update(aadBits).digest().subarray(0, scheme.tagBytes)
}

function compress(plain: Uint8Array, settings: CompressionSettings | undefined): [Uint8Array, number] {
  if (!settings || plain.length < settings.minBytes) return [plain, 0]
  const packed =
    settings.algorithm === 'gzip'
      ? gzipSync(plain, { level: settings.level })
      : brotliCompressSync(plain, { params: { [zlib.BROTLI_PARAM_QUALITY]: settings.level } })
  return packed.length < plain.length ? [packed, COMPRESSION_FLAGS[settings.algorithm]] : [plain, 0]
}

/** Seals `plain` for the Redis key `redisKey` with the newest key of `ring`. */
export function seal(plain: Uint8Array, redisKey: string, ring: KeyRing, settings: SealSettings, now = Date.now()): Buffer | string {
  const { scheme } = settings
  const keys = ring.keysFor(ring.currentId, scheme) as SchemeKeys
  const [body, flags] = compress(plain, settings.compression)
  const header = Buffer.allocUnsafe(HEADER_BYTES)
  header.writeUInt8(FORMAT_VERSION, 0)
  header.writeUInt8(scheme.id, 1)
  header.writeUInt32BE(keys.id, 2)
  header.writeUInt8(flags, 6)
  header.writeUIntBE(now, 7, 6)
  const nonce = freshNonce(scheme.nonceBytes)
  const aad = additionalData(header, redisKey)
  let ciphertext: Buffer
  let tag: Buffer
  if (scheme.hash === undefined) {
    const cipher = createCipheriv(scheme.cipher as 'aes-256-gcm', keys.encryption, nonce, AEAD)
    cipher.setAAD(aad)
    ciphertext = finish(cipher.update(body), cipher.final())
    tag = cipher.getAuthTag()
  } else {
    const cipher = createCipheriv(scheme.cipher, keys.encryption, nonce)
    ciphertext = finish(cipher.update(body), cipher.final())
    tag = macTag(keys, scheme, aad, nonce, ciphertext)
  }
  const record = Buffer.concat([header, nonce, ciphertext, tag])
  return settings.encoding === 'binary' ? record : record.toString(settings.encoding)
}

/**
 * The envelope bytes of a stored value. Binary records start with the version byte 0x01; their
 * hex form starts with "0" and their base64 forms with "A", so every encoding reads back whatever
 * `encodeas` is set to now.
 */
export function toRecordBytes(stored: Uint8Array): Buffer {
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength)
  if (bytes[0] === 0x30) return Buffer.from(bytes.toString('latin1'), 'hex')
  if (bytes[0] === 0x41) return Buffer.from(bytes.toString('latin1'), 'base64')
  return bytes
}

function decompress(body: Buffer, flags: number, maxBytes: number): Opened | Buffer {
  if (flags === 0) return body.length > maxBytes ? { ok: false, reason: 'too-large' } : body
  try {
    const options = { maxOutputLength: maxBytes }
    return flags === COMPRESSION_FLAGS.gzip ? gunzipSync(body, options) : brotliDecompressSync(body, options)
  } catch (error) {
    const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
    return { ok: false, reason: tooLarge ? 'too-large' : 'decompress' }
  }
}

function decrypt(scheme: Scheme, keys: SchemeKeys, aad: Buffer, nonce: Buffer, body: Buffer, tag: Buffer): Buffer | undefined {
  try {
    if (scheme.hash === undefined) {
      const decipher = createDecipheriv(scheme.cipher as 'aes-256-gcm', keys.encryption, nonce, AEAD)
      decipher.setAAD(aad)
      decipher.setAuthTag(tag)
      return finish(decipher.update(body), decipher.final())
    }
    if (!timingSafeEqual(macTag(keys, scheme, aad, nonce, body), tag)) return undefined
    const decipher = createDecipheriv(scheme.cipher, keys.encryption, nonce)
    return finish(decipher.update(body), decipher.final())
  } catch {
    return undefined
  }
}

/**
 * Opens a stored value sealed for `redisKey`. Never throws: every failure is an `{ ok: false }`
 * with a coarse reason, and nothing of the record's content is returned unless it authenticated.
 */
export function open(stored: Uint8Array, redisKey: string, ring: KeyRing, maxBytes: number): Opened {
  const record = toRecordBytes(stored)
  if (record.length < HEADER_BYTES) return { ok: false, reason: 'truncated' }
  if (record.readUInt8(0) !== FORMAT_VERSION) return { ok: false, reason: 'version' }
  const scheme = schemeById(record.readUInt8(1))
  if (!scheme) return { ok: false, reason: 'algorithm' }
  const flags = record.readUInt8(6)
  if ((flags & ~COMPRESSION_MASK) !== 0 || flags === COMPRESSION_MASK) return { ok: false, reason: 'flags' }
  const keyId = record.readUInt32BE(2)
  const keys = ring.keysFor(keyId, scheme)
  if (!keys) return { ok: false, reason: 'key' }
  const bodyStart = HEADER_BYTES + scheme.nonceBytes
  const tagStart = record.length - scheme.tagBytes
  if (tagStart < bodyStart) return { ok: false, reason: 'truncated' }
  // No stored body longer than the largest plaintext (plus one cipher block of padding) is worth decrypting.
  if (tagStart - bodyStart > maxBytes + 16) return { ok: false, reason: 'too-large' }
  const header = record.subarray(0, HEADER_BYTES)
  const aad = additionalData(header, redisKey)
  const nonce = record.subarray(HEADER_BYTES, bodyStart)
  const plainBody = decrypt(scheme, keys, aad, nonce, record.subarray(bodyStart, tagStart), record.subarray(tagStart))
  if (!plainBody) return { ok: false, reason: 'tag' }
  const plain = decompress(plainBody, flags, maxBytes)
  if (!Buffer.isBuffer(plain)) return plain
  return { ok: true, plain, keyId, sealedAt: record.readUIntBE(7, 6) }
}
