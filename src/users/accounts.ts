import { createHash } from 'node:crypto'
import type { SessionData } from 'express-session'
import type { RedisAdapter } from '../redis/adapter.js'
import { TOMBSTONE, isTombstone } from '../redis/destroy-guard.js'
import { ownerOf, rememberOwner } from '../session-marks.js'
import { sameUser, userIdOf } from './owner.js'
import { END_IF_UNCHANGED } from './scripts.js'
import type { OpenedRecord } from '../records/acceptance.js'
import { INDEX_GRACE_MS, UserIndex, type IndexEntry, type UserId } from './user-index.js'

/** One of a user's sessions, as {@link RedisStore.sessionsOf} lists it. Times in ms since the epoch. */
export interface UserSession {
  readonly id: string
  /** When the session was first written (see the README on what carries it across re-seals). */
  readonly createdAt: number | undefined
  /** When its record was last sealed (its last write). */
  readonly sealedAt: number | undefined
  /** When it expires, or null without expiry. */
  readonly expiresAt: number | null
  readonly session: SessionData
}

export type OpenRecord = (sid: string, stored: Buffer | null) => Promise<OpenedRecord | null>

const CHUNK = 500
const END_ATTEMPTS = 5

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK))
  return out
}

/**
 * Account-level session control on top of the store's reads and writes: keeps each user's index
 * in step with their sessions, lists them and ends them.
 */
export class Accounts {
  readonly index: UserIndex

  constructor(
    private readonly redis: RedisAdapter,
    private readonly prefix: string,
    private readonly userOf: (session: SessionData) => unknown,
    private readonly guardSeconds: number | undefined,
    index: UserIndex,
  ) {
    this.index = index
  }

  /** The same accounts through another connection (the store's own, for durable writes). */
  via(redis: RedisAdapter): Accounts {
    return new Accounts(redis, this.prefix, this.userOf, this.guardSeconds, this.index.via(redis))
  }

  /**
   * Lists the session under its owner's index, then runs `writeRecord` and gives its result. On one
   * node both go out back to back on the same connection (Redis runs them in order, one round trip);
   * on a cluster the record waits for the index, so a crash between them leaves at worst a stale
   * entry. A write `destroyGuard` refused (`false`: the key holds a tombstone, so no write lands
   * until it expires) unlists the entry it added, unless a later write changed it. An owner change
   * unlists the session from its previous owner afterwards.
   */
  async write<T>(session: SessionData, sid: string, ttl: number | undefined, writeRecord: () => Promise<T>): Promise<T> {
    const user = userIdOf(this.userOf, session)
    const before = ownerOf(session)
    const listed = user === undefined ? undefined : this.index.add(user, sid, ttl)
    if (listed && this.redis.cluster) await listed
    const [entry, written] = await Promise.all([listed, writeRecord()])
    if (written === false) {
      if (user !== undefined && entry) await this.index.removeIfUnchanged(user, [entry])
      return written
    }
    if (before !== undefined && !sameUser(before, user)) await this.index.remove(before, sid)
    rememberOwner(session, user)
    return written
  }

  /** After a record was deleted: unlists it from its owner (now and as read). */
  async unlist(session: SessionData, sid: string): Promise<void> {
    const user = userIdOf(this.userOf, session)
    const before = ownerOf(session)
    if (user !== undefined) await this.index.remove(user, sid)
    if (before !== undefined && !sameUser(before, user)) await this.index.remove(before, sid)
  }

  /** Marks a session just opened with its owner, so the next write can tell an owner change. */
  opened(session: SessionData): void {
    rememberOwner(session, userIdOf(this.userOf, session))
  }

