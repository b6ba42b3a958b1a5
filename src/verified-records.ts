import { FORMAT_VERSION } from './codec/format.js'
import type { OpenedText } from './codec/text.js'

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
  readonly #entries = new Map<string, Entry>()
  readonly #capacity: number

  constructor(capacity = VERIFIED_RECORD_ENTRIES) {
    this.#capacity = capacity
  }

  get size(): number {
    return this.#entries.size
  }

  /** What opening `stored` under `redisKey` gave before, if these are exactly the bytes remembered for it. */
  lookup(redisKey: string, stored: Uint8Array): Verified | undefined {
    const entry = this.#entries.get(redisKey)
    if (entry === undefined || entry.record.length !== stored.length || !entry.record.equals(stored)) return undefined
    this.#entries.delete(redisKey)
    this.#entries.set(redisKey, entry)
    return entry.opened
  }

  /** Remembers a record that opened as `opened` (a copy of its bytes: a reply may be a view into a socket buffer). */
  opened(redisKey: string, stored: Uint8Array, opened: Verified): void {
    if (stored.length > VERIFIED_RECORD_MAX_BYTES) return this.forget(redisKey)
    this.#remember(redisKey, Buffer.from(stored), opened)
  }

  /** Remembers a binary record this store just sealed from `text` (its header holds the rest of what an open gives). */
  sealed(redisKey: string, record: Buffer | string, text: string): void {
    if (typeof record === 'string' || record.length > VERIFIED_RECORD_MAX_BYTES || record[0] !== FORMAT_VERSION) return this.forget(redisKey)
    this.#remember(redisKey, record, {
      ok: true,
      text,
      keyId: record.readUInt32BE(2),
      sealedAt: record.readUIntBE(7, 6),
      createdAt: record.readUIntBE(13, 6),
      version: FORMAT_VERSION,
      plaintextBytes: record.readUInt32BE(19),
    })
  }

  #remember(redisKey: string, record: Buffer, opened: Verified): void {
    const entries = this.#entries
    entries.delete(redisKey)
    entries.set(redisKey, { record, opened })
    if (entries.size > this.#capacity) entries.delete(entries.keys().next().value as string)
  }

  forget(redisKey: string): void {
    this.#entries.delete(redisKey)
  }

  clear(): void {
    this.#entries.clear()
  }
}
