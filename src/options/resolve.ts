import type { SessionData } from 'express-session'
import { resolveDurability } from './durability.js'
import { CIPHERS, COMPRESSIONS, HASHES, schemeFor } from '../codec/format.js'
import type { CompressionSettings, Encoding, SealSettings } from '../codec/seal.js'
import { atLeast, describe, flag, integer, oneOf, onlyKnown, plainObject, timerMs } from './checks.js'
import { SealedOptionsError } from '../errors.js'
import { KRUPTEIN_CIPHERS, KRUPTEIN_ENCODINGS, KRUPTEIN_HASHES } from '../legacy/kruptein.js'
import type { LegacySettings } from '../legacy/legacy-reader.js'
import type { Concurrency, RedisStoreOptions, SealErrorInfo, Serializer } from './types.js'
import { POOL_DEFAULTS, resolvePool } from './pool.js'
import { checkSecrets } from '../codec/secrets.js'
import { resolveMetrics } from '../telemetry/metrics-options.js'

/** Defaults of sub-options (`compress.*`, `legacy.connectRedisCrypto.keyCache`), declared once. */
export const SUB_DEFAULTS = {
  compressMinBytes: 1024,
  gzipLevel: 6,
  brotliLevel: 4,
  legacyKeyCache: 1000,
  legacyDerivationsPerSecond: 50,
  /** PBKDF2 derivations at once: half of libuv's default thread pool, which also serves fs and dns. */
  legacyDerivationConcurrency: 2,
} as const

const ENCODINGS: readonly Encoding[] = ['binary', 'base64', 'base64url', 'hex']
const CONCURRENCY: readonly Concurrency[] = ['merge', 'overwrite']

/**
 * How one option is checked. `check` sees the given value, or `default` when none was given; an
 * option with neither stays `undefined` (a `required` one is an error instead).
 */
export interface OptionSpec<T> {
  /** What an absent option stands for, written as a user would write it (the README's default column). */
  readonly default?: unknown
  readonly required?: true
  readonly check: (value: unknown, name: string) => T
  /** Defaults of its settings when given as an object (numbers, names, or how a machine-dependent one is computed). */
  readonly sub?: Readonly<Record<string, number | string>>
}

type Ttl = number | ((session: SessionData) => number)

function resolveTtl(value: unknown): Ttl {
  if (typeof value === 'function') return value as Ttl
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new SealedOptionsError('ttl', `must be a positive integer number of seconds or a function (got ${describe(value)})`)
  }
  return value
}

function resolveSerializer(value: unknown): Serializer {
  const s = plainObject('serializer', value)
  if (typeof s.stringify !== 'function' || typeof s.parse !== 'function') {
    throw new SealedOptionsError('serializer', 'must have stringify and parse functions')
  }
  return s as unknown as Serializer
}

function resolveCompression(value: unknown): CompressionSettings | undefined {
  if (value === false) return undefined
  // `true`: gzip with every default, as the types and the README say.
  const c = value === true ? {} : plainObject('compress', value)
  onlyKnown('compress', c, ['algorithm', 'minBytes', 'level'])
  const algorithm = oneOf('compress.algorithm', c.algorithm, COMPRESSIONS, 'gzip')
  const level =
    algorithm === 'gzip'
      ? integer('compress.level', c.level, 1, SUB_DEFAULTS.gzipLevel, 9)
      : integer('compress.level', c.level, 0, SUB_DEFAULTS.brotliLevel, 11)
  return { algorithm, level, minBytes: integer('compress.minBytes', c.minBytes, 0, SUB_DEFAULTS.compressMinBytes) }
}

/** An ISO 8601 date, or a date and time with `Z` or an offset (a cut-off must not depend on the server's zone). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/

/** Date.parse rolls 2030-02-31 over into March; a cut-off must be the day that was written. */
function parseIsoDate(text: string): number {
  if (!ISO_DATE.test(text)) return NaN
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number]
  const day = new Date(Date.UTC(y, m - 1, d))
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d ? Date.parse(text) : NaN
}

