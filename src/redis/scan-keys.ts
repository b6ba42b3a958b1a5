import { RecentMap } from '../recent-map.js'

/** How many of the latest keys a scan remembers to drop SCAN's repeats (about 10 MB of keys at most). */
export const SCAN_REPEAT_WINDOW = 100_000

/**
 * Drops the keys of a SCAN that were already seen among the last `window` keys. SCAN may return a
 * key more than once (when Redis resizes its table mid-scan), and such a repeat comes soon after the
 * first sighting; remembering only a window keeps a scan's memory bounded over any keyspace, at the
 * price that a repeat after more than `window` other keys is passed on again (`length()` may then
 * count it twice, as connect-redis always does).
 */
export class RecentKeys {
  readonly #seen: RecentMap<string, true>

  constructor(window = SCAN_REPEAT_WINDOW) {
    this.#seen = new RecentMap(window)
  }

  /** Keys remembered now; never more than the window. */
  get size(): number {
    return this.#seen.size
  }

  /** The keys of `keys` not seen within the window, in order; each is remembered. */
  fresh(keys: readonly string[]): string[] {
    const seen = this.#seen
    return keys.filter((key) => {
      if (seen.get(key) !== undefined) return false
      seen.set(key, true)
      return true
    })
  }
}
