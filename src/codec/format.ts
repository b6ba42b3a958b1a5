/**
 * The sealed envelope (all integers big-endian; see FORMAT.md). Version 1, read forever:
 *
 *   offset  size  field
 *   0       1     version            0x01
 *   1       1     algorithm id       see ALGORITHM_IDS
 *   2       4     key id             uint32, a fingerprint of the key that sealed
 *   6       1     flags              bits 0-1: compression (0 none, 1 gzip, 2 brotli); others 0
 *   7       6     sealed at          uint48, milliseconds since the Unix epoch
 *   13      n     nonce / IV         12 bytes (AEAD) or 16 bytes (CBC, CTR)
 *   13+n    m     ciphertext
 *   end-t   t     tag                16 bytes (AEAD) or half the HMAC output (CBC, CTR)
 *
 * Version 2, written now: bytes 0-12 as in version 1 (version 0x02), then
 *
 *   13      6     created at         uint48, ms: when the session was first sealed
 *   19      4     plaintext bytes    uint32, length of the uncompressed plaintext
 *   23      n     nonce              24 bytes (XAES-256-GCM, ChaCha20 with the XAES KDF) or 16 (CBC, CTR)
 *
 * Additional authenticated data: the header bytes followed by the UTF-8 Redis key.
 */
export const FORMAT_VERSION = 2
export const V1 = 1
export const V2 = 2
export type FormatVersion = typeof V1 | typeof V2
/** Header length of version 1 records. */
export const HEADER_BYTES = 13
export const HEADER_V2_BYTES = 23
/** The nonce of a version 2 AEAD record: 12 bytes for the per-record key, 12 for the cipher. */
export const XNONCE_BYTES = 24
/** The largest header + nonce + tag of any version, bounding a stored record before it is decoded. */
export const MAX_OVERHEAD_BYTES = HEADER_V2_BYTES + XNONCE_BYTES + 64

/** Where the header's fields start (see the layout above); both versions share the first four. */
export const KEY_ID_AT = 2
export const SEALED_AT = 7
/** Version 2 only. */
export const CREATED_AT = 13
/** Version 2 only. */
export const PLAINTEXT_BYTES_AT = 19
/** Bytes of each time field (uint48, ms since the epoch). */
export const TIME_BYTES = 6

export function headerBytes(version: FormatVersion): number {
  return version === V1 ? HEADER_BYTES : HEADER_V2_BYTES
}

/** Nonce length of `scheme` in records of `version`. */
export function nonceBytes(scheme: Scheme, version: FormatVersion): number {
  return version === V2 && scheme.hash === undefined ? XNONCE_BYTES : scheme.nonceBytes
}

export type CipherName = 'aes-256-gcm' | 'chacha20-poly1305' | 'aes-256-cbc' | 'aes-256-ctr'
export type HashName = 'sha256' | 'sha384' | 'sha512'
export type CompressionName = 'gzip' | 'brotli'

export const CIPHERS: readonly CipherName[] = ['aes-256-gcm', 'chacha20-poly1305', 'aes-256-cbc', 'aes-256-ctr']
export const HASHES: readonly HashName[] = ['sha256', 'sha384', 'sha512']
export const COMPRESSIONS: readonly CompressionName[] = ['gzip', 'brotli']

/** One concrete sealing scheme: a cipher, and for the non-AEAD ciphers the HMAC hash. */
export interface Scheme {
  readonly id: number
  readonly cipher: CipherName
  readonly hash: HashName | undefined
  readonly nonceBytes: number
  readonly tagBytes: number
}

const HASH_IDS: Record<HashName, number> = { sha256: 1, sha384: 2, sha512: 3 }
const HASH_BYTES: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 }

function etm(cipher: CipherName, base: number, hash: HashName): Scheme {
  return { id: base | HASH_IDS[hash], cipher, hash, nonceBytes: 16, tagBytes: HASH_BYTES[hash] / 2 }
}

const SCHEMES: readonly Scheme[] = [
  { id: 0x01, cipher: 'aes-256-gcm', hash: undefined, nonceBytes: 12, tagBytes: 16 },
  { id: 0x02, cipher: 'chacha20-poly1305', hash: undefined, nonceBytes: 12, tagBytes: 16 },
  ...HASHES.map((h) => etm('aes-256-cbc', 0x10, h)),
  ...HASHES.map((h) => etm('aes-256-ctr', 0x20, h)),
]

const BY_ID = new Map(SCHEMES.map((s) => [s.id, s]))

/** The scheme stored under an algorithm id byte, or undefined for an unknown id. */
export function schemeById(id: number): Scheme | undefined {
  return BY_ID.get(id)
}

/** The scheme for a configured cipher (the hash only matters for CBC and CTR). */
export function schemeFor(cipher: CipherName, hash: HashName): Scheme {
  const wanted = cipher === 'aes-256-cbc' || cipher === 'aes-256-ctr' ? hash : undefined
  const found = SCHEMES.find((s) => s.cipher === cipher && s.hash === wanted)
  if (!found) throw new Error(`no scheme for ${cipher}/${hash}`)
  return found
}

export const COMPRESSION_FLAGS: Record<CompressionName, number> = { gzip: 1, brotli: 2 }
export const COMPRESSION_MASK = 0b11

