import { CREATED_AT, FORMAT_VERSION, KEY_ID_AT, PLAINTEXT_BYTES_AT, SEALED_AT, TIME_BYTES } from './codec/format.js'
import type { OpenedText } from './codec/text.js'
import { RecentMap } from './recent-map.js'

type Verified = Extract<OpenedText, { ok: true }>

/** Small records remembered per store at most; beyond it the least recently used is forgotten. */
export const VERIFIED_RECORD_ENTRIES = 1000
/** Only records of at most this many stored bytes are remembered (where a decryption is a real share of a request). */
export const VERIFIED_RECORD_MAX_BYTES = 4096

interface Entry {
  readonly record: Buffer
  readonly opened: Verified
}

/**
 * The records this store most recently sealed or opened, per Redis key, with what opening them
 * gave. Reading back the very bytes this process wrote (or already verified) under the same key
 * skips the decryption: identical bytes under an identical key and key ring authenticate alike,
 * so nothing that would not open opens. The times are still checked by the caller on every read
 * (maxSealAge, clock skew, absoluteTimeout). A different byte anywhere, a different key, or a
 * forgotten entry means a full open. Bounded in entries and in bytes per entry.
 */
export class VerifiedRecords {
  readonly #entries: RecentMap<string, Entry>

  constructor(capacity = VERIFIED_RECORD_ENTRIES) {
    this.#entries = new RecentMap(capacity)
  }

  get size(): number {
    return this.#entries.size
  }

  /** What opening `stored` under `redisKey` gave before, if these are exactly the bytes remembered for it. */
  lookup(redisKey: string, stored: Uint8Array): Verified | undefined {
    const entry = this.#entries.get(redisKey)
    if (entry === undefined || entry.record.length !== stored.length || !entry.record.equals(stored)) return undefined
    this.#entries.set(redisKey, entry)
    return entry.opened
  }

  /** Remembers a record that opened as `opened` (a copy of its bytes: a reply may be a view into a socket buffer). */
  opened(redisKey: string, stored: Uint8Array, opened: Verified): void {
    if (stored.length > VERIFIED_RECORD_MAX_BYTES) return this.forget(redisKey)
    this.#entries.set(redisKey, { record: Buffer.from(stored), opened })
  }

  /** Remembers a binary record this store just sealed from `text` (its header holds the rest of what an open gives). */
  sealed(redisKey: string, record: Buffer | string, text: string): void {
    if (typeof record === 'string' || record.length > VERIFIED_RECORD_MAX_BYTES || record[0] !== FORMAT_VERSION) return this.forget(redisKey)
    this.#entries.set(redisKey, {
      record,
      opened: {
        ok: true,
        text,
        keyId: record.readUInt32BE(KEY_ID_AT),
        sealedAt: record.readUIntBE(SEALED_AT, TIME_BYTES),
        createdAt: record.readUIntBE(CREATED_AT, TIME_BYTES),
        version: FORMAT_VERSION,
        plaintextBytes: record.readUInt32BE(PLAINTEXT_BYTES_AT),
      },
    })
  }

  forget(redisKey: string): void {
    this.#entries.delete(redisKey)
  }

  clear(): void {
    this.#entries.clear()
  }
}
