import { createRequire } from 'node:module'
import { Store, type SessionData } from 'express-session'
import { KeyRing } from './codec/keyring.js'
import { LegacyReader } from './legacy/legacy-reader.js'
import { SealedError } from './errors.js'
import type { RedisStoreOptions, SealErrorInfo } from './options/types.js'
import { withDeadline } from './redis/deadline.js'
import { DestroyGuard, isTombstone } from './redis/destroy-guard.js'
import { adaptClient, ownClient, type RedisAdapter } from './redis/client.js'
import { resolveOptions, type ResolvedOptions } from './options/resolve.js'
import { deriveMasterKeys, hasShortPassphrase } from './codec/secrets.js'
import { createSealer } from './dispatch/create-sealer.js'
import type { DispatchStats, Sealer } from './dispatch/sealer.js'
import type { OpenedText } from './codec/text.js'
import type { LegacyOpened } from './legacy/legacy-reader.js'
import type { Callback } from './callback.js'
import { TouchCache } from './touch-cache.js'

/** What {@link RedisStore.stats} returns. */
export interface StoreStats extends DispatchStats {
  /** Records written. */
  sealed: number
  /** Records read and opened. */
  opened: number
  /** Records opened with an older key (re-sealed with the newest on their next `set`). */
  openedWithOldKey: number
  /** Records that failed to open and were reported as no session. */
  openFailures: number
  /** Records of connect-redis or connect-redis-crypto opened through the `legacy` option (also counted in `opened`). */
  legacyOpened: number
}

interface Engine {
  readonly ring: KeyRing
  readonly sealer: Sealer
}

const GLOB = /[*?[\]\\]/g

/** `await` only what needs it: a plain value costs no promise and no microtask. */
function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/**
 * An express-session store on Redis that seals every session with authenticated encryption
 * bound to its Redis key. Every method takes an optional callback and returns a promise.
 */
export class RedisStore extends Store {
  readonly #options: ResolvedOptions
  readonly #redis: RedisAdapter
  readonly #closeClient: (() => Promise<void>) | undefined
  readonly #guard: DestroyGuard | undefined
  readonly #engine: Promise<Engine>
  readonly #counts = { sealed: 0, opened: 0, openedWithOldKey: 0, openFailures: 0, legacyOpened: 0 }
  readonly #legacy: LegacyReader | undefined
  #sealerStats: () => DispatchStats = () => ({ inline: 0, pooled: 0, fallbacks: 0, workerFailures: 0, queue: 0, utilization: 0, threads: 0 })
  #closed: Promise<void> | undefined
  /** The engine once the keys are derived, so operations after start-up skip awaiting it. */
  #ready: Engine | undefined
  /** Operations in flight, and what `close()` waits on until they reach zero. */
  #pending = 0
  #drained: (() => void) | undefined
  readonly #touches: TouchCache | undefined

  constructor(options: RedisStoreOptions) {
    super()
    this.#options = resolveOptions(options)
    this.#legacy = this.#options.legacy && new LegacyReader(this.#options.legacy, this.#options.maxSessionBytes)
    const { client, url, secrets } = this.#options
    if (url !== undefined) {
      const owned = ownClient(url, createRequire(import.meta.url))
      this.#redis = withDeadline(owned.adapter, this.#options.timeout)
      this.#closeClient = owned.close
    } else {
      this.#redis = withDeadline(adaptClient(client), this.#options.timeout)
    }
    const { destroyGuard } = this.#options
    this.#guard = destroyGuard === undefined ? undefined : new DestroyGuard(this.#redis, destroyGuard)
    if (hasShortPassphrase(secrets)) {
      process.emitWarning('a secret passphrase is shorter than 32 characters; use `npx connect-redis-sealed keygen` or 32 random bytes', {
        code: 'CONNECT_REDIS_SEALED_SHORT_SECRET',
      })
    }
    this.#touches = this.#options.touchAfter === undefined ? undefined : new TouchCache(this.#options.touchAfter)
    this.#engine = this.#start()
    this.#engine.then((engine) => (this.#ready = engine), () => {})
  }

