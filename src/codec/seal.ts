import { createCipheriv, type Cipher } from 'node:crypto'
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib'
import { AEAD, additionalData, fillNonce, macTag } from './envelope.js'
import { COMPRESSION_FLAGS, CREATED_AT, FORMAT_VERSION, HEADER_V2_BYTES, KEY_ID_AT, PLAINTEXT_BYTES_AT, SEALED_AT, TIME_BYTES, V2, nonceBytes, type CompressionName, type Scheme } from './format.js'
import type { KeyRing, SchemeKeys } from './keyring.js'

/** How records are written to Redis. Reading accepts every encoding, in its canonical form only. */
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

/** When a record is sealed, and when its session was first sealed (ms since the Unix epoch). */
export interface SealTimes {
  /** Default: now. */
  readonly sealedAt?: number
  /** Default: `sealedAt`. Never later than `sealedAt` (a later value is lowered to it). */
  readonly createdAt?: number
}

const MAX_U48 = 2 ** 48 - 1

/** The body to encrypt and its compression flags. Text stays a string unless it is compressed: the cipher encodes it as UTF-8 itself. */
function compress(plain: Uint8Array | string, plainBytes: number, settings: CompressionSettings | undefined): [Uint8Array | string, number] {
  if (!settings || plainBytes < settings.minBytes) return [plain, 0]
  if (typeof plain === 'string') plain = Buffer.from(plain, 'utf8')
  const packed =
    settings.algorithm === 'gzip'
      ? gzipSync(plain, { level: settings.level })
      : brotliCompressSync(plain, { params: { [zlib.BROTLI_PARAM_QUALITY]: settings.level } })
  return packed.length < plain.length ? [packed, COMPRESSION_FLAGS[settings.algorithm]] : [plain, 0]
}

function timesOf(times: SealTimes | number | undefined): [sealedAt: number, createdAt: number] {
  const sealedAt = (typeof times === 'number' ? times : times?.sealedAt) ?? Date.now()
  if (!Number.isSafeInteger(sealedAt) || sealedAt < 0 || sealedAt > MAX_U48) throw new RangeError('sealedAt must be a uint48 of milliseconds')
  const created = typeof times === 'number' ? undefined : times?.createdAt
  const valid = created !== undefined && Number.isSafeInteger(created) && created >= 0
  return [sealedAt, valid ? Math.min(created, sealedAt) : sealedAt]
}

/** Encrypts `body` into `record` from `at` and writes the tag after it; one buffer for the whole record. */
function encryptInto(record: Buffer, at: number, scheme: Scheme, keys: SchemeKeys, aad: Buffer, nonce: Buffer, body: Uint8Array | string): void {
  if (scheme.hash === undefined) {
    const recordKey = (keys.deriver as NonNullable<SchemeKeys['deriver']>).fresh(nonce)
    const cipher = createCipheriv(scheme.cipher as 'aes-256-gcm', recordKey, nonce.subarray(12), AEAD)
    recordKey.fill(0)
    cipher.setAAD(aad)
    at += update(cipher, body).copy(record, at)
    at += cipher.final().copy(record, at)
    cipher.getAuthTag().copy(record, at)
    return
  }
  const cipher = createCipheriv(scheme.cipher, keys.encryption, nonce)
  const start = at
  at += update(cipher, body).copy(record, at)
  at += cipher.final().copy(record, at)
  macTag(keys, scheme, aad, nonce, record.subarray(start, at)).copy(record, at)
}

function update(cipher: Cipher, body: Uint8Array | string): Buffer {
  return typeof body === 'string' ? cipher.update(body, 'utf8') : cipher.update(body)
}

/**
 * Seals `plain` (bytes, or text to be encoded as UTF-8) for the Redis key `redisKey` with the newest key of `ring`, as a version 2
 * record. `times` (or, for older callers, a bare sealed-at number) sets the two header times.
 */
export function seal(plain: Uint8Array | string, redisKey: string, ring: KeyRing, settings: SealSettings, times?: SealTimes | number): Buffer | string {
  const { scheme } = settings
  const [sealedAt, createdAt] = timesOf(times)
  const keys = ring.keysFor(ring.currentId, scheme, V2) as SchemeKeys
  const plainBytes = typeof plain === 'string' ? Buffer.byteLength(plain, 'utf8') : plain.length
  const [body, flags] = compress(plain, plainBytes, settings.compression)
  const bodyBytes = typeof body === 'string' ? plainBytes : body.length
  const nonceLength = nonceBytes(scheme, V2)
  const bodyLength = scheme.cipher === 'aes-256-cbc' ? (Math.floor(bodyBytes / 16) + 1) * 16 : bodyBytes
  const record = Buffer.allocUnsafe(HEADER_V2_BYTES + nonceLength + bodyLength + scheme.tagBytes)
  record.writeUInt8(FORMAT_VERSION, 0)
  record.writeUInt8(scheme.id, 1)
  record.writeUInt32BE(keys.id, KEY_ID_AT)
  record.writeUInt8(flags, 6)
  record.writeUIntBE(sealedAt, SEALED_AT, TIME_BYTES)
  record.writeUIntBE(createdAt, CREATED_AT, TIME_BYTES)
  record.writeUInt32BE(plainBytes, PLAINTEXT_BYTES_AT)
  const nonce = record.subarray(HEADER_V2_BYTES, HEADER_V2_BYTES + nonceLength)
  if (keys.deriver === undefined) fillNonce(nonce)
  const aad = additionalData(record.subarray(0, HEADER_V2_BYTES), redisKey)
  encryptInto(record, HEADER_V2_BYTES + nonceLength, scheme, keys, aad, nonce, body)
  return settings.encoding === 'binary' ? record : record.toString(settings.encoding)
}
