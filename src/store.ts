import { createRequire } from 'node:module'
import { Store, type SessionData } from 'express-session'
import { KeyRing } from './codec/keyring.js'
import { LegacyReader, warnIfPlaintext } from './legacy/legacy-reader.js'
import { SealedError, SealedOptionsError } from './errors.js'
import type { RedisStoreOptions, SealErrorInfo, Serializer } from './options/types.js'
import { withDeadline } from './redis/deadline.js'
import { sessionReads } from './redis/session-reads.js'
import { sessionWriter, type SessionWriter } from './redis/writer.js'
import { Durability } from './redis/durable.js'
import { adaptClient, ownClient, type RedisAdapter } from './redis/client.js'
import { resolveOptions, type ResolvedOptions } from './options/resolve.js'
import { deriveMasterKeys } from './codec/secrets.js'
import { baseOf, carryMarks, createdAtOf, rememberBase, rememberCreatedAt } from './session-marks.js'
import { ConcurrentWriter, type WriteCounts, type Written } from './records/concurrent-write.js'
import { recordToken } from './records/record-token.js'
import { createSealer } from './dispatch/create-sealer.js'
import { dispatchStats, type DispatchStats, type Sealer } from './dispatch/sealer.js'
import type { StoreStats } from './stats.js'
import { settle, type Callback } from './callback.js'
import { measured, StoreMetrics } from './telemetry/metrics.js'
import { traced, type TracedOperation } from './telemetry/tracing.js'
import { Accounts, type UserSession } from './users/accounts.js'
import { isThenable, RecordAcceptance, type OpenedRecord, type OpenOutcome } from './records/acceptance.js'
import { UserIndex } from './users/user-index.js'
import { SessionScan } from './session-scan.js'

import { TouchCache } from './touch-cache.js'

export type { UserSession } from './users/accounts.js'
export type { StoreStats } from './stats.js'


interface Engine {
  readonly ring: KeyRing
  readonly sealer: Sealer
  readonly accounts: Accounts | undefined
}

const NO_WRITE_COUNTS: Readonly<WriteCounts> = { conflicts: 0, merges: 0, mergeConflicts: 0, droppedWrites: 0 }

/**
 * An express-session store on Redis that seals every session with authenticated encryption
 * bound to its Redis key. Every method takes an optional callback and returns a promise.
 */
export class RedisStore extends Store {
  readonly #options: ResolvedOptions
  readonly #client: object
  readonly #redis: RedisAdapter
  readonly #closeClient: (() => Promise<void>) | undefined
  readonly #writer: SessionWriter
  readonly #durable: Durability | undefined
  readonly #engine: Promise<Engine>
  readonly #counts = { sealed: 0 }
  readonly #records: RecordAcceptance
  /** Compare-and-set with a merge (`concurrency: 'merge'`); undefined when the last write wins. */
  readonly #writes: ConcurrentWriter | undefined
  #sealerStats: () => DispatchStats = () => dispatchStats()
  #closed: Promise<void> | undefined
  readonly #metrics: StoreMetrics | undefined
  /** The engine once the keys are derived, so operations after start-up skip awaiting it. */
  #ready: Engine | undefined
  /** Operations in flight, and what `close()` waits on until they reach zero. */
  #pending = 0
  #drained: (() => void) | undefined
  readonly #touches: TouchCache | undefined
  readonly #scan: SessionScan