  async #start(): Promise<Engine> {
    const masters = await deriveMasterKeys(this.#options.secrets)
    const ring = new KeyRing(masters)
    const sealer = createSealer(ring, masters, this.#options)
    this.#sealerStats = () => sealer.stats()
    return { ring, sealer }
  }

  /**
   * Runs an operation and reports its outcome exactly once: to `callback` when one is given (the
   * returned promise then never rejects), else through the returned promise. `close()` waits for it.
   */
  #track<T>(callback: Callback<T> | undefined, work: () => Promise<T>): Promise<T | undefined> {
    this.#pending++
    let running: Promise<T>
    try {
      running = work()
    } catch (error) {
      running = Promise.reject(error)
    }
    const withCallback = typeof callback === 'function'
    return running.then(
      (value) => {
        this.#finish()
        if (withCallback) callback(null, value)
        return value
      },
      (error: unknown) => {
        this.#finish()
        if (!withCallback) throw error
        callback(error)
        return undefined
      },
    )
  }

  #finish(): void {
    if (--this.#pending === 0) this.#drained?.()
  }

  /** The engine, or a promise of it while the keys are still being derived; throws once closed. */
  #use(): Engine | Promise<Engine> {
    if (this.#closed) throw new SealedError('ERR_SEALED_CLOSED', 'the store is closed')
    return this.#ready ?? this.#engine
  }

