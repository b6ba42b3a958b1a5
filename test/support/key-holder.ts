/** What only a key holder (or a foreign tool with the key) can do: rewrite a record's header and sign it anew. */
import { additionalData, macTag } from '../../src/codec/envelope.js'
import { HEADER_V2_BYTES, V2, nonceBytes, schemeById } from '../../src/codec/format.js'
import type { KeyRing, SchemeKeys } from '../../src/codec/keyring.js'

/**
 * A copy of a binary version 2 record of an encrypt-then-MAC scheme (CBC, CTR) whose header
 * `edit` changed, with its HMAC tag computed again for `redisKey`, so it authenticates.
 */
export function reHeadered(sealed: Buffer, redisKey: string, ring: KeyRing, edit: (header: Buffer) => void): Buffer {
  const record = Buffer.from(sealed)
  const scheme = schemeById(record.readUInt8(1))
  if (scheme?.hash === undefined) throw new Error('reHeadered needs an HMAC scheme (aes-256-cbc or aes-256-ctr)')
  const keys = ring.keysFor(record.readUInt32BE(2), scheme, V2) as SchemeKeys
  edit(record.subarray(0, HEADER_V2_BYTES))
  const bodyStart = HEADER_V2_BYTES + nonceBytes(scheme, V2)
  const tagStart = record.length - scheme.tagBytes
  const aad = additionalData(record.subarray(0, HEADER_V2_BYTES), redisKey)
  macTag(keys, scheme, aad, record.subarray(HEADER_V2_BYTES, bodyStart), record.subarray(bodyStart, tagStart)).copy(record, tagStart)
  return record
}
