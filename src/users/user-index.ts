import { createHmac, hkdfSync } from 'node:crypto'
import type { MasterKey } from '../codec/keyring.js'
import type { RedisAdapter } from '../redis/adapter.js'
import { RecentMap } from '../recent-map.js'
import { INDEX_ADD, INDEX_MERGE, INDEX_READ, INDEX_REMOVE_IF } from './scripts.js'

/** What follows the prefix in an index key; `~` never occurs in express-session's ids (base64url). */
export const INDEX_MARK = '~user:'

/**
 * Index entries outlive their session's expiry by this much, so that a small clock difference
 * between the index's node and the session's node never trims an entry of a live session.
 */
export const INDEX_GRACE_MS = 2000

/** A user as `userOf` gives it: a string or number; anything else (or '') is no user. */
export type UserId = string | number

/** One entry as an index holds it: the session id and its expiry score, verbatim from Redis. */
export interface IndexEntry {
  readonly sid: string
  readonly score: string
}

const SALT = Buffer.from('connect-redis-sealed/user-index/v1')
/** Users whose index keys are remembered (an HMAC per key of the ring otherwise, on every write). */
const REMEMBERED_USERS = 1000

/** True for a key that is a user index, not a session record. */
export function isIndexKey(key: string, prefix: string): boolean {
  return key.startsWith(prefix + INDEX_MARK)
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : Buffer.from(v as Uint8Array).toString('utf8'))

function pairs(reply: unknown): IndexEntry[] {
  const flat = (Array.isArray(reply) ? reply : []).map(asText)
  const entries: IndexEntry[] = []
  for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ sid: flat[i] as string, score: flat[i + 1] as string })
  return entries
}

/**
 * The per-user index: a sorted set of session ids scored by expiry, under the prefix plus an HMAC
 * of the user id. Each master key of the ring has its own index key (HKDF for this purpose alone,
 * never a sealing key); writes use the newest, reads look under every one and move old entries.
 */
export class UserIndex {
  readonly #macKeys: readonly Buffer[]
  readonly #keys: RecentMap<string, readonly string[]>

  constructor(
    private readonly redis: RedisAdapter,
    private readonly prefix: string,
    masters: readonly MasterKey[] | UserIndex,
  ) {
    if (masters instanceof UserIndex) {
      this.#macKeys = masters.#macKeys
      this.#keys = masters.#keys
    } else {
      this.#macKeys = masters.map((m) => Buffer.from(hkdfSync('sha256', m.key, SALT, 'user-index-key', 32)))
      this.#keys = new RecentMap<string, readonly string[]>(REMEMBERED_USERS)
    }
  }

  /** The same index (keys, remembered users) through another connection. */
  via(redis: RedisAdapter): UserIndex {
    return new UserIndex(redis, this.prefix, this)
  }

  /** The index keys of `user`, newest key first. */
  keysOf(user: UserId): readonly string[] {
    const id = String(user)
    const known = this.#keys.get(id)
    if (known) return known
    const keys = this.#macKeys.map((key) => this.prefix + INDEX_MARK + createHmac('sha256', key).update(id, 'utf8').digest('base64url'))
    this.#keys.set(id, keys)
    return keys
  }

  /** Lists `sid` for `ttl` seconds (undefined: no expiry); the entry as written. The command is issued before this returns. */
  add(user: UserId, sid: string, ttl: number | undefined): Promise<IndexEntry> {
    const ms = ttl === undefined ? '' : String(ttl * 1000 + INDEX_GRACE_MS)
    return this.redis.eval(INDEX_ADD, [this.keysOf(user)[0] as string], [ms, sid]).then((score) => ({ sid, score: asText(score) }))
  }

  /** Unlists `sid` from every index key of `user`. */
  async remove(user: UserId, sid: string): Promise<void> {
    await Promise.all(this.keysOf(user).map((key) => this.redis.eval(INDEX_REMOVE_IF, [key], [sid, ''])))
  }

  /** Unlists entries whose score is still the one read (a rewrite since then keeps its entry). */
  async removeIfUnchanged(user: UserId, entries: readonly IndexEntry[]): Promise<void> {
    if (entries.length === 0) return
    await this.redis.eval(INDEX_REMOVE_IF, [this.keysOf(user)[0] as string], entries.flatMap((e) => [e.sid, e.score]))
  }

  /** Lists entries again with the scores they had (keeping a later score already there). */
  async restore(user: UserId, entries: readonly IndexEntry[]): Promise<void> {
    await this.redis.eval(INDEX_MERGE, [this.keysOf(user)[0] as string], entries.flatMap((e) => [e.sid, e.score]))
  }

  /**
   * Every live entry of `user`, trimmed of expired ones. Entries under an older key of the ring
   * are first added under the newest, then removed from the old index (never unlisted in between).
   */
  async read(user: UserId): Promise<IndexEntry[]> {
    const [newest, ...older] = this.keysOf(user) as readonly [string, ...string[]]
    const found = await Promise.all(older.map(async (key) => ({ key, entries: pairs(await this.redis.eval(INDEX_READ, [key], [])) })))
    for (const { key, entries } of found) {
      if (entries.length === 0) continue
      await this.redis.eval(INDEX_MERGE, [newest], entries.flatMap((e) => [e.sid, e.score]))
      await this.redis.eval(INDEX_REMOVE_IF, [key], entries.flatMap((e) => [e.sid, e.score]))
    }
    return pairs(await this.redis.eval(INDEX_READ, [newest], []))
  }
}
