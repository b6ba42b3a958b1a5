import { CIPHERS, COMPRESSIONS, HASHES, schemeFor, type CipherName, type HashName } from '../codec/format.js'
import type { CompressionSettings, Encoding, SealSettings } from '../codec/seal.js'
import { describe, flag, integer, oneOf, onlyKnown, plainObject } from './checks.js'
import { SealedOptionsError } from '../errors.js'
import { KRUPTEIN_CIPHERS, KRUPTEIN_ENCODINGS, KRUPTEIN_HASHES } from '../legacy/kruptein.js'
import type { LegacySettings } from '../legacy/legacy-reader.js'
import type { RedisStoreOptions, SealErrorInfo, Secret, Serializer } from './types.js'
import { resolvePoolSettings, type PoolOption, type PoolSettings } from './pool.js'
import { sharedPool } from '../dispatch/pool.js'
import { checkSecrets } from '../codec/secrets.js'

export const DEFAULTS = {
  prefix: 'sess:',
  ttl: 86_400,
  scanCount: 100,
  algorithm: 'aes-256-gcm',
  hashing: 'sha512',
  encodeas: 'binary',
  maxSessionBytes: 8 * 1024 * 1024,
  compressMinBytes: 1024,
  timeout: 5000,
  gzipLevel: 6,
  brotliLevel: 4,
  legacyKeyCache: 1000,
} as const

const ENCODINGS: readonly Encoding[] = ['binary', 'base64', 'base64url', 'hex']
const KNOWN = new Set<string>([
  'client', 'url', 'prefix', 'ttl', 'disableTTL', 'disableTouch', 'touchAfter', 'serializer', 'scanCount', 'secret',
  'algorithm', 'hashing', 'encodeas', 'compress', 'maxSessionBytes', 'pool', 'offloadThreshold', 'onSealError',
  'timeout', 'maxSealAge', 'destroyGuard', 'legacy',
])

export interface ResolvedOptions {
  readonly client: unknown
  readonly url: string | undefined
  readonly prefix: string
  readonly ttl: number | ((session: import('express-session').SessionData) => number)
  readonly disableTTL: boolean
  readonly disableTouch: boolean
  readonly touchAfter: number | undefined
  readonly serializer: Serializer
  readonly scanCount: number
  readonly secrets: Secret[]
  readonly seal: SealSettings
  readonly maxSessionBytes: number
  readonly pool: PoolOption
  /** Undefined: the cost model places each operation (src/dispatch/cost-model.ts). */
  readonly offloadThreshold: number | undefined
  readonly onSealError: ((info: SealErrorInfo) => void) | undefined
  readonly timeout: number
  readonly maxSealAge: number | undefined
  readonly destroyGuard: number | undefined
  readonly legacy: LegacySettings | undefined
}

function resolveTtl(value: unknown): ResolvedOptions['ttl'] {
  if (typeof value === 'function') return value as ResolvedOptions['ttl']
  if (value === undefined) return DEFAULTS.ttl
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new SealedOptionsError('ttl', `must be a positive integer number of seconds or a function (got ${describe(value)})`)
  }
  return value
}

function resolveSerializer(value: unknown): Serializer {
  if (value === undefined) return JSON as Serializer
  const s = plainObject('serializer', value)
  if (typeof s.stringify !== 'function' || typeof s.parse !== 'function') {
    throw new SealedOptionsError('serializer', 'must have stringify and parse functions')
  }
  return s as unknown as Serializer
}

function resolveCompression(value: unknown): CompressionSettings | undefined {
  if (value === undefined || value === false) return undefined
  const c = value === true ? {} : plainObject('compress', value)
  onlyKnown('compress', c, ['algorithm', 'minBytes', 'level'])
  const algorithm = oneOf('compress.algorithm', c.algorithm, COMPRESSIONS, 'gzip')
  const level =
    algorithm === 'gzip' ? integer('compress.level', c.level, 1, DEFAULTS.gzipLevel, 9) : integer('compress.level', c.level, 0, DEFAULTS.brotliLevel, 11)
  return { algorithm, level, minBytes: integer('compress.minBytes', c.minBytes, 0, DEFAULTS.compressMinBytes) }
}

