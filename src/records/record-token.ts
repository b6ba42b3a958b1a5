import { HEADER_BYTES, HEADER_V2_BYTES, V1, V2 } from '../codec/format.js'

/**
 * What identifies the exact record a session was read from, so a write can ask Redis "is this
 * still it?" without sending the whole record back: its first stored bytes. For this package's
 * records they cover the header and the first 12 nonce bytes (96 fresh random bits per seal, in
 * every version, algorithm and encoding), so no two seals share them. Other values (legacy
 * records, anything unknown) are identified by their whole bytes.
 */
export interface RecordToken {
  readonly head: Buffer
  /** True when `head` is the whole value (a legacy or unknown record), false when it is a prefix. */
  readonly whole: boolean
}

/** Random nonce bytes covered by a token: every algorithm's nonce has at least these. */
const NONCE_BYTES_IN_TOKEN = 12
const HEX = 0x30
const BASE64 = 0x41

function versionOf(stored: Uint8Array): number | undefined {
  const first = stored[0]
  if (first === HEX) return stored.length >= 2 ? Number.parseInt(Buffer.from(stored.subarray(0, 2)).toString('latin1'), 16) : undefined
  if (first === BASE64) return stored.length >= 4 ? Buffer.from(Buffer.from(stored.subarray(0, 4)).toString('latin1'), 'base64')[0] : undefined
  return first
}

/** Stored bytes that hold the first `recordBytes` bytes of the record, in the record's own encoding. */
function storedBytesFor(first: number | undefined, recordBytes: number): number {
  if (first === HEX) return recordBytes * 2
  if (first === BASE64) return Math.ceil(recordBytes / 3) * 4
  return recordBytes
}

/** Stored bytes a token of this package's records covers at most (hex of a version 2 header and 12 nonce bytes). */
const MAX_HEAD = (HEADER_V2_BYTES + NONCE_BYTES_IN_TOKEN) * 2

/** The token of a stored value (copied: a reply may be a view into a socket buffer), or of a text-encoded record just sealed. */
export function recordToken(value: Uint8Array | string): RecordToken {
  const head = Buffer.from(headOf(typeof value === 'string' ? Buffer.from(value.slice(0, MAX_HEAD), 'latin1') : value))
  return { head, whole: head.length === value.length }
}

function headOf(stored: Uint8Array): Uint8Array {
  const version = versionOf(stored)
  const header = version === V1 ? HEADER_BYTES : version === V2 ? HEADER_V2_BYTES : undefined
  const wanted = header === undefined ? stored.length : storedBytesFor(stored[0], header + NONCE_BYTES_IN_TOKEN)
  return stored.subarray(0, Math.min(wanted, stored.length))
}
