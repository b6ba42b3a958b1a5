import { KeyRing, type MasterKey } from '../codec/keyring.js'
import { KRUPTEIN_CIPHERS, KRUPTEIN_ENCODINGS, KRUPTEIN_HASHES, type KrupteinSettings } from '../legacy/kruptein.js'
import type { Secret } from '../options/types.js'
import { DEFAULTS } from '../options/resolve.js'
import { checkSecrets, deriveMasterKeys } from '../codec/secrets.js'
import { SealedOptionsError } from '../errors.js'
import { CliError, EXIT } from './cli-error.js'
import { keyIdHex } from './record-info.js'
import { legacySecret, requireStoreSecrets, storeSecrets } from './secret-source.js'
import { connectRedis, type SessionRedis } from './session-redis.js'

/** Options every Redis command takes. */
export interface CommonOptions {
  url?: string
  prefix: string
  /** The store's `keySalt` (default: the prefix, as in the store). */
  keySalt?: string
  secretFile?: string
  secretEnv: string
  /** `passphrase` (the app passes the strings), or how the app decodes each entry into a 32-byte Buffer. */
  secretEncoding: string
}

const SECRET_ENCODINGS = ['passphrase', 'base64url', 'base64', 'hex'] as const

/** Options of the commands that read connect-redis-crypto records. */
export interface LegacyCliOptions {
  legacySecretFile?: string
  legacyAlgorithm: string
  legacyHashing: string
  legacyEncodeas: string
}

/** The largest session the CLI opens, as the store's default. */
export const MAX_BYTES = DEFAULTS.maxSessionBytes

/** The store's keys: the ring and which ids are in it. */
export interface Keys {
  readonly ring: KeyRing
  readonly masters: readonly MasterKey[]
}

/**
 * The secrets as the app hands them to the store: strings, or 32-byte Buffers decoded as
 * `encoding`; refused exactly when the store would refuse them (its own check).
 */
function asStoreSecrets(entries: readonly string[], encoding: string): Secret[] {
  const how = pick('--secret-encoding', encoding, SECRET_ENCODINGS)
  const secrets =
    how === 'passphrase'
      ? [...entries]
      : entries.map((entry, i) => {
          const key = Buffer.from(entry, how)
          if (key.length !== 32) throw new CliError(`secret entry ${i + 1} does not decode (${how}) to 32 bytes`, EXIT.usage)
          return key
        })
  try {
    return checkSecrets(secrets)
  } catch (error) {
    if (error instanceof SealedOptionsError) throw new CliError(`the store would refuse this secret: ${error.message.replace(/^connect-redis-sealed: /, '')}`, EXIT.usage)
    throw error
  }
}

export async function loadKeys(secrets: readonly Secret[], keySalt?: string): Promise<Keys> {
  try {
    const masters = await deriveMasterKeys(secrets, keySalt)
    return { ring: new KeyRing(masters), masters }
  } catch (error) {
    throw new CliError(`bad secret list: ${(error as Error).message}`, EXIT.usage)
  }
}

/** The store's keys, or a usage error when no secret is configured. */
export const requireKeys = (o: CommonOptions): Promise<Keys> => loadKeys(asStoreSecrets(requireStoreSecrets(o.secretFile, o.secretEnv), o.secretEncoding), o.keySalt ?? o.prefix)

/** The secrets as the app passes them to the store, or a usage error when none is configured. */
export const requireSecrets = (o: CommonOptions): Secret[] => asStoreSecrets(requireStoreSecrets(o.secretFile, o.secretEnv), o.secretEncoding)

/** The store's keys when a secret is configured. */
export async function optionalKeys(o: CommonOptions): Promise<Keys | undefined> {
  const secrets = storeSecrets(o.secretFile, o.secretEnv)
  return secrets ? loadKeys(asStoreSecrets(secrets, o.secretEncoding), o.keySalt ?? o.prefix) : undefined
}

/** `'current'`, `'older'` (another configured secret) or `'unknown'` (no configured secret). */
export function keyStatus(keys: Keys | undefined, keyId: string): string {
  if (!keys) return 'no secret given'
  if (keyId === keyIdHex(keys.ring.currentId)) return 'current'
  return keys.masters.some((m) => keyIdHex(m.id) === keyId) ? 'older' : 'unknown'
}

function pick<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new CliError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`, EXIT.usage)
  return value as T
}

/** connect-redis-crypto settings when LEGACY_SECRET or --legacy-secret-file is given. */
export function legacySettings(o: LegacyCliOptions): KrupteinSettings | undefined {
  const secret = legacySecret(o.legacySecretFile)
  if (secret === undefined) return undefined
  return {
    secret,
    algorithm: pick('--legacy-algorithm', o.legacyAlgorithm, KRUPTEIN_CIPHERS),
    hashing: pick('--legacy-hashing', o.legacyHashing, KRUPTEIN_HASHES),
    encodeas: pick('--legacy-encodeas', o.legacyEncodeas, KRUPTEIN_ENCODINGS),
  }
}

export function redisUrl(o: CommonOptions): string {
  const url = o.url ?? process.env.REDIS_URL
  if (!url) throw new CliError('no Redis: give --url redis://host:port or set REDIS_URL', EXIT.usage)
  return url
}

/** Runs `work` with a connected client and always closes it. */
export async function withRedis<T>(o: CommonOptions, work: (redis: SessionRedis) => Promise<T>): Promise<T> {
  const redis = await connectRedis(redisUrl(o))
  try {
    return await work(redis)
  } finally {
    await redis.close().catch(() => {})
  }
}

export const out = (line: string): void => void process.stdout.write(`${line}\n`)
export const note = (line: string): void => void process.stderr.write(`${line}\n`)
