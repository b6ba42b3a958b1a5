import { COMPRESSION_MASK, HEADER_BYTES, HEADER_V2_BYTES, PLAINTEXT_BYTES_AT, schemeById, V2 } from '../codec/format.js'

/**
 * Plaintext bytes assumed per stored byte of a compressed v1 record. A v1 header does not carry the
 * plaintext size (a v2 header does, and is read instead), and JSON sessions gzip or brotli about 4 to 8 times smaller: 8 sends a
 * compressed record to the pool once its plaintext may reach `offloadThreshold`. A record that
 * compresses better than this opens inline until its plaintext is that much larger.
 */
export const ASSUMED_COMPRESSION_RATIO = 8

const HEX_FIRST = 0x30 // '0' of "01", the version byte in hex
const BASE64_FIRST = 0x41 // 'A', the version byte in base64 and base64url

/** The record's header decoded from its text encoding, and its decoded length. */
function decodedHead(stored: Uint8Array): { head: Uint8Array; length: number } {
  const first = stored[0]
  if (first === HEX_FIRST) {
    return { head: Buffer.from(Buffer.from(stored.subarray(0, HEADER_V2_BYTES * 2)).toString('latin1'), 'hex'), length: stored.length >>> 1 }
  }
  if (first === BASE64_FIRST) {
    let padding = 0
    while (padding < 2 && stored[stored.length - 1 - padding] === 0x3d) padding++
    const head = Buffer.from(Buffer.from(stored.subarray(0, Math.ceil(HEADER_V2_BYTES / 3) * 4)).toString('latin1'), 'base64')
    return { head, length: Math.floor((stored.length * 3) / 4) - padding }
  }
  return { head: stored, length: stored.length }
}

/**
 * The plaintext size of a stored record, from its header and length without opening it: what
 * `offloadThreshold` is compared with on `get`. Exact for an uncompressed AEAD record (CBC adds
 * at most 16 bytes of padding), estimated with {@link ASSUMED_COMPRESSION_RATIO} when compressed.
 * A v2 record's header carries the exact plaintext length (authenticated when it opens), which wins.
 */
export function plaintextBytesOf(stored: Uint8Array): number {
  const { head, length } = decodedHead(stored)
  if (length < HEADER_BYTES) return length
  if (head[0] === V2 && head.length >= HEADER_V2_BYTES) return Buffer.from(head.buffer, head.byteOffset, head.byteLength).readUInt32BE(PLAINTEXT_BYTES_AT)
  const scheme = schemeById(head[1] as number)
  const body = Math.max(0, length - HEADER_BYTES - (scheme ? scheme.nonceBytes + scheme.tagBytes : 0))
  return ((head[6] as number) & COMPRESSION_MASK) === 0 ? body : body * ASSUMED_COMPRESSION_RATIO
}
