import type { SessionData } from 'express-session'
import type { CipherName, CompressionName, HashName } from '../codec/format.js'
import type { Encoding } from '../codec/seal.js'
import type { OpenFailureReason } from '../codec/opened.js'
import type { KrupteinCipher, KrupteinEncoding, KrupteinHash } from '../legacy/kruptein.js'
import type { PoolOption } from './pool.js'
import type { DurabilityOptions } from './durability.js'
import type { MetricsOptions } from '../telemetry/metrics-options.js'

/** Turns sessions into text and back. `parse` may return a promise. */
export interface Serializer {
  stringify(session: SessionData): string
  parse(text: string): SessionData | Promise<SessionData>
}

/** Secret material: a passphrase (scrypt) or exactly 32 random bytes (HKDF). */
export type Secret = string | Uint8Array

/** How a write treats another request's write since its read: see {@link RedisStoreOptions.concurrency}. */
export type Concurrency = 'merge' | 'overwrite'

/** What {@link RedisStoreOptions.onSealError} receives. Never holds plaintext or key material. */
export interface SealErrorInfo {
  /**
   * Which check failed. `'parse'` means the record authenticated but the serializer rejected it;
   * `'legacy'` that a connect-redis-crypto record was malformed, of another secret, or altered;
   * `'legacy-ended'` that a legacy record was read after `legacy.until`; `'legacy-busy'` that the
   * PBKDF2 bound of `legacy.connectRedisCrypto.derivationsPerSecond` was reached; `'wrong-type'`
   * that the session's key holds something other than a string (a hash, a user's index), which
   * Redis answered with WRONGTYPE: no session, and a batch (`destroySessionsOf`, `all`) goes on.
   */
  readonly reason: OpenFailureReason | 'parse' | 'expired' | 'future' | 'absolute' | 'legacy' | 'legacy-ended' | 'legacy-busy' | 'wrong-type'
  /** The session id whose record failed to open. */
  readonly sid: string
}

/** Compression applied before sealing. */
export interface CompressOptions {
  /** `'gzip'` or `'brotli'`. Default `'gzip'`. */
  algorithm?: CompressionName
  /** Plaintexts shorter than this many bytes are stored uncompressed. Default 1024 bytes. */
  minBytes?: number
  /** Compression level: gzip 1-9, brotli quality 0-11. Default gzip 6, brotli 4. */
  level?: number
}

/** The connect-redis-crypto 4.x settings whose records {@link LegacyOptions} reads. They must match what wrote them. */
export interface ConnectRedisCryptoOptions {
  /** The `secret` connect-redis-crypto was given. Required. */
  secret: string | Uint8Array
  /** Its `algorithm`. Default `'aes-256-gcm'` (also `'aes-256-cbc'`, `'aes-256-ctr'`). */
  algorithm?: KrupteinCipher
  /** Its `hashing` (PBKDF2 digest and HMAC). Default `'sha512'`. */
  hashing?: KrupteinHash
  /** Its `encodeas`. Default `'binary'` (kruptein's default); also `'hex'`, `'base64'`, `'base64url'`, `'latin1'`. */
  encodeas?: KrupteinEncoding
  /**
   * How many per-record keys to keep, so a session read on every request pays the PBKDF2
   * (about 13 ms on the libuv thread pool) once. 0 disables the cache. Default 1000 (about 250 KB).
   */
  keyCache?: number
  /**
   * Key derivations (PBKDF2, about 13 ms of CPU each) started per second at most; at most two run
   * at once and one second's worth waits in line; a read beyond that gives no session (reason
   * `'legacy-busy'`). Each record has its own salt, so whoever can write to Redis could otherwise
   * make every read cost a derivation. Default 50 (at most about 0.65 s of CPU per second).
   */
  derivationsPerSecond?: number
}

/**
 * Records of older stores to accept during a migration (see the README, "Migrating from connect-redis and connect-redis-crypto"). Such a record
 * opens, counts in `stats().legacyOpened`, and is re-sealed in our format on its next `set`.
 * Legacy records carry no binding to their Redis key: a record copied to another session id
 * still opens there; they carry no seal time either, so `maxSealAge` does not apply to them.
 * Turn this off once `npx connect-redis-sealed stats` shows none are left; `until` turns it off
 * in any case.
 */