function resolveUntil(value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? parseIsoDate(value) : NaN
  if (Number.isNaN(ms)) {
    throw new SealedOptionsError(
      'legacy.until',
      `is required with "legacy": the date after which legacy records are refused, a Date or an ISO 8601 string such as "2026-03-01" or "2026-03-01T00:00:00Z" (got ${value instanceof Date ? 'an invalid Date' : describe(value)})`,
    )
  }
  return ms
}

function resolveLegacy(value: unknown): LegacySettings | undefined {
  if (value === false) return undefined
  const l = plainObject('legacy', value)
  onlyKnown('legacy', l, ['plaintext', 'connectRedisCrypto', 'until'])
  const plaintext = flag('legacy.plaintext', l.plaintext)
  if (l.connectRedisCrypto === undefined && !plaintext) {
    throw new SealedOptionsError('legacy', 'enables nothing: set "plaintext: true" and/or "connectRedisCrypto"')
  }
  const until = resolveUntil(l.until)
  if (l.connectRedisCrypto === undefined) {
    return { plaintext, kruptein: undefined, keyCache: 0, until, derivations: { perSecond: 0, concurrency: 0 } }
  }
  const c = plainObject('legacy.connectRedisCrypto', l.connectRedisCrypto)
  onlyKnown('legacy.connectRedisCrypto', c, ['secret', 'algorithm', 'hashing', 'encodeas', 'keyCache', 'derivationsPerSecond'])
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
    keyCache: integer('legacy.connectRedisCrypto.keyCache', c.keyCache, 0, SUB_DEFAULTS.legacyKeyCache),
    until,
    derivations: {
      perSecond: integer('legacy.connectRedisCrypto.derivationsPerSecond', c.derivationsPerSecond, 1, SUB_DEFAULTS.legacyDerivationsPerSecond),
      concurrency: SUB_DEFAULTS.legacyDerivationConcurrency,
    },
  }
}

function aString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new SealedOptionsError(name, `must be a string (got ${describe(value)})`)
  return value
}

const aBoolean = (value: unknown, name: string): boolean => flag(name, value)

/**
 * Every option of {@link RedisStoreOptions}: the one list of names, checks and defaults. The
 * `satisfies` clause fails to compile when this table and the interface disagree on a name.
 */
