import { COMPRESSION_FLAGS, COMPRESSION_MASK, CREATED_AT, HEADER_BYTES, HEADER_V2_BYTES, KEY_ID_AT, PLAINTEXT_BYTES_AT, SEALED_AT, TIME_BYTES, V1, V2, schemeById, type CompressionName } from '../codec/format.js'
import type { Encoding } from '../codec/seal.js'
import { legacyKindOf, type LegacyKind } from '../legacy/legacy-reader.js'

/** The envelope header of a sealed record, as stored (nothing here is secret). */
export interface SealedHeader {
  readonly version: number
  readonly algorithm: string
  readonly keyId: string
  readonly flags: number
  readonly compression: CompressionName | 'none'
  readonly sealedAt: string
  /** Version 2: when the session was first sealed. */
  readonly createdAt?: string
  /** Version 2: the plaintext length in bytes. */
  readonly plaintextBytes?: number
  readonly encoding: Encoding
}

export type RecordFormat =
  | { readonly format: 'sealed'; readonly header: SealedHeader }
  | { readonly format: 'legacy'; readonly kind: LegacyKind }
  | { readonly format: 'unknown'; readonly why: string }

/** Enough leading characters of any encoding to hold the header (base64: 20, hex: 26). */
export const HEAD_BYTES = 64

const COMPRESSION_BY_FLAG = new Map(Object.entries(COMPRESSION_FLAGS).map(([name, flag]) => [flag, name as CompressionName]))

/** How a stored value is text-encoded, from its first byte (see `toRecordBytes`). */
export function encodingOf(stored: Uint8Array): Encoding | undefined {
  if (stored[0] === V1 || stored[0] === V2) return 'binary'
  if (stored[0] === 0x30) return 'hex'
  if (stored[0] !== 0x41) return undefined
  const text = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString('latin1')
  return /[-_]/.test(text) ? 'base64url' : 'base64'
}

function decodeHead(stored: Uint8Array, encoding: Encoding): Buffer {
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength)
  if (encoding === 'binary') return bytes
  const text = bytes.toString('latin1')
  // A cut-off base64 head must end on a 4-character boundary to decode cleanly.
  return encoding === 'hex' ? Buffer.from(text, 'hex') : Buffer.from(text.slice(0, text.length - (text.length % 4)), 'base64')
}

export const keyIdHex = (id: number): string => id.toString(16).padStart(8, '0')

/** What a stored value (or its first {@link HEAD_BYTES} bytes) is. Never throws. */
export function describeRecord(stored: Uint8Array): RecordFormat {
  const kind = legacyKindOf(stored)
  if (kind) return { format: 'legacy', kind }
  const encoding = encodingOf(stored)
  if (!encoding) return { format: 'unknown', why: `first byte 0x${(stored[0] ?? 0).toString(16).padStart(2, '0')}` }
  const record = decodeHead(stored, encoding)
  if (record.length < HEADER_BYTES) return { format: 'unknown', why: 'shorter than a header' }
  const version = record.readUInt8(0)
  if (version !== V1 && version !== V2) return { format: 'unknown', why: `version ${version}` }
  if (version === V2 && record.length < HEADER_V2_BYTES) return { format: 'unknown', why: 'shorter than a header' }
  const scheme = schemeById(record.readUInt8(1))
  const flags = record.readUInt8(6)
  const compression = flags & COMPRESSION_MASK
  return {
    format: 'sealed',
    header: {
      version,
      algorithm: scheme ? `${scheme.cipher}${scheme.hash ? `+hmac-${scheme.hash}` : ''}` : `unknown (0x${record.readUInt8(1).toString(16)})`,
      keyId: keyIdHex(record.readUInt32BE(KEY_ID_AT)),
      flags,
      compression: compression === 0 ? 'none' : (COMPRESSION_BY_FLAG.get(compression) ?? 'none'),
      sealedAt: new Date(record.readUIntBE(SEALED_AT, TIME_BYTES)).toISOString(),
      ...(version === V2 ? { createdAt: new Date(record.readUIntBE(CREATED_AT, TIME_BYTES)).toISOString(), plaintextBytes: record.readUInt32BE(PLAINTEXT_BYTES_AT) } : {}),
      encoding,
    },
  }
}