  constructor(options: RedisStoreOptions) {
    super()
    this.#options = resolveOptions(options)
    const legacy = this.#options.legacy && new LegacyReader(this.#options.legacy, this.#options.maxSessionBytes)
    warnIfPlaintext(this.#options.legacy)
    this.#records = new RecordAcceptance(this.#options, legacy, (info) => this.#reportFailure(info))
    const { client, url, timeout } = this.#options
    let adapter: RedisAdapter
    if (url !== undefined) {
      const owned = ownClient(url, createRequire(import.meta.url), timeout)
      this.#client = owned.client
      adapter = owned.adapter
      this.#closeClient = owned.close
    } else {
      this.#client = client as object
      adapter = adaptClient(client, timeout)
    }
    this.#redis = sessionReads(withDeadline(adapter, timeout), this.#wrongType)
    this.#writer = sessionWriter(this.#redis, this.#options.destroyGuard)
    this.#scan = new SessionScan(this.#redis, this.#options.prefix, this.#options.scanCount)
    this.#writes = this.#options.concurrency === 'merge' ? new ConcurrentWriter(this.#options.serializer) : undefined
    this.#durable = this.#options.durability && new Durability(this.#client, this.#options.durability, this.#options.timeout)
    this.#metrics = this.#options.metrics && new StoreMetrics(this.#options.metrics, () => this.stats())
    this.#touches = this.#options.touchAfter > 0 ? new TouchCache(this.#options.touchAfter) : undefined
    this.#engine = this.#start()
    this.#engine.then((engine) => (this.#ready = engine), () => {})
  }

  async #start(): Promise<Engine> {
    const masters = await deriveMasterKeys(this.#options.secret, this.#options.keySalt ?? this.#options.prefix)
    const ring = new KeyRing(masters)
    const sealer = measured(createSealer(ring, masters, this.#options), this.#metrics)
    this.#sealerStats = () => sealer.stats()
    const { userOf, prefix, destroyGuard } = this.#options
    const accounts = userOf && new Accounts(this.#redis, prefix, userOf, destroyGuard, new UserIndex(this.#redis, prefix, masters))
    return { ring, sealer, accounts }
  }

  /**
   * Runs an operation and reports its outcome exactly once: to `callback` when one is given (the
   * returned promise then never rejects), else through the returned promise. `close()` waits for it.
   */
  #track<T>(callback: Callback<T> | undefined, work: () => Promise<T>, trace?: TracedOperation, sid?: string): Promise<T | undefined> {
    this.#pending++
    return settle(callback, traced(trace, sid, work), this.#finish)
  }

  readonly #finish = (): void => {
    if (--this.#pending === 0) this.#drained?.()
  }

  /** The engine, or a promise of it while the keys are still being derived; throws once closed. */
  #use(): Engine | Promise<Engine> {
    if (this.#closed) throw new SealedError('ERR_SEALED_CLOSED', 'the store is closed')
    return this.#ready ?? this.#engine
  }

  /** The Redis client (the one given, or the one made from `url`), as connect-redis exposes it. */
  get client(): object {
    return this.#client
  }

  get prefix(): string {
    return this.#options.prefix
  }

  /** Seconds, or the function of the session given as `ttl`. */
  get ttl(): number | ((session: SessionData) => number) {
    return this.#options.ttl
  }

  get scanCount(): number {
    return this.#options.scanCount
  }

  get serializer(): Serializer {
    return this.#options.serializer
  }

  get disableTouch(): boolean {
    return this.#options.disableTouch
  }

  get disableTTL(): boolean {
    return this.#options.disableTTL
  }

  #key(sid: string): string {
    return this.#options.prefix + sid
  }

  /** Seconds to keep a session (even with `disableTTL`: an expired one is deleted, as connect-redis does). NaN for an Invalid Date. */
  #ttlFor(session: SessionData): number {
    const { ttl } = this.#options
    if (typeof ttl === 'function') {
      const seconds = ttl(session)
      if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
        throw new SealedOptionsError('ttl', `function returned ${typeof seconds === 'number' ? seconds : typeof seconds}, expected a finite number of seconds`)
      }
      return Math.ceil(seconds)
    }
    const expires = session.cookie?.expires
    if (expires) return Math.ceil((new Date(expires).getTime() - Date.now()) / 1000)
    return ttl
  }

  #reportFailure(info: SealErrorInfo): void {
    this.#metrics?.openFailed(info.reason)
    try {
      this.#options.onSealError?.(info)
    } catch {
      // A failing hook must not turn a bad record into a failed request.
    }
  }

  async #read(sid: string, stored: Buffer | null, engine: Engine): Promise<SessionData | null> {
    return (await this.#open(sid, stored, engine))?.session ?? null
  }

  /** Opens a stored record (see `records/acceptance.ts`) and marks the session with what was learned of it. */
  #open(sid: string, stored: Buffer | null, engine: Engine): OpenOutcome {
    const key = this.#key(sid)
    const opening = this.#records.open(sid, key, stored, engine.sealer, engine.ring.currentId)
    const mark = (opened: OpenedRecord | null): OpenedRecord | null => {
      if (opened === null) return null
      if (opened.createdAt !== undefined) rememberCreatedAt(opened.session, opened.createdAt)
      if (this.#writes && stored !== null) rememberBase(opened.session, { key, token: recordToken(stored), text: opened.text })
      engine.accounts?.opened(opened.session)
      return opened
    }
    return isThenable(opening) ? opening.then(mark) : mark(opening)
  }