function resolveLegacy(value: unknown): LegacySettings | undefined {
  if (value === undefined || value === false) return undefined
  const l = plainObject('legacy', value)
  onlyKnown('legacy', l, ['plaintext', 'connectRedisCrypto'])
  const plaintext = flag('legacy.plaintext', l.plaintext)
  if (l.connectRedisCrypto === undefined) {
    if (!plaintext) throw new SealedOptionsError('legacy', 'enables nothing: set "plaintext: true" and/or "connectRedisCrypto"')
    return { plaintext, kruptein: undefined, keyCache: 0 }
  }
  const c = plainObject('legacy.connectRedisCrypto', l.connectRedisCrypto)
  onlyKnown('legacy.connectRedisCrypto', c, ['secret', 'algorithm', 'hashing', 'encodeas', 'keyCache'])
  const secret = c.secret
  if (!(typeof secret === 'string' || secret instanceof Uint8Array) || secret.length === 0) {
    throw new SealedOptionsError('legacy.connectRedisCrypto.secret', 'must be the non-empty secret that connect-redis-crypto used')
  }
  return {
    plaintext,
    kruptein: {
      secret,
      algorithm: oneOf('legacy.connectRedisCrypto.algorithm', c.algorithm, KRUPTEIN_CIPHERS, 'aes-256-gcm'),
      hashing: oneOf('legacy.connectRedisCrypto.hashing', c.hashing, KRUPTEIN_HASHES, 'sha512'),
      encodeas: oneOf('legacy.connectRedisCrypto.encodeas', c.encodeas, KRUPTEIN_ENCODINGS, 'binary'),
    },
    keyCache: integer('legacy.connectRedisCrypto.keyCache', c.keyCache, 0, DEFAULTS.legacyKeyCache),
  }
}

function resolvePool(value: unknown): PoolOption {
  if (value === undefined) return true
  if (typeof value === 'boolean') return value
  const settings = plainObject('pool', value)
  if (Object.getPrototypeOf(settings) !== Object.prototype) return sharedPool(settings).piscina
  resolvePoolSettings(settings as PoolSettings)
  return settings as PoolSettings
}

/** Checks every option, naming the culprit in a TypeError, and fills in the defaults. */
export function resolveOptions(input: unknown): ResolvedOptions {
  const o = plainObject('options', input) as Partial<RedisStoreOptions> & Record<string, unknown>
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) throw new SealedOptionsError(key, `is not a known option (known: ${[...KNOWN].join(', ')})`)
  }
  if ((o.client === undefined) === (o.url === undefined)) {
    throw new SealedOptionsError('client', 'or "url": give exactly one of the two')
  }
  if (o.client !== undefined && (typeof o.client !== 'object' || o.client === null)) {
    throw new SealedOptionsError('client', `must be a node-redis or ioredis client (got ${describe(o.client)})`)
  }
  if (o.url !== undefined && typeof o.url !== 'string') throw new SealedOptionsError('url', `must be a string (got ${describe(o.url)})`)
  if (o.prefix !== undefined && typeof o.prefix !== 'string') throw new SealedOptionsError('prefix', `must be a string (got ${describe(o.prefix)})`)
  if (o.onSealError !== undefined && typeof o.onSealError !== 'function') throw new SealedOptionsError('onSealError', 'must be a function')
  const algorithm = oneOf<CipherName>('algorithm', o.algorithm, CIPHERS, DEFAULTS.algorithm)
  const hashing = oneOf<HashName>('hashing', o.hashing, HASHES, DEFAULTS.hashing)
  return {
    client: o.client,
    url: o.url,
    prefix: o.prefix ?? DEFAULTS.prefix,
    ttl: resolveTtl(o.ttl),
    disableTTL: flag('disableTTL', o.disableTTL),
    disableTouch: flag('disableTouch', o.disableTouch),
    touchAfter: o.touchAfter === undefined || o.touchAfter === 0 ? undefined : integer('touchAfter', o.touchAfter, 0, 0),
    serializer: resolveSerializer(o.serializer),
    scanCount: integer('scanCount', o.scanCount, 1, DEFAULTS.scanCount),
    secrets: checkSecrets(o.secret),
    seal: {
      scheme: schemeFor(algorithm, hashing),
      encoding: oneOf('encodeas', o.encodeas, ENCODINGS, DEFAULTS.encodeas),
      compression: resolveCompression(o.compress),
    },
    maxSessionBytes: integer('maxSessionBytes', o.maxSessionBytes, 1, DEFAULTS.maxSessionBytes),
    pool: resolvePool(o.pool),
    offloadThreshold: o.offloadThreshold === undefined ? undefined : integer('offloadThreshold', o.offloadThreshold, 0, 0),
    onSealError: o.onSealError,
    timeout: integer('timeout', o.timeout, 1, DEFAULTS.timeout),
    maxSealAge: o.maxSealAge === undefined ? undefined : integer('maxSealAge', o.maxSealAge, 1, 0),
    destroyGuard: o.destroyGuard === undefined ? undefined : integer('destroyGuard', o.destroyGuard, 1, 0),
    legacy: resolveLegacy(o.legacy),
  }
}
