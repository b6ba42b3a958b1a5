import { CREATED_AT, FORMAT_VERSION, KEY_ID_AT, PLAINTEXT_BYTES_AT, SEALED_AT, TIME_BYTES } from './codec/format.js'
import type { OpenedText } from './codec/text.js'

type Verified = Extract<OpenedText, { ok: true }>

/** Records remembered per store at most; beyond it the least recently used is forgotten. */
export const VERIFIED_RECORD_ENTRIES = 1000
/** Only records of at most this many stored bytes are remembered (where a decryption is a real share of a request). */
export const VERIFIED_RECORD_MAX_BYTES = 4096
/**
 * What all remembered entries together may hold, in bytes (4 MiB): the stored record, the opened
 * text and the Redis key, plus {@link VERIFIED_ENTRY_OVERHEAD_BYTES} each. Texts and keys count 2
 * bytes per UTF-16 code unit, the most V8 spends on a string, so the count is an upper bound.
 */
export const VERIFIED_RECORDS_BUDGET_BYTES = 4 * 1024 * 1024
/** One entry may cost at most this many bytes (16 KiB): a small record that opens to a large text (compressed) is not kept. */
export const VERIFIED_ENTRY_MAX_BYTES = 16 * 1024
/** What an entry costs besides its bytes and strings (the Map slot, the entry and opened objects, the Buffer). */
export const VERIFIED_ENTRY_OVERHEAD_BYTES = 256

interface Entry {
  readonly record: Buffer
  readonly opened: Verified
  readonly bytes: number
}

function costOf(redisKey: string, record: Uint8Array, text: string): number {
  return record.byteLength + 2 * (text.length + redisKey.length) + VERIFIED_ENTRY_OVERHEAD_BYTES
}

/**
 * The records this store most recently sealed or opened, per Redis key, with what opening them
 * gave. Reading back the very bytes this process wrote (or already verified) under the same key
 * skips the decryption: identical bytes under an identical key and key ring authenticate alike,
 * so nothing that would not open opens. The times are still checked by the caller on every read
 * (maxSealAge, clock skew, absoluteTimeout). A different byte anywhere, a different key, or a
 * forgotten entry means a full open. Bounded in entries, in bytes per entry, and in bytes in all
 * ({@link VERIFIED_RECORDS_BUDGET_BYTES}), whatever the sessions hold or compress to.
 */
export class VerifiedRecords {
  readonly #entries = new Map<string, Entry>()
  readonly #capacity: number
  readonly #budget: number
  #bytes = 0

  constructor(capacity = VERIFIED_RECORD_ENTRIES, budgetBytes = VERIFIED_RECORDS_BUDGET_BYTES) {
    this.#capacity = capacity
    this.#budget = budgetBytes
  }

  get size(): number {
    return this.#entries.size
  }

  /** What the entries hold by the count above; never more than the budget. */
  get bytes(): number {
    return this.#bytes
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
    this.#keep(redisKey, Buffer.from(stored), opened)
  }

  /** Remembers a binary record this store just sealed from `text` (its header holds the rest of what an open gives). */
  sealed(redisKey: string, record: Buffer | string, text: string): void {
    if (typeof record === 'string' || record.length > VERIFIED_RECORD_MAX_BYTES || record[0] !== FORMAT_VERSION) return this.forget(redisKey)
    this.#keep(redisKey, record, {
      ok: true,
      text,
      keyId: record.readUInt32BE(KEY_ID_AT),
      sealedAt: record.readUIntBE(SEALED_AT, TIME_BYTES),
      createdAt: record.readUIntBE(CREATED_AT, TIME_BYTES),
      version: FORMAT_VERSION,
      plaintextBytes: record.readUInt32BE(PLAINTEXT_BYTES_AT),
    })
  }

  /** Keeps an entry as the most recent, then forgets the least recently used until both bounds hold. */
  #keep(redisKey: string, record: Buffer, opened: Verified): void {
    this.forget(redisKey)
    const bytes = costOf(redisKey, record, opened.text)
    if (bytes > VERIFIED_ENTRY_MAX_BYTES || bytes > this.#budget) return
    this.#entries.set(redisKey, { record, opened, bytes })
    this.#bytes += bytes
    for (const oldest of this.#entries.keys()) {
      if (this.#bytes <= this.#budget && this.#entries.size <= this.#capacity) break
      this.forget(oldest)
    }
  }

  forget(redisKey: string): void {
    const entry = this.#entries.get(redisKey)
    if (entry === undefined) return
    this.#entries.delete(redisKey)
    this.#bytes -= entry.bytes
  }

  clear(): void {
    this.#entries.clear()
    this.#bytes = 0
  }
}