  /** Reads and opens a session; a record that does not open gives `null`, never an error. */
  get(sid: string): Promise<SessionData | null>
  get(sid: string, callback: Callback<SessionData | null>): Promise<void>
  get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null | undefined>
  get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null | undefined | void> {
    return this.#track(callback, async () => {
      const using = this.#use()
      const engine = isThenable(using) ? await using : using
      const opening = this.#open(sid, await this.#redis.get(this.#key(sid)), engine)
      const opened = isThenable(opening) ? await opening : opening
      return opened?.session ?? null
    }, 'get', sid)
  }

  /** Seals and writes a session with its TTL; a TTL of zero or less (or not a number) deletes it instead. */
  set(sid: string, session: SessionData, callback?: Callback<void>): Promise<void> {
    return this.#track(callback, async () => {
      const using = this.#use()
      const engine = isThenable(using) ? await using : using
      const key = this.#key(sid)
      const ttl = this.#ttlFor(session)
      this.#forget(key)
      if (!(ttl > 0)) return this.#deleteExpired(engine, key, session, sid)
      const stringified: unknown = this.#options.serializer.stringify(session)
      const text = isThenable(stringified) ? await stringified : stringified
      if (typeof text !== 'string') throw new SealedError('ERR_SEALED_SERIALIZE', 'serializer.stringify must return a string')
      const keep = this.#options.disableTTL ? undefined : ttl
      const at = Date.now()
      const seal = (plain: string, createdAt: number | undefined) => {
        this.#checkSize(plain)
        this.#counts.sealed++
        return engine.sealer.seal(plain, key, { createdAt })
      }
      const base = this.#writes && baseOf(session)
      const written = await this.#write(engine, 'write', (writer, accounts, redis) => {
        const write =
          base?.key === key
            ? () => (this.#writes as ConcurrentWriter).write({ sid, key, text, base, ttl: keep, createdAt: createdAtOf(session) }, seal, (stored) => this.#open(sid, stored, engine), redis)
            : () => this.#overwrite(writer, key, text, keep, seal(text, createdAtOf(session)))
        return accounts ? accounts.write(session, sid, keep, write) : write()
      })
      if (written === false) return
      this.#records.verified.sealed(key, written.record, written.text)
      if (keep !== undefined) this.#touches?.record(key, keep, at)
      if (this.#writes) rememberBase(session, { key, token: recordToken(written.record), text, recordText: written.merged ? written.text : undefined })
    }, 'set', sid)
  }

  /** A TTL of zero or less, from `set` or `touch`: the record is deleted (the destroy guard keeps a tombstone) and unlisted from its owner. */
  #deleteExpired(engine: Engine, key: string, session: SessionData, sid: string): Promise<void> {
    return this.#write(engine, 'write', async (writer, accounts) => {
      await writer.delete(key)
      await accounts?.unlist(session, sid)
    })
  }

  /** A write without a base: the record as given (through the destroy guard when on); false when the guard refused it. */
  async #overwrite(writer: SessionWriter, key: string, text: string, ttl: number | undefined, sealing: Buffer | string | Promise<Buffer | string>): Promise<Written | false> {
    const record = isThenable(sealing) ? await sealing : sealing
    return (await writer.set(key, record, ttl)) === false ? false : { record, text, merged: false }
  }

  /** express-session copies a loaded session into a Session object (for...in); the store's marks come along. */
  override createSession(...args: Parameters<Store['createSession']>): ReturnType<Store['createSession']> {
    const created = super.createSession(...args)
    carryMarks(args[1], created)
    return created
  }

  /** The user's live sessions, newest first (needs `userOf`). */
  sessionsOf(user: string | number): Promise<UserSession[]>
  sessionsOf(user: string | number, callback: Callback<UserSession[]>): Promise<void>
  sessionsOf(user: string | number, callback?: Callback<UserSession[]>): Promise<UserSession[] | undefined>
  sessionsOf(user: string | number, callback?: Callback<UserSession[]>): Promise<UserSession[] | undefined | void> {
    return this.#track(callback, async () => {
      const engine = await this.#use()
      return this.#accounts(engine).sessionsOf(user, async (sid, stored) => this.#open(sid, stored, engine))
    })
  }

  /**
   * Ends every session of the user except `except` (a session id or a list of them); the number
   * ended. Under `destroyGuard` they become tombstones that later writes respect.
   */
  destroySessionsOf(user: string | number, options?: { except?: string | readonly string[] }): Promise<number>
  destroySessionsOf(user: string | number, callback: Callback<number>): Promise<void>
  destroySessionsOf(user: string | number, options: { except?: string | readonly string[] } | undefined, callback: Callback<number>): Promise<void>
  destroySessionsOf(user: string | number, options?: { except?: string | readonly string[] } | Callback<number>, callback?: Callback<number>): Promise<number | undefined>
  destroySessionsOf(user: string | number, options?: { except?: string | readonly string[] } | Callback<number>, callback?: Callback<number>): Promise<number | undefined | void> {
    const done = typeof options === 'function' ? options : callback
    const except = typeof options === 'function' ? undefined : options?.except
    return this.#track(done, async () => {
      const engine = await this.#use()
      const keep = new Set(typeof except === 'string' ? [except] : (except ?? []))
      this.#accounts(engine)
      return this.#write(engine, 'revoke', (_, accounts) =>
        (accounts as Accounts).destroySessionsOf(user, keep, async (sid, stored) => this.#open(sid, stored, engine), (key) => this.#forget(key)),
      )
    })
  }

  /** A session read met a key of another type: no session, reported (see redis/session-reads.ts). */
  readonly #wrongType = (key: string): void => {
    this.#records.reject({ reason: 'wrong-type', sid: key.slice(this.#options.prefix.length) })
  }

  /**
   * Runs a write with the store's writer and accounts; under `durability` a revocation (and, with
   * `durability.writes`, any write) runs on the store's own connection, then waits for the replicas.
   */
  #write<T>(engine: Engine, kind: 'write' | 'revoke', work: (writer: SessionWriter, accounts: Accounts | undefined, redis: RedisAdapter) => Promise<T>): Promise<T> {
    const durable = this.#durable
    if (!durable || (kind === 'write' && !durable.writes)) return work(this.#writer, engine.accounts, this.#redis)
    return durable.run((durableRedis) => {
      const redis = sessionReads(durableRedis, this.#wrongType)
      return work(sessionWriter(redis, this.#options.destroyGuard), engine.accounts?.via(redis), redis)
    })
  }

  /** The session's record is gone or being replaced: drop what the store remembers of it (touchAfter, recalled records). */
  #forget(key: string): void {
    this.#touches?.forget(key)
    this.#records.verified.forget(key)
  }

  #accounts(engine: Engine): Accounts {
    if (!engine.accounts) throw new SealedOptionsError('userOf', 'must be set to list or end the sessions of a user')
    return engine.accounts
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
      const engine = isThenable(using) ? await using : using
      if (this.#options.disableTouch || this.#options.disableTTL) return
      const ttl = this.#ttlFor(session)
      const key = this.#key(sid)
      const touches = this.#touches
      const at = Date.now()
      if (!(ttl > 0)) {
        this.#forget(key)
        return this.#deleteExpired(engine, key, session, sid)
      }
      if (touches?.canSkip(key, ttl, at)) return
      const touched = await this.#write(engine, 'write', (writer, accounts) => {
        const expire = () => writer.expire(key, ttl)
        return accounts ? accounts.write(session, sid, ttl, expire) : expire()
      })
      if (touched !== false) touches?.record(key, ttl, at)
    })
  }

  /** Deletes a session; with `destroyGuard`, replaces it with a tombstone that later writes respect. */
  destroy(sid: string, callback?: Callback<void>): Promise<void> {
    return this.#track(callback, async () => {
      const using = this.#use()
      const engine = isThenable(using) ? await using : using
      const key = this.#key(sid)
      this.#forget(key)
      await this.#write(engine, 'revoke', (writer) => writer.destroy(key))
    }, 'destroy', sid)
  }

  /** Deletes every session under this store's prefix (and no other key). */
  override clear(callback?: Callback<void>): Promise<void> {
    return this.#track(callback, async () => {
      await this.#use()
      await this.#scan.clear()
      this.#touches?.clear()
      this.#records.verified.clear()
    })
  }

  /** The number of sessions under this store's prefix. */
  override length(): Promise<number>
  override length(callback: Callback<number>): Promise<void>
  override length(callback?: Callback<number>): Promise<number | undefined>
  override length(callback?: Callback<number>): Promise<number | undefined | void> {
    return this.#track(callback, async () => {
      await this.#use()
      return this.#scan.length()
    })
  }

  /** The ids of every session under this store's prefix. */
  ids(): Promise<string[]>
  ids(callback: Callback<string[]>): Promise<void>
  ids(callback?: Callback<string[]>): Promise<string[] | undefined>
  ids(callback?: Callback<string[]>): Promise<string[] | undefined | void> {
    return this.#track(callback, async () => {
      await this.#use()
      return this.#scan.ids()
    })
  }

  /** Every session that opens, each with its `id`; records that do not open are left out. */
  override all(): Promise<SessionData[]>
  override all(callback: Callback<SessionData[]>): Promise<void>
  override all(callback?: Callback<SessionData[]>): Promise<SessionData[] | undefined>
  override all(callback?: Callback<SessionData[]>): Promise<SessionData[] | undefined | void> {
    return this.#track(callback, async () => {
      const engine = await this.#use()
      return this.#scan.all((sid, stored) => this.#read(sid, stored, engine))
    })
  }

  /** Counters since the store was created. */
  stats(): StoreStats {
    return { ...this.#counts, ...this.#records.counts, ...(this.#writes?.counts ?? NO_WRITE_COUNTS), ...this.#sealerStats() }
  }

  /** Waits for the operations in flight, then releases the pool and any client the store created. Later calls reject. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#pending > 0) await new Promise<void>((resolve) => (this.#drained = resolve))
      const engine = await this.#engine.catch(() => undefined)
      await engine?.sealer.close()
      await this.#durable?.close()
      await this.#closeClient?.()
      this.#metrics?.close()
      this.#records.verified.clear()
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