export interface LegacyOptions {
  /**
   * Required. From this instant on, legacy records are refused (reason `'legacy-ended'`): a `Date`,
   * or an ISO 8601 string, a date (`"2027-03-01"`, midnight UTC) or a date and time with `Z` or an
   * offset. Pick the end of the migration window: until then, with `plaintext`, whoever can write
   * to Redis can plant a session (docs/SECURITY.md). No default, so that window always ends.
   */
  until: Date | string
  /** Accept plaintext JSON records as connect-redis writes them, parsed with `serializer`. Default `false`. */
  plaintext?: boolean
  /** Accept records written by connect-redis-crypto 4.x with these settings. Default: not accepted. */
  connectRedisCrypto?: ConnectRedisCryptoOptions
}

/** Options of {@link RedisStore}. Names and meanings follow connect-redis and connect-redis-crypto. */
export interface RedisStoreOptions {
  /**
   * A node-redis (v5, v6), ioredis (v5, v6), iovalkey or Valkey GLIDE 2 client, connected or
   * connecting; single node, Sentinel or Cluster (GLIDE: no Sentinel). The store never closes it.
   * Give either `client` or `url`, not both. Default: none.
   */
  client?: unknown
  /** A Redis URL; the store then creates a node-redis client, owns it and closes it in `close()`. Default: none. */
  url?: string
  /** Prefix of every Redis key the store writes. Default `"sess:"`; `""` is allowed. */
  prefix?: string
  /**
   * Session lifetime in seconds when the cookie has no `expires`, or a function of the session
   * returning seconds (it then wins over the cookie). A positive integer. Default 86400 (one day).
   */
  ttl?: number | ((session: SessionData) => number)
  /** Write keys without expiry; `touch` then does nothing. A session whose cookie has expired is still deleted. Default `false`. */
  disableTTL?: boolean
  /** Make `touch` a no-op, so only a `set` extends a session. Default `false`. */
  disableTouch?: boolean
  /**
   * Seconds: a `touch` within this long of this store's last write or touch of the same session
   * sends nothing to Redis (express-session touches on every request that did not change the
   * session). The Redis expiry may then trail the cookie's by up to this long; it is never later
   * than the cookie's, a touch that would shorten the expiry is always sent, and `destroy` or a
   * TTL of zero forgets the session. Remembers at most 10,000 sessions per store (least recently
   * used forgotten first; a forgotten one's next touch is sent). Default 0 (off: every touch is sent).
   */
  touchAfter?: number
  /** Session ↔ text conversion. Default `JSON`. */
  serializer?: Serializer
  /** The COUNT hint of each SCAN in `ids`, `all`, `length` and `clear`, in keys. Default 100. */
  scanCount?: number
  /**
   * Required. A passphrase or 32-byte key, or a list of them: the first seals, all open
   * (rotation: put the new secret first). A passphrase shorter than 32 characters is refused (a TypeError).
   */
  secret: Secret | readonly Secret[]
  /** Cipher of new records. Default `'aes-256-gcm'`. Records of any supported cipher open. */
  algorithm?: CipherName
  /** HMAC hash for `aes-256-cbc` and `aes-256-ctr` (encrypt-then-MAC). Default `'sha512'`. */
  hashing?: HashName
  /** How records are written: raw bytes (`'binary'`), `'base64'`, `'base64url'` or `'hex'`. Default `'binary'`. */
  encodeas?: Encoding
  /** Compress plaintext before sealing: `true` is gzip with the defaults of {@link CompressOptions}. Default `false`. */
  compress?: boolean | CompressOptions
  /** The largest plaintext, in bytes, that `set` writes and `get` opens or inflates to. Default 8 MiB. */
  maxSessionBytes?: number
  /** Worker pool for large sessions: `false`, `true`, pool settings, or a pool from `createSealedPool()`. Default `true`. */
  pool?: PoolOption
  /**
   * Bytes: when given, every seal or open of at least this many plaintext bytes runs on the pool and smaller ones
   * inline, whatever the machine (0 pools everything). Default: none (unset), and a cost model places each
   * operation from what it does (cipher, compression, encoding, size) and the machine as it runs
   * (cores, worker and main-thread utilisation); on 2 cores that means inline unless compressing
   * (see docs/PERFORMANCE.md).
   */
  offloadThreshold?: number
  /**
   * Milliseconds each Redis command may take before the operation fails with ERR_SEALED_TIMEOUT
   * (instead of waiting in the client's offline queue while Redis is down). Default 5000; at most
   * 2^31 - 1 (Node's longest timer).
   */
  timeout?: number
  /**
   * Seconds after sealing when a record stops opening (reported as reason `'expired'`), bounding
   * the replay of an old record. `touch` does not re-seal, so a session that is only touched
   * expires this long after its last write. Default: none (no limit).
   */
  maxSealAge?: number
  /**
   * Seconds a record's seal time may lie ahead of this process's clock (clock skew between
   * hosts). A record sealed further in the future does not open (reason `'future'`), so a forged
   * or mis-stamped time cannot stretch `maxSealAge`. Default 300 (5 minutes).
   */
  clockSkew?: number
  /**
   * Salt for deriving keys from passphrase secrets (scrypt N=2^17, r=8, p=1). Give each deployment
   * its own (e.g. `'shop-production'`, or random from `keygen`), so one precomputed dictionary of
   * passphrases cannot serve against every deployment. Changing it changes the keys of every
   * passphrase (sessions sealed before then stop opening). Not used for Buffer secrets.
   * Default: none (the `prefix` is used).
   */
  keySalt?: string
  /**
   * Seconds a destroyed session id stays dead. `destroy` then writes a short tombstone instead of
   * deleting the key, and `set`/`touch` check for it atomically (a Lua script on the session's
   * own key, so Redis Cluster works), so a slow request that saves after a logout cannot bring
   * the session back. Costs one EVAL instead of SET/EXPIRE per write. `ids()` and `length()`
   * count guarded ids until their tombstone expires; `get` and `all()` treat them as absent.
   * Default: none (off: destroy deletes the key). Sessions read from a record need no guard: with
   * `concurrency: 'merge'` their writes never land on a destroyed session. The guard also stops a
   * write without a base (a direct `store.set`) on a destroyed id.
   */
  destroyGuard?: number
  /**
   * What `set` does when another request wrote the session since this one read it.
   * `'merge'`: write only over the record the session was read from (a compare-and-set on the
   * server); otherwise merge this request's changes onto the newer record (three-way, by key and
   * array item) and try again, and write nothing if the session ended meanwhile, so a slow request
   * never undoes a logout. A session that was not read from a record (a new one, a direct call)
   * is written as given. `'overwrite'`: the last write wins whole, as in connect-redis.
   * Default `'merge'`. See the README's "Concurrent requests".
   */
  concurrency?: Concurrency
  /**
   * Durable revocation: `destroy` and `destroySessionsOf` (and every write with `writes: true`)
   * report success only once `replicas` replicas hold the change (Redis `WAIT`, at most `timeout`
   * ms, on a connection of the store's own), else fail with `ERR_SEALED_NOT_DURABLE`. Needs a
   * node-redis, ioredis or iovalkey `client` (or `url`). Default: none (Redis replicates
   * asynchronously; a failover may undo a revocation). See docs/SCALING.md.
   */
  durability?: DurabilityOptions
  /**
   * Which user a session belongs to, e.g. `(s) => s.user?.id`; `undefined`, `null` or `''` for none.
   * With it, every write also lists the session in its user's index (a sorted set under the prefix
   * plus an HMAC of the user id), for `sessionsOf` and `destroySessionsOf`. Default: none (no index).
   */
  userOf?: (session: SessionData) => string | number | undefined | null
  /**
   * Seconds after a session's first write when it stops opening (reason `'absolute'`), however
   * often it is touched or re-saved. Default: none (no limit).
   */
  absoluteTimeout?: number
  /** Called (synchronously, errors swallowed) for each record that fails to open. Default: none. */
  onSealError?: (info: SealErrorInfo) => void
  /**
   * Also read records of connect-redis (plaintext) and connect-redis-crypto 4.x, for a rolling
   * migration, until `legacy.until`. Default `false`: such records fail to open (reason `'version'`).
   */
  legacy?: false | LegacyOptions
  /**
   * Publish OpenTelemetry metrics (counters, histograms of seal/open time in seconds and record
   * size in bytes, pool gauges): `true` uses the global MeterProvider of `@opentelemetry/api`
   * (an optional peer dependency, loaded only then); an object gives a `meter` or
   * `meterProvider` and `attributes`. Default `false`: nothing is loaded or recorded.
   */
  metrics?: boolean | MetricsOptions
}