  #owns(user: UserId, record: OpenedRecord | null): record is OpenedRecord {
    return record !== null && sameUser(userIdOf(this.userOf, record.session), user)
  }

  async #records(entries: readonly IndexEntry[]): Promise<(Buffer | null)[]> {
    const values: (Buffer | null)[] = []
    for (const part of chunks(entries)) values.push(...(await this.redis.mget(part.map((e) => this.prefix + e.sid))))
    return values
  }

  /** The user's live sessions, newest first; entries that do not lead to one of theirs are unlisted. */
  async sessionsOf(user: UserId, open: OpenRecord): Promise<UserSession[]> {
    const entries = await this.index.read(user)
    const values = await this.#records(entries)
    const live: UserSession[] = []
    const stale: IndexEntry[] = []
    const missing: IndexEntry[] = []
    await Promise.all(
      entries.map(async (entry, i) => {
        const value = values[i] ?? null
        const record = await open(entry.sid, value)
        if (!this.#owns(user, record)) return void (value === null ? missing : stale).push(entry)
        const expiresAt = entry.score === 'inf' ? null : Number(entry.score) - INDEX_GRACE_MS
        live.push({ id: entry.sid, createdAt: record.createdAt, sealedAt: record.sealedAt, expiresAt, session: record.session })
      }),
    )
    await this.index.removeIfUnchanged(user, stale)
    await this.#unlistMissing(user, missing)
    return live.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0) || (b.sealedAt ?? 0) - (a.sealedAt ?? 0))
  }

  /**
   * Unlists entries without a record (if their score is unchanged), then looks once more: a record
   * written meanwhile (its index write came first, its record just after) is listed again.
   */
  async #unlistMissing(user: UserId, missing: readonly IndexEntry[]): Promise<void> {
    if (missing.length === 0) return
    await this.index.removeIfUnchanged(user, missing)
    const again = await this.#records(missing)
    const back = missing.filter((_, i) => again[i] !== null && !isTombstone(again[i] as Buffer))
    if (back.length > 0) await this.index.restore(user, back)
  }

  /**
   * Ends every session of `user` except those in `except`; the number ended. A record is ended
   * only if it is still the one checked (else it is read and checked again), as a tombstone under
   * destroyGuard; under destroyGuard an entry whose record is not there yet is tombstoned too, so a
   * write in flight cannot land. Only entries of sessions ended are unlisted. `ended` hears the
   * Redis key of each session ended or tombstoned, so the store can drop what it remembers of it.
   */
  async destroySessionsOf(user: UserId, except: ReadonlySet<string>, open: OpenRecord, ended: (key: string) => void = () => {}): Promise<number> {
    const entries = (await this.index.read(user)).filter((e) => !except.has(e.sid))
    let count = 0
    const done: IndexEntry[] = []
    for (const part of chunks(entries)) {
      await Promise.all(
        part.map(async (entry) => {
          const outcome = await this.#end(user, entry.sid, open)
          if (outcome === 'ended') count++
          if (outcome === 'kept') return
          done.push(entry)
          ended(this.prefix + entry.sid)
        }),
      )
    }
    await this.index.removeIfUnchanged(user, done)
    return count
  }

  async #end(user: UserId, sid: string, open: OpenRecord): Promise<'ended' | 'gone' | 'kept'> {
    const key = this.prefix + sid
    const guard = this.guardSeconds === undefined ? '' : String(this.guardSeconds)
    for (let attempt = 0; attempt < END_ATTEMPTS; attempt++) {
      const stored = await this.redis.get(key)
      if (stored !== null && isTombstone(stored)) return 'gone'
      if (stored === null) {
        if (guard === '') return 'kept'
        const marked = await this.#endIf(key, '', guard)
        if (marked === 'wrong-type') return 'kept'
        if (marked) return 'gone'
        continue
      }
      if (!this.#owns(user, await open(sid, stored))) return 'kept'
      if ((await this.#endIf(key, createHash('sha1').update(stored).digest('hex'), guard)) === true) return 'ended'
    }
    return 'kept'
  }

  /** Whether the record was ended; 'wrong-type' for a key that holds no session (never touched). */
  async #endIf(key: string, sha1: string, guard: string): Promise<boolean | 'wrong-type'> {
    const outcome = Number(await this.redis.eval(END_IF_UNCHANGED, [key], [sha1, guard, TOMBSTONE]))
    return outcome === -1 ? 'wrong-type' : outcome === 1
  }
}