  #key(sid: string): string {
    return this.#options.prefix + sid
  }

  /** Seconds to keep a session, `undefined` for no expiry. */
  #ttlFor(session: SessionData): number | undefined {
    const { ttl, disableTTL } = this.#options
    if (disableTTL) return undefined
    if (typeof ttl === 'function') {
      const seconds = ttl(session)
      if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
        throw new TypeError(`connect-redis-sealed: the "ttl" function returned ${typeof seconds === 'number' ? seconds : typeof seconds}, expected a finite number of seconds`)
      }
      return Math.ceil(seconds)
    }
    const expires = session.cookie?.expires
    if (expires) return Math.ceil((new Date(expires).getTime() - Date.now()) / 1000)
    return ttl
  }

  #reportFailure(info: SealErrorInfo): null {
    this.#counts.openFailures++
    try {
      this.#options.onSealError?.(info)
    } catch {
      // A failing hook must not turn a bad record into a failed request.
    }
    return null
  }

  async #read(sid: string, stored: Buffer | null, engine: Engine): Promise<SessionData | null> {
    // A tombstone is a session destroyed under destroyGuard: absent, not a failure to report.
    if (stored === null || isTombstone(stored)) return null
    let opened: OpenedText | LegacyOpened
    if (this.#legacy?.recognizes(stored)) opened = await this.#legacy.open(stored)
    else {
      const opening = engine.sealer.open(stored, this.#key(sid))
      opened = isThenable(opening) ? await opening : opening
    }
    if (!opened.ok) return this.#reportFailure({ reason: opened.reason, sid })
    const { maxSealAge } = this.#options
    if (maxSealAge !== undefined && 'sealedAt' in opened && Date.now() - opened.sealedAt > maxSealAge * 1000) return this.#reportFailure({ reason: 'expired', sid })
    let session: SessionData
    try {
      const parsed = this.#options.serializer.parse(opened.text)
      session = isThenable(parsed) ? await parsed : parsed
    } catch {
      return this.#reportFailure({ reason: 'parse', sid })
    }
    this.#counts.opened++
    if ('legacy' in opened) this.#counts.legacyOpened++
    else if (opened.keyId !== engine.ring.currentId) this.#counts.openedWithOldKey++
    return session
  }

  /** Reads and opens a session; a record that does not open gives `null`, never an error. */
  get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null | undefined> {
    return this.#track(callback, async () => {
      const using = this.#use()
      const engine = isThenable(using) ? await using : using
      return this.#read(sid, await this.#redis.get(this.#key(sid)), engine)
    })
  }

  /** Seals and writes a session with its TTL; a TTL of zero or less deletes it instead. */
  set(sid: string, session: SessionData, callback?: Callback<void>): Promise<void> {
    return this.#track(callback, async () => {
      const using = this.#use()
      const engine = isThenable(using) ? await using : using
      const key = this.#key(sid)
      const ttl = this.#ttlFor(session)
      this.#touches?.forget(key)
      if (ttl !== undefined && ttl <= 0) return this.#guard ? this.#guard.delete(key) : this.#redis.del([key])
      const stringified: unknown = this.#options.serializer.stringify(session)
      const text = isThenable(stringified) ? await stringified : stringified
      if (typeof text !== 'string') throw new SealedError('ERR_SEALED_SERIALIZE', 'serializer.stringify must return a string')
      this.#checkSize(text)
      const sealing = engine.sealer.seal(text, key)
      const sealed = isThenable(sealing) ? await sealing : sealing
      this.#counts.sealed++
      const at = Date.now()
      const written = this.#guard ? await this.#guard.set(key, sealed, ttl) : (await this.#redis.set(key, sealed, ttl), true)
      if (written && ttl !== undefined) this.#touches?.record(key, ttl, at)
    })
  }

  #checkSize(text: string): void {
    const max = this.#options.maxSessionBytes
    if (text.length * 3 <= max) return
    const bytes = Buffer.byteLength(text, 'utf8')
    if (bytes > max) throw new SealedError('ERR_SEALED_TOO_LARGE', `the session is ${bytes} bytes, more than maxSessionBytes (${max})`)
  }

  /**
   * Extends a session's expiry (EXPIRE only, no crypto). A no-op with `disableTouch` or
   * `disableTTL`, and with `touchAfter` when this store wrote or touched it recently enough.
   */
  override touch(sid: string, session: SessionData, callback?: Callback<void>): Promise<void> {
    return this.#track(callback, async () => {
      const using = this.#use()
      if (isThenable(using)) await using
      if (this.#options.disableTouch) return
      const ttl = this.#ttlFor(session)
      if (ttl === undefined) return
      const key = this.#key(sid)
      const touches = this.#touches
      const at = Date.now()
      if (ttl <= 0) touches?.forget(key)
      else if (touches?.canSkip(key, ttl, at)) return
      const guard = this.#guard
      if (guard) await (ttl <= 0 ? guard.delete(key) : guard.expire(key, ttl))
      else await (ttl <= 0 ? this.#redis.del([key]) : this.#redis.expire(key, ttl))
      if (ttl > 0) touches?.record(key, ttl, at)
    })
  }

  /** Deletes a session; with `destroyGuard`, replaces it with a tombstone that later writes respect. */
  destroy(sid: string, callback?: Callback<void>): Promise<void> {
    return this.#track(callback, async () => {
      const using = this.#use()
      if (isThenable(using)) await using
      const key = this.#key(sid)
      this.#touches?.forget(key)
      await (this.#guard ? this.#guard.destroy(key) : this.#redis.del([key]))
    })
  }

  async *#keys(): AsyncIterable<string[]> {
    await this.#use()
    const match = `${this.#options.prefix.replace(GLOB, '\\$&')}*`
    yield* this.#redis.scan(match, this.#options.scanCount)
  }

  /** Deletes every session under this store's prefix (and no other key). */
  override clear(callback?: Callback<void>): Promise<void> {
    return this.#track(callback, async () => {
      for await (const keys of this.#keys()) await this.#redis.del(keys)
      this.#touches?.clear()
    })
  }

  /** The number of sessions under this store's prefix. */
  override length(callback?: Callback<number>): Promise<number | undefined> {
    return this.#track(callback, async () => {
      let count = 0
      for await (const keys of this.#keys()) count += keys.length
      return count
    })
  }

  /** The ids of every session under this store's prefix. */
  ids(callback?: Callback<string[]>): Promise<string[] | undefined> {
    return this.#track(callback, async () => {
      const ids: string[] = []
      const start = this.#options.prefix.length
      for await (const keys of this.#keys()) ids.push(...keys.map((k) => k.slice(start)))
      return ids
    })
  }

  /** Every session that opens, each with its `id`; records that do not open are left out. */
  override all(callback?: Callback<SessionData[]>): Promise<SessionData[] | undefined> {
    return this.#track(callback, async () => {
      const engine = await this.#use()
      const start = this.#options.prefix.length
      const sessions: SessionData[] = []
      for await (const keys of this.#keys()) {
        const values = await this.#redis.mget(keys)
        const opened = await Promise.all(values.map((v, i) => this.#read((keys[i] as string).slice(start), v, engine)))
        opened.forEach((session, i) => {
          if (session) sessions.push(Object.assign(session, { id: (keys[i] as string).slice(start) }))
        })
      }
      return sessions
    })
  }

  /** Counters since the store was created. */
  stats(): StoreStats {
    return { ...this.#counts, ...this.#sealerStats() }
  }

  /** Waits for the operations in flight, then releases the pool and any client the store created. Later calls reject. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#pending > 0) await new Promise<void>((resolve) => (this.#drained = resolve))
      const engine = await this.#engine.catch(() => undefined)
      await engine?.sealer.close()
      await this.#closeClient?.()
    })()
    return this.#closed
  }

  /** Keeps options, keys and clients out of logs. */
  toJSON(): object {
    return { name: 'RedisStore', prefix: this.#options.prefix }
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RedisStore { prefix: ${JSON.stringify(this.#options.prefix)} }`
  }
}
