import { RecentMap } from './recent-map.js'

/** Sessions remembered by `touchAfter` at most; beyond it the least recently written or touched is forgotten. */
export const TOUCH_CACHE_ENTRIES = 10_000

interface Sent {
  /** When this store last wrote or touched the key (ms since epoch, taken before the command left). */
  at: number
  /** The expiry that write or touch gave the key, by the same clock. */
  expiresAt: number
}

/**
 * What `touchAfter` needs: for each recently written or touched key, when that was and the expiry
 * it set. A touch is skipped only if one was sent less than `touchAfter` seconds ago and the
 * expiry it would set is not earlier than the one already in Redis, so skipping can only leave
 * the Redis expiry earlier than the cookie's (by at most `touchAfter`), never later. A forgotten
 * key just means the next touch is sent. Bounded: a Map in recency order, oldest evicted.
 */
export class TouchCache {
  readonly #windowMs: number
  readonly #sent: RecentMap<string, Sent>

  constructor(touchAfterSeconds: number, capacity = TOUCH_CACHE_ENTRIES) {
    this.#windowMs = touchAfterSeconds * 1000
    this.#sent = new RecentMap(capacity)
  }

  get size(): number {
    return this.#sent.size
  }

  /** Whether a touch setting `ttl` seconds from `now` can be left out. */
  canSkip(key: string, ttl: number, now: number): boolean {
    const last = this.#sent.get(key)
    if (last === undefined) return false
    return now - last.at < this.#windowMs && last.expiresAt > now && now + ttl * 1000 >= last.expiresAt
  }

  /** Records a write or touch that Redis acknowledged, started at `at` with `ttl` seconds. */
  record(key: string, ttl: number, at: number): void {
    this.#sent.set(key, { at, expiresAt: at + ttl * 1000 })
  }

  /** Every session under the prefix was deleted. */
  clear(): void {
    this.#sent.clear()
  }

  /** Destroyed, deleted, or written without a known outcome: the next touch must be sent. */
  forget(key: string): void {
    this.#sent.delete(key)
  }
}
