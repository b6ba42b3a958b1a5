import { createHmac, randomFillSync } from 'node:crypto'
import type { Scheme } from './format.js'
import type { SchemeKeys } from './keyring.js'

/** Pieces shared by seal and open: nonces, the additional data, the encrypt-then-MAC tag. */
export const AEAD = { authTagLength: 16 } as const

// One CSPRNG call per 170 nonces instead of one per seal; each nonce is used before the pool refills.
const noncePool = Buffer.allocUnsafeSlow(4096)
let nonceOffset = noncePool.length

/** Writes fresh random bytes into `into` (the nonce field of a record being built). */
export function fillNonce(into: Buffer): void {
  const bytes = into.length
  if (nonceOffset + bytes > noncePool.length) {
    randomFillSync(noncePool)
    nonceOffset = 0
  }
  noncePool.copy(into, 0, nonceOffset, nonceOffset + bytes)
  nonceOffset += bytes
}

// The AAD is consumed synchronously (setAAD, HMAC update), so one scratch buffer serves every call.
const scratch = Buffer.allocUnsafeSlow(2048)

/**
 * header || UTF-8 of the Redis key, without a concat per call. The result is only valid until
 * the next call: use it at once.
 */
export function additionalData(header: Uint8Array, redisKey: string): Buffer {
  if (header.length + redisKey.length * 3 <= scratch.length) {
    scratch.set(header, 0)
    const written = scratch.write(redisKey, header.length, 'utf8')
    return scratch.subarray(0, header.length + written)
  }
  return Buffer.concat([header, Buffer.from(redisKey, 'utf8')])
}

/** HMAC(mac key, AAD || IV || ciphertext || bit length of AAD as uint64), truncated to the scheme's tag. */
export function macTag(keys: SchemeKeys, scheme: Scheme, aad: Uint8Array, iv: Uint8Array, body: Uint8Array): Buffer {
  const aadBits = Buffer.alloc(8)
  aadBits.writeBigUInt64BE(BigInt(aad.length) * 8n)
  const hmac = createHmac(scheme.hash as string, keys.mac as Buffer)
  return hmac.update(aad).update(iv).update(body).update(aadBits).digest().subarray(0, scheme.tagBytes)
}

/** update() + final() output; stream modes end with nothing, so a copy of the whole body is spared. */
export function finish(head: Buffer, tail: Buffer): Buffer {
  return tail.length === 0 ? head : Buffer.concat([head, tail])
}