export const OPTIONS = {
  client: {
    check: (value: unknown): unknown => {
      if (typeof value !== 'object' || value === null) throw new SealedOptionsError('client', `must be a node-redis, ioredis, iovalkey or Valkey GLIDE client (got ${describe(value)})`)
      return value
    },
  },
  url: { check: aString },
  prefix: { default: 'sess:', check: aString },
  ttl: { default: 86_400, check: resolveTtl },
  disableTTL: { default: false, check: aBoolean },
  disableTouch: { default: false, check: aBoolean },
  touchAfter: { default: 0, check: atLeast(0) },
  serializer: { default: JSON, check: resolveSerializer },
  scanCount: { default: 100, check: atLeast(1) },
  secret: { required: true, check: checkSecrets },
  algorithm: { default: 'aes-256-gcm', check: (value: unknown, name: string) => oneOf(name, value, CIPHERS, 'aes-256-gcm') },
  hashing: { default: 'sha512', check: (value: unknown, name: string) => oneOf(name, value, HASHES, 'sha512') },
  encodeas: { default: 'binary', check: (value: unknown, name: string) => oneOf(name, value, ENCODINGS, 'binary') },
  compress: {
    default: false,
    check: resolveCompression,
    sub: { algorithm: 'gzip', minBytes: SUB_DEFAULTS.compressMinBytes, level: `gzip ${SUB_DEFAULTS.gzipLevel}, brotli ${SUB_DEFAULTS.brotliLevel}` },
  },
  maxSessionBytes: { default: 8 * 1024 * 1024, check: atLeast(1) },
  pool: { default: true, check: resolvePool, sub: POOL_DEFAULTS },
  offloadThreshold: { check: atLeast(0) },
  timeout: { default: 5000, check: (value: unknown, name: string) => timerMs(name, value, 1, 5000) },
  maxSealAge: { check: atLeast(1) },
  destroyGuard: { check: atLeast(1) },
  concurrency: { default: 'merge', check: (value: unknown, name: string) => oneOf(name, value, CONCURRENCY, 'merge') },
  durability: { check: resolveDurability },
  onSealError: {
    check: (value: unknown): ((info: SealErrorInfo) => void) => {
      if (typeof value !== 'function') throw new SealedOptionsError('onSealError', 'must be a function')
      return value as (info: SealErrorInfo) => void
    },
  },
  legacy: { default: false, check: resolveLegacy },
  userOf: {
    check: (value: unknown): ((session: SessionData) => unknown) => {
      if (typeof value !== 'function') throw new SealedOptionsError('userOf', `must be a function of the session (got ${describe(value)})`)
      return value as (session: SessionData) => unknown
    },
  },
  absoluteTimeout: { check: atLeast(1) },
  clockSkew: { default: 300, check: atLeast(0) },
  keySalt: {
    check: (value: unknown): string => {
      if (typeof value !== 'string' || value.length === 0) throw new SealedOptionsError('keySalt', `must be a non-empty string (got ${describe(value)})`)
      return value
    },
  },
  metrics: { default: false, check: (value: unknown) => resolveMetrics(value) },
} satisfies { readonly [K in keyof Required<RedisStoreOptions>]: OptionSpec<unknown> }

type Specs = typeof OPTIONS
export type OptionName = keyof Specs

/** The two lists name the same options: an option added to one only fails here too. */
type SameKeys<A, B> = [Exclude<A, B> | Exclude<B, A>] extends [never] ? true : never
const sameNames: SameKeys<OptionName, keyof RedisStoreOptions> = true
void sameNames

/** The accepted option names, in declaration order. */
export const OPTION_NAMES = Object.keys(OPTIONS) as OptionName[]

/** Each option as the store uses it: checked, with its default filled in where it has one. */
export type ResolvedOptions = {
  readonly [K in OptionName]: Specs[K] extends { default: unknown } | { required: true }
    ? ReturnType<Specs[K]['check']>
    : ReturnType<Specs[K]['check']> | undefined
} & {
  /** `algorithm`, `hashing`, `encodeas` and `compress` as the codec takes them. */
  readonly seal: SealSettings
}

/** Top-level and sub-option defaults, derived from {@link OPTIONS} (for the CLI). */
export const DEFAULTS = { maxSessionBytes: OPTIONS.maxSessionBytes.default, ...SUB_DEFAULTS } as const

/** Checks every option, naming the culprit in a TypeError, and fills in the defaults. */
export function resolveOptions(input: unknown): ResolvedOptions {
  const o = plainObject('options', input)
  for (const key of Object.keys(o)) {
    if (!(OPTION_NAMES as string[]).includes(key)) throw new SealedOptionsError(key, `is not a known option (known: ${OPTION_NAMES.join(', ')})`)
  }
  if ((o.client === undefined) === (o.url === undefined)) {
    throw new SealedOptionsError('client', 'or "url": give exactly one of the two')
  }
  const resolved: Record<string, unknown> = {}
  for (const name of OPTION_NAMES) {
    const spec: OptionSpec<unknown> = OPTIONS[name]
    const value = o[name] === undefined ? spec.default : o[name]
    if (value !== undefined || spec.required) resolved[name] = spec.check(value, name)
  }
  const r = resolved as Omit<ResolvedOptions, 'seal'>
  return { ...r, seal: { scheme: schemeFor(r.algorithm, r.hashing), encoding: r.encodeas, compression: r.compress } }
}
