/** Version 1 records as 0.1.0 wrote them (FORMAT.md, AES-256-GCM only), for tests of the upgrade path. */
import { createCipheriv, randomBytes } from 'node:crypto'
import type { Scheme } from '../../src/codec/format.js'
import type { KeyRing } from '../../src/codec/keyring.js'

export function sealV1ForTests(text: string, redisKey: string, ring: KeyRing, scheme: Scheme, sealedAt: number): Buffer {
  const keys = ring.keysFor(ring.currentId, scheme, 1)
  if (!keys || scheme.id !== 0x01) throw new Error('AES-256-GCM under the ring’s current key only')
  const header = Buffer.alloc(13)
  header.writeUInt8(1, 0)
  header.writeUInt8(scheme.id, 1)
  header.writeUInt32BE(keys.id, 2)
  header.writeUIntBE(sealedAt, 7, 6)
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keys.encryption, nonce)
  cipher.setAAD(Buffer.concat([header, Buffer.from(redisKey, 'utf8')]))
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()])
  return Buffer.concat([header, nonce, body, cipher.getAuthTag()])
}
