import { hkdf, scrypt } from 'node:crypto'
import { promisify } from 'node:util'
import { keyIdOf, type MasterKey } from './keyring.js'
import { SealedOptionsError } from '../errors.js'
import type { Secret } from '../options/types.js'

const hkdfAsync = promisify(hkdf)

/**
 * scrypt for passphrases: N = 2^17, r = 8, p = 1 (OWASP's minimum; 128 MiB and a few hundred ms,
 * once per secret at start-up), salted per deployment with `keySalt`.
 */
const SCRYPT = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 } as const
const SCRYPT_SALT = 'connect-redis-sealed/scrypt/v2/'
/** The derivation of versions up to 0.x: N = 2^15 with one salt for everyone. Open-only now. */
const SCRYPT_V1 = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const
const SCRYPT_V1_SALT = 'connect-redis-sealed/scrypt/v1'
const KEY_SALT = 'connect-redis-sealed/key/v1'
export const KEY_BYTES = 32
export const MIN_PASSPHRASE_CHARS = 32
/** The `keySalt` of a store that sets neither it nor `prefix`. */
export const DEFAULT_KEY_SALT = 'sess:'

/** Checks the `secret` option and returns its entries, newest first. */
export function checkSecrets(value: unknown): Secret[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value]
  if (value === undefined) throw new SealedOptionsError('secret', 'is required')
  if (list.length === 0) throw new SealedOptionsError('secret', 'must not be an empty array')
  list.forEach((entry, index) => {
    const where = Array.isArray(value) ? `[${index}]` : ''
    if (typeof entry === 'string') {
      if (entry.length < MIN_PASSPHRASE_CHARS) {
        throw new SealedOptionsError(`secret${where}`, `must be a passphrase of at least ${MIN_PASSPHRASE_CHARS} characters (got ${entry.length}); \`npx connect-redis-sealed keygen\` makes one`)
      }
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

function scryptAsync(secret: string, salt: string, params: typeof SCRYPT | typeof SCRYPT_V1): Promise<Uint8Array> {
  return new Promise((resolve, reject) => scrypt(secret, salt, KEY_BYTES, params, (err, key) => (err ? reject(err) : resolve(key))))
}

/** A secret's sealing master key, and for a passphrase also the open-only key of the old derivation. */
async function mastersOf(secret: Secret, keySalt: string): Promise<[Uint8Array, Uint8Array | undefined]> {
  if (typeof secret !== 'string') return [new Uint8Array(await hkdfAsync('sha256', secret, KEY_SALT, 'master', KEY_BYTES)), undefined]
  // Both on the libuv pool at once: the old one (a quarter of the cost) hides inside the new one.
  return Promise.all([scryptAsync(secret, SCRYPT_SALT + keySalt, SCRYPT), scryptAsync(secret, SCRYPT_V1_SALT, SCRYPT_V1)])
}

/**
 * Derives each secret's master key once, off the event loop. The ring is the secrets in order,
 * then, for passphrases, their old (N = 2^15, fixed salt) derivations as older keys: records
 * sealed under those still open, and the next write re-seals them under the new key. Passphrases
 * are derived two at a time (a rotation's pair at once), so a list never holds more than two
 * 128 MiB scrypts.
 */
export async function deriveMasterKeys(secrets: readonly Secret[], keySalt: string = DEFAULT_KEY_SALT): Promise<MasterKey[]> {
  const current: Uint8Array[] = []
  const older: Uint8Array[] = []
  for (let i = 0; i < secrets.length; i += 2) {
    for (const [key, old] of await Promise.all(secrets.slice(i, i + 2).map((secret) => mastersOf(secret, keySalt)))) {
      current.push(key)
      if (old) older.push(old)
    }
  }
  const keys = [...current, ...older].map((key) => ({ id: keyIdOf(key), key }))
  const ids = new Set(keys.map((k) => k.id))
  if (ids.size !== keys.length) throw new SealedOptionsError('secret', 'lists the same secret twice')
  return keys
}
