import { createDecipheriv, timingSafeEqual } from 'node:crypto'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { AEAD, additionalData, finish, macTag } from './envelope.js'
import { COMPRESSION_FLAGS, COMPRESSION_MASK, CREATED_AT, HEADER_BYTES, KEY_ID_AT, PLAINTEXT_BYTES_AT, SEALED_AT, TIME_BYTES, HEADER_V2_BYTES, MAX_OVERHEAD_BYTES, V1, V2, headerBytes, nonceBytes, schemeById, type FormatVersion, type Scheme } from './format.js'
import type { KeyRing, SchemeKeys } from './keyring.js'
import type { Opened } from './opened.js'

type Failure = Extract<Opened, { ok: false }>

/**
 * The envelope bytes of a stored value, decoded leniently (for tools that inspect records).
 * Binary records start with the version byte (0x01, 0x02); their hex form starts with "0" and
 * their base64 forms with "A", so every encoding reads back whatever `encodeas` is set to now.
 */
export function toRecordBytes(stored: Uint8Array): Buffer {
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength)
  if (bytes[0] === 0x30) return Buffer.from(bytes.toString('latin1'), 'hex')
  if (bytes[0] === 0x41) return Buffer.from(bytes.toString('latin1'), 'base64')
  return bytes
}

/**
 * The envelope bytes of a stored value, or why not: a value longer than any record of
 * `maxBytes` could be is refused before it is decoded (`too-large`), and a text form that is
 * not exactly what the encoder writes (lowercase even-length hex; base64 with its padding, or
 * base64url without; no whitespace, no junk, zero unused bits) is refused (`encoding`).
 */
export function decodeStored(stored: Uint8Array, maxBytes: number): Buffer | Failure {
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength)
  const limit = maxBytes + 16 + MAX_OVERHEAD_BYTES
  const first = bytes[0]
  if (first !== 0x30 && first !== 0x41) return bytes.length > limit ? { ok: false, reason: 'too-large' } : bytes
  const hex = first === 0x30
  if (bytes.length > (hex ? limit * 2 : Math.ceil(limit / 3) * 4)) return { ok: false, reason: 'too-large' }
  try {
    const text = bytes.toString('latin1')
    if (hex) {
      const record = Buffer.from(text, 'hex')
      return record.toString('hex') === text ? record : { ok: false, reason: 'encoding' }
    }
    const record = Buffer.from(text, 'base64')
    return record.toString('base64') === text || record.toString('base64url') === text ? record : { ok: false, reason: 'encoding' }
  } catch {
    // Only a maxSessionBytes near V8's string limit gets here (ERR_STRING_TOO_LONG).
    return { ok: false, reason: 'too-large' }
  }
}

function decompress(body: Buffer, flags: number, maxBytes: number): Failure | Buffer {
  if (flags === 0) return body.length > maxBytes ? { ok: false, reason: 'too-large' } : body
  try {
    const options = { maxOutputLength: Math.max(1, maxBytes) }
    return flags === COMPRESSION_FLAGS.gzip ? gunzipSync(body, options) : brotliDecompressSync(body, options)
  } catch (error) {
    const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
    return { ok: false, reason: tooLarge ? 'too-large' : 'decompress' }
  }
}

function decrypt(version: FormatVersion, scheme: Scheme, keys: SchemeKeys, aad: Buffer, nonce: Buffer, body: Buffer, tag: Buffer): Buffer | undefined {
  try {
    if (scheme.hash === undefined) {
      const recordKey = version === V1 ? undefined : (keys.deriver as NonNullable<SchemeKeys['deriver']>).derive(nonce)
      const iv = version === V1 ? nonce : nonce.subarray(12)
      const decipher = createDecipheriv(scheme.cipher as 'aes-256-gcm', recordKey ?? keys.encryption, iv, AEAD)
      recordKey?.fill(0)
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

/** Opens decoded record bytes (version 1 or 2). Never throws. */
export function openRecord(record: Buffer, redisKey: string, ring: KeyRing, maxBytes: number): Opened {
  if (record.length < HEADER_BYTES) return { ok: false, reason: 'truncated' }
  const version = record.readUInt8(0)
  if (version !== V1 && version !== V2) return { ok: false, reason: 'version' }
  if (version === V2 && record.length < HEADER_V2_BYTES) return { ok: false, reason: 'truncated' }
  const scheme = schemeById(record.readUInt8(1))
  if (!scheme) return { ok: false, reason: 'algorithm' }
  const flags = record.readUInt8(6)
  if ((flags & ~COMPRESSION_MASK) !== 0 || flags === COMPRESSION_MASK) return { ok: false, reason: 'flags' }
  const keyId = record.readUInt32BE(KEY_ID_AT)
  const keys = ring.keysFor(keyId, scheme, version)
  if (!keys) return { ok: false, reason: 'key' }
  const header = headerBytes(version)
  const bodyStart = header + nonceBytes(scheme, version)
  const tagStart = record.length - scheme.tagBytes
  if (tagStart < bodyStart) return { ok: false, reason: 'truncated' }
  const plaintextBytes = version === V2 ? record.readUInt32BE(PLAINTEXT_BYTES_AT) : undefined
  // No stored body longer than the largest plaintext (plus one cipher block of padding) is worth decrypting.
  if ((plaintextBytes ?? 0) > maxBytes || tagStart - bodyStart > maxBytes + 16) return { ok: false, reason: 'too-large' }
  const aad = additionalData(record.subarray(0, header), redisKey)
  const nonce = record.subarray(header, bodyStart)
  const plainBody = decrypt(version, scheme, keys, aad, nonce, record.subarray(bodyStart, tagStart), record.subarray(tagStart))
  if (!plainBody) return { ok: false, reason: 'tag' }
  const sealedAt = record.readUIntBE(SEALED_AT, TIME_BYTES)
  const createdAt = version === V2 ? record.readUIntBE(CREATED_AT, TIME_BYTES) : sealedAt
  // Authenticated, so only a key holder or a foreign tool wrote it: a session created after its
  // last seal would never reach absoluteTimeout (now - createdAt stays negative).
  if (createdAt > sealedAt) return { ok: false, reason: 'created-after-sealed' }
  const plain = decompress(plainBody, flags, plaintextBytes ?? maxBytes)
  // Authenticated, so only a faulty sealer could get here; a plaintext longer (inflation stopped at
  // the stated length) or shorter than the v2 header states is a mismatch, and not a session.
  if (plaintextBytes !== undefined && (!Buffer.isBuffer(plain) ? plain.reason === 'too-large' : plain.length !== plaintextBytes)) return { ok: false, reason: 'decompress' }
  if (!Buffer.isBuffer(plain)) return plain
  return { ok: true, plain, keyId, sealedAt, createdAt, version, plaintextBytes: plain.length }
}

/**
 * Opens a stored value sealed for `redisKey`. Never throws: every failure is an `{ ok: false }`
 * with a coarse reason, and nothing of the record's content is returned unless it authenticated.
 */
export function open(stored: Uint8Array, redisKey: string, ring: KeyRing, maxBytes: number): Opened {
  const record = decodeStored(stored, maxBytes)
  return Buffer.isBuffer(record) ? openRecord(record, redisKey, ring, maxBytes) : record
}
