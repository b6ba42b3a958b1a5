import { hkdf, scrypt } from 'node:crypto'
import { promisify } from 'node:util'
import { keyIdOf, type MasterKey } from './keyring.js'
import { SealedOptionsError } from '../errors.js'
import type { Secret } from '../options/types.js'

const hkdfAsync = promisify(hkdf)

/** scrypt cost for passphrases: N = 2^15, r = 8, p = 1 (about 32 MiB and 50-100 ms, once per secret at start-up). */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const
const SCRYPT_SALT = 'connect-redis-sealed/scrypt/v1'
const KEY_SALT = 'connect-redis-sealed/key/v1'
export const KEY_BYTES = 32
export const SHORT_SECRET_CHARS = 32

/** Checks the `secret` option and returns its entries, newest first. */
export function checkSecrets(value: unknown): Secret[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value]
  if (value === undefined) throw new SealedOptionsError('secret', 'is required')
  if (list.length === 0) throw new SealedOptionsError('secret', 'must not be an empty array')
  list.forEach((entry, index) => {
    const where = Array.isArray(value) ? `[${index}]` : ''
    if (typeof entry === 'string') {
      if (entry.length === 0) throw new SealedOptionsError(`secret${where}`, 'must not be an empty string')
    } else if (entry instanceof Uint8Array) {
      if (entry.length !== KEY_BYTES) {
        throw new SealedOptionsError(`secret${where}`, `must be exactly ${KEY_BYTES} bytes when given as a Buffer (got ${entry.length})`)
      }
    } else {
      throw new SealedOptionsError(`secret${where}`, 'must be a string or a 32-byte Buffer')
    }
  })
  const seen = new Set(list.map((entry) => (typeof entry === 'string' ? `s:${entry}` : `b:${Buffer.from(entry as Uint8Array).toString('hex')}`)))
  if (seen.size !== list.length) throw new SealedOptionsError('secret', 'lists the same secret twice')
  return list as Secret[]
}

/** True when some passphrase is shorter than {@link SHORT_SECRET_CHARS} characters. */
export function hasShortPassphrase(secrets: readonly Secret[]): boolean {
  return secrets.some((s) => typeof s === 'string' && s.length < SHORT_SECRET_CHARS)
}

async function masterOf(secret: Secret): Promise<Uint8Array> {
  if (typeof secret === 'string') {
    return new Promise((resolve, reject) => scrypt(secret, SCRYPT_SALT, KEY_BYTES, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))))
  }
  return new Uint8Array(await hkdfAsync('sha256', secret, KEY_SALT, 'master', KEY_BYTES))
}

/** Derives each secret's master key once, off the event loop (libuv thread pool). */
export async function deriveMasterKeys(secrets: readonly Secret[]): Promise<MasterKey[]> {
  const masters = await Promise.all(secrets.map(masterOf))
  const keys = masters.map((key) => ({ id: keyIdOf(key), key }))
  const ids = new Set(keys.map((k) => k.id))
  if (ids.size !== keys.length) throw new SealedOptionsError('secret', 'lists the same secret twice')
  return keys
}
