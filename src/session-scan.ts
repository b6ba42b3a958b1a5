import type { SessionData } from 'express-session'
import type { RedisAdapter } from './redis/adapter.js'
import { RecentKeys } from './redis/scan-keys.js'
import { isIndexKey } from './users/user-index.js'

const GLOB = /[*?[\]\\]/g

/** Opens the bytes stored for one session id; null for anything that is no session. */
export type OpenStored = (sid: string, stored: Buffer | null) => Promise<SessionData | null>

/**
 * The store's bulk reads (`clear`, `length`, `ids`, `all`), all by SCAN over the keys under the
 * prefix (a glob-escaped prefix, so `*` in it matches itself), each key once within a window (SCAN
 * may return a key more than once). The users' index keys share the prefix: `clear` deletes them
 * with the sessions, the reads leave them out.
 */
export class SessionScan {
  constructor(
    private readonly redis: RedisAdapter,
    private readonly prefix: string,
    private readonly count: number,
  ) {}

  /** Every key under the prefix, index keys included, in SCAN batches. */
  async *#keys(): AsyncIterable<string[]> {
    const match = `${this.prefix.replace(GLOB, '\\$&')}*`
    const recent = new RecentKeys()
    for await (const keys of this.redis.scan(match, this.count)) {
      const fresh = recent.fresh(keys)
      if (fresh.length > 0) yield fresh
    }
  }

  async *#sessionKeys(): AsyncIterable<string[]> {
    for await (const keys of this.#keys()) yield keys.filter((key) => !isIndexKey(key, this.prefix))
  }

  /** Deletes every key under the prefix: the sessions and the users' index keys (and no other key). */
  async clear(): Promise<void> {
    for await (const keys of this.#keys()) await this.redis.del(keys)
  }

  async length(): Promise<number> {
    let count = 0
    for await (const keys of this.#sessionKeys()) count += keys.length
    return count
  }

  async ids(): Promise<string[]> {
    const ids: string[] = []
    const start = this.prefix.length
    for await (const keys of this.#sessionKeys()) ids.push(...keys.map((k) => k.slice(start)))
    return ids
  }

  /** Every session that opens, each with its `id`; records that do not open are left out. */
  async all(open: OpenStored): Promise<SessionData[]> {
    const start = this.prefix.length
    const sessions: SessionData[] = []
    for await (const keys of this.#sessionKeys()) {
      const values = await this.redis.mget(keys)
      const opened = await Promise.all(values.map((v, i) => open((keys[i] as string).slice(start), v)))
      opened.forEach((session, i) => {
        if (session) sessions.push(Object.assign(session, { id: (keys[i] as string).slice(start) }))
      })
    }
    return sessions
  }
}
