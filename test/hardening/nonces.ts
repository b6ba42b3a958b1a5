/** Nonce collection for nonce-uniqueness.test.ts, used on the main thread and in a worker thread. */
import { HEADER_V2_BYTES, schemeFor } from '../../src/codec/format.js'
import { KeyRing } from '../../src/codec/keyring.js'
import { seal } from '../../src/codec/seal.js'
import { deriveMasterKeys } from '../../src/codec/secrets.js'

/** The whole nonce of a version 2 AES-GCM (XAES-256-GCM) record: 12 bytes for the record key, 12 for GCM. */
export const GCM_NONCE_BYTES = 24
export const NONCE_SECRET = Buffer.alloc(32, 0x11)

/** The nonces of `count` AES-GCM seals of one plaintext for one Redis key, back to back in one buffer. */
export async function collectGcmNonces(count: number): Promise<Buffer> {
  const ring = new KeyRing(await deriveMasterKeys([NONCE_SECRET]))
  const settings = { scheme: schemeFor('aes-256-gcm', 'sha512'), encoding: 'binary', compression: undefined } as const
  const nonces = Buffer.alloc(count * GCM_NONCE_BYTES)
  const plain = Buffer.from('{"cookie":{}}')
  for (let i = 0; i < count; i++) (seal(plain, 'sess:same', ring, settings) as Buffer).copy(nonces, i * GCM_NONCE_BYTES, HEADER_V2_BYTES, HEADER_V2_BYTES + GCM_NONCE_BYTES)
  return nonces
}

/** How many nonces in `nonces` (each `width` bytes) equal an earlier one: sorted 64-bit prefixes, the full width only if two prefixes collide. */
export function repeatedNonces(nonces: Buffer, width: number): number {
  const count = nonces.length / width
  const prefixes = new BigUint64Array(count)
  for (let i = 0; i < count; i++) prefixes[i] = nonces.readBigUInt64BE(i * width)
  prefixes.sort()
  let prefixRepeats = 0
  for (let i = 1; i < count; i++) if (prefixes[i] === prefixes[i - 1]) prefixRepeats++
  if (prefixRepeats === 0) return 0
  const seen = new Set<string>()
  for (let i = 0; i < count; i++) seen.add(nonces.toString('hex', i * width, (i + 1) * width))
  return count - seen.size
}
