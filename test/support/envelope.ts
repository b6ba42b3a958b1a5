/** The envelope layout as the tests expect it (FORMAT.md), written out independently of src/codec. */
import type { CipherName, Encoding, HashName } from '../../src/index.js'

export interface SchemeCase {
  readonly label: string
  readonly algorithm: CipherName
  readonly hashing?: HashName
  /** The algorithm id byte (offset 1). */
  readonly id: number
  /** In version 2 records (24 for the AEADs: 12 for the per-record key, 12 for the cipher). */
  readonly nonceBytes: number
  readonly tagBytes: number
}

/** Version 2, which every new record uses: 13 bytes as in version 1, created-at (6), plaintext length (4). */
export const HEADER_BYTES = 23
export const V1_HEADER_BYTES = 13

export const SCHEME_CASES: readonly SchemeCase[] = [
  { label: 'aes-256-gcm', algorithm: 'aes-256-gcm', id: 0x01, nonceBytes: 24, tagBytes: 16 },
  { label: 'chacha20-poly1305', algorithm: 'chacha20-poly1305', id: 0x02, nonceBytes: 24, tagBytes: 16 },
  { label: 'aes-256-cbc+sha256', algorithm: 'aes-256-cbc', hashing: 'sha256', id: 0x11, nonceBytes: 16, tagBytes: 16 },
  { label: 'aes-256-cbc+sha384', algorithm: 'aes-256-cbc', hashing: 'sha384', id: 0x12, nonceBytes: 16, tagBytes: 24 },
  { label: 'aes-256-cbc+sha512', algorithm: 'aes-256-cbc', hashing: 'sha512', id: 0x13, nonceBytes: 16, tagBytes: 32 },
  { label: 'aes-256-ctr+sha256', algorithm: 'aes-256-ctr', hashing: 'sha256', id: 0x21, nonceBytes: 16, tagBytes: 16 },
  { label: 'aes-256-ctr+sha384', algorithm: 'aes-256-ctr', hashing: 'sha384', id: 0x22, nonceBytes: 16, tagBytes: 24 },
  { label: 'aes-256-ctr+sha512', algorithm: 'aes-256-ctr', hashing: 'sha512', id: 0x23, nonceBytes: 16, tagBytes: 32 },
]

export const ENCODINGS: readonly Encoding[] = ['binary', 'base64', 'base64url', 'hex']

const TEXT_FORMS: Record<Exclude<Encoding, 'binary'>, RegExp> = {
  hex: /^[0-9a-f]+$/,
  base64: /^[A-Za-z0-9+/]+={0,2}$/,
  base64url: /^[A-Za-z0-9_-]+$/,
}

/** The envelope bytes of a stored value written with `encodeas`; asserts text encodings are well formed. */
export function envelopeOf(stored: Buffer, encodeas: Encoding): Buffer {
  if (encodeas === 'binary') return stored
  const text = stored.toString('latin1')
  if (!TEXT_FORMS[encodeas].test(text)) throw new Error(`stored value is not ${encodeas} text`)
  return Buffer.from(text, encodeas)
}

/** Writes envelope bytes back in the same text form. */
export function encodeEnvelope(envelope: Buffer, encodeas: Encoding): Buffer | string {
  return encodeas === 'binary' ? envelope : envelope.toString(encodeas)
}

/** A copy of `bytes` with bit `bit` (0 = most significant bit of byte 0) inverted. */
export function flipBit(bytes: Buffer, bit: number): Buffer {
  const copy = Buffer.from(bytes)
  const index = Math.floor(bit / 8)
  copy[index] = (copy[index] as number) ^ (0x80 >> bit % 8)
  return copy
}
