/**
 * A Map of at most `capacity` entries in the order they were last set: setting a key past the
 * capacity drops the one set longest ago. Reading with `get` does not reorder; a caller that wants
 * least-recently-used order sets an entry again when it uses it.
 */
export class RecentMap<K, V> {
  readonly #entries = new Map<K, V>()
  readonly #capacity: number

  constructor(capacity: number) {
    this.#capacity = capacity
  }

  get size(): number {
    return this.#entries.size
  }

  get(key: K): V | undefined {
    return this.#entries.get(key)
  }

  /** Stores `value` as the most recent entry, dropping the oldest beyond the capacity. */
  set(key: K, value: V): void {
    const entries = this.#entries
    entries.delete(key)
    entries.set(key, value)
    if (entries.size > this.#capacity) entries.delete(entries.keys().next().value as K)
  }

  delete(key: K): void {
    this.#entries.delete(key)
  }

  clear(): void {
    this.#entries.clear()
  }
}
