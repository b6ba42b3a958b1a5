import { setTimeout as delay } from 'node:timers/promises'
import { SealedError } from '../errors.js'
import { mergeThreeWay } from '../merge/three-way.js'
import type { Serializer } from '../options/types.js'
import type { RedisAdapter } from '../redis/adapter.js'
import { setIfUnchanged } from '../redis/compare-and-set.js'
import type { SessionBase } from '../session-marks.js'
import { isThenable, type OpenOutcome } from './acceptance.js'
import { recordToken } from './record-token.js'

/** Counters of writes that met another request's write (see the README's "Concurrent requests"). */
export interface WriteCounts {
  /** Writes that found another record than the one their session was read from. */
  conflicts: number
  /** Three-way merges run after a conflict. */
  merges: number
  /** Places where both requests changed the same path differently; the later writer's value was kept there. */
  mergeConflicts: number
  /** Writes not made because the session had ended (destroyed, expired, or no longer opening) since it was read. */
  droppedWrites: number
}

/** Attempts of one write before it gives up with `ERR_SEALED_CONFLICT`: each failed one means another write landed. */
export const WRITE_ATTEMPTS = 50
/** Longest pause between two attempts, in ms; pauses are random and grow with the attempts, so writers spread out. */
const MAX_PAUSE_MS = 50

/** One write of a session that was read from a record: what it is, where, and what it started from. */
export interface BasedWrite {
  readonly sid: string
  readonly key: string
  /** The session as this request serialized it ("mine"). */
  readonly text: string
  readonly base: SessionBase
  /** Seconds, or undefined for no expiry. */
  readonly ttl: number | undefined
  readonly createdAt: number | undefined
}

/** What was written: the record, the text it holds, and whether that text is a merge. */
export interface Written {
  readonly record: Buffer | string
  readonly text: string
  readonly merged: boolean
}

export type Seal = (text: string, createdAt: number | undefined) => Buffer | string | Promise<Buffer | string>
export type Open = (stored: Buffer) => OpenOutcome

type Parsed = Record<string, unknown>

const awaited = async <T>(value: T | PromiseLike<T>): Promise<T> => (isThenable(value) ? await value : value)

/**
 * Compare-and-set with a three-way merge. The record is written only if Redis still holds the one
 * the session was read from; otherwise the record there is opened (through the same acceptance
 * rules as a `get`), the request's changes since its base are merged onto it, and the write is
 * tried again against that record. A key that is gone, or whose record is no session, means the
 * session ended: nothing is written (a logout is never undone).
 */
export class ConcurrentWriter {
  readonly counts: WriteCounts = { conflicts: 0, merges: 0, mergeConflicts: 0, droppedWrites: 0 }

  constructor(private readonly serializer: Serializer) {}

  /** Writes `write` through `redis` (the store's, or its durable connection), merging as needed; false when the session had ended. */
  async write(write: BasedWrite, seal: Seal, open: Open, redis: RedisAdapter): Promise<Written | false> {
    const { key, base } = write
    let token = base.token
    let createdAt = write.createdAt
    let text = base.recordText === undefined ? write.text : await this.#merge(write, base.recordText)
    for (let attempt = 1; ; attempt++) {
      const sealing = seal(text, createdAt)
      const record = isThenable(sealing) ? await sealing : sealing
      const outcome = await setIfUnchanged(redis, key, record, write.ttl, token)
      if (outcome === 'written') return { record, text, merged: text !== write.text }
      if (outcome === 'gone') return this.#dropped()
      this.counts.conflicts++
      if (attempt === WRITE_ATTEMPTS) throw new SealedError('ERR_SEALED_CONFLICT', `the session was changed by other requests on each of ${WRITE_ATTEMPTS} attempts to write it`)
      // The pause comes before the read, never between the read and the write: a merge that waited
      // would be stale on arrival whenever the session is written more often than the pause lasts.
      if (attempt > 1) await delay(Math.random() * Math.min(MAX_PAUSE_MS, 2 ** attempt))
      const stored = await redis.get(key)
      const theirs = stored === null ? null : await awaited(open(stored))
      if (stored === null || theirs === null) return this.#dropped()
      token = recordToken(stored)
      if (theirs.createdAt !== undefined) createdAt = Math.min(createdAt ?? theirs.createdAt, theirs.createdAt)
      text = await this.#merge(write, theirs.text)
    }
  }

  #dropped(): false {
    this.counts.droppedWrites++
    return false
  }

  /**
   * base → mine merged onto theirs; this request's cookie wins whole. The cookie stays out of the
   * merge: every request renews its `expires`, which would count as a same-path conflict each time.
   */
  async #merge(write: BasedWrite, theirsText: string): Promise<string> {
    const [base, mine, theirs] = await Promise.all([write.base.text, write.text, theirsText].map((t) => awaited(this.serializer.parse(t))))
    const cookie = isRecord(mine) && 'cookie' in mine ? { value: mine.cookie } : undefined
    for (const side of [base, mine, theirs]) if (isRecord(side)) Reflect.deleteProperty(side, 'cookie')
    const { value, conflicts } = mergeThreeWay(base, mine, theirs)
    this.counts.merges++
    this.counts.mergeConflicts += conflicts
    if (isRecord(value) && cookie) value.cookie = cookie.value
    const merged: unknown = await awaited(this.serializer.stringify(value as never))
    if (typeof merged !== 'string') throw new SealedError('ERR_SEALED_SERIALIZE', 'serializer.stringify must return a string')
    return merged
  }
}

function isRecord(value: unknown): value is Parsed {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
