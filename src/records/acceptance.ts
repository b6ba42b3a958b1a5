import type { SessionData } from 'express-session'
import type { OpenedText } from '../codec/text.js'
import type { Sealer } from '../dispatch/sealer.js'
import type { LegacyOpened, LegacyReader } from '../legacy/legacy-reader.js'
import type { SealErrorInfo, Serializer } from '../options/types.js'
import { isTombstone } from '../redis/destroy-guard.js'
import { VerifiedRecords } from '../verified-records.js'

/** A record the store opened: the session, its times (undefined for legacy records) and the text it was parsed from. */
export interface OpenedRecord {
  readonly session: SessionData
  readonly createdAt: number | undefined
  readonly sealedAt: number | undefined
  /** The serialized session the record held: the base of a later three-way merge. */
  readonly text: string
}

/** What the acceptance rules need from the resolved options. Times in seconds. */
export interface AcceptanceRules {
  readonly maxSealAge: number | undefined
  readonly clockSkew: number
  readonly absoluteTimeout: number | undefined
  readonly serializer: Serializer
}

/** Counters of what opening records gave. */
export interface OpenCounts {
  /** Records read and opened. */
  opened: number
  /** Records opened with an older key (re-sealed with the newest on their next `set`). */
  openedWithOldKey: number
  /** Records that failed to open and were reported as no session. */
  openFailures: number
  /** Records of connect-redis or connect-redis-crypto opened through the `legacy` option (also counted in `opened`). */
  legacyOpened: number
  /**
   * Opens answered from memory: the bytes read were exactly a record this store had sealed or
   * verified under the same key (see `verified-records.ts` for the bounds), so they were not decrypted again.
   */
  recalled: number
}

export type OpenOutcome = OpenedRecord | null | Promise<OpenedRecord | null>

/** `await` only what needs it: a plain value costs no promise and no microtask. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/**
 * When an opened record's session was first written: the sealed creation time (format v2),
 * else the record's seal time (v1 records: their last write); undefined for legacy records.
 */
export function creationTimeOf(opened: object): number | undefined {
  const times = opened as { createdAt?: unknown; sealedAt?: unknown }
  const at = times.createdAt ?? times.sealedAt
  return typeof at === 'number' ? at : undefined
}

/**
 * The one home of record acceptance: which stored bytes become a session. In order: no value or
 * a destroy-guard tombstone is no session (not a failure); a legacy record goes to the legacy
 * reader; bytes this store sealed or verified under the same key are recalled, others opened by
 * the sealer; then, for every record, sealed in the future (beyond `clockSkew`), older than
 * `maxSealAge`, older than `absoluteTimeout` by its creation time, and a text that does not parse
 * are each a failure: counted, reported, and no session. Never throws for bad data.
 */
export class RecordAcceptance {
  readonly counts: OpenCounts = { opened: 0, openedWithOldKey: 0, openFailures: 0, legacyOpened: 0, recalled: 0 }
  readonly verified = new VerifiedRecords()

  constructor(
    private readonly rules: AcceptanceRules,
    private readonly legacy: LegacyReader | undefined,
    /** Hears each failure once it is counted (metrics, the `onSealError` hook). */
    private readonly failed: (info: SealErrorInfo) => void,
  ) {}

  /** Counts and reports a record that is no session. */
  reject(info: SealErrorInfo): null {
    this.counts.openFailures++
    this.failed(info)
    return null
  }

  /** Opens the bytes stored under `key` for session `sid`; synchronous unless the sealer, the legacy reader or the serializer waits. */
  open(sid: string, key: string, stored: Buffer | null, sealer: Sealer, currentKeyId: number): OpenOutcome {
    if (stored === null || isTombstone(stored)) return null
    if (this.legacy?.recognizes(stored)) return this.legacy.open(stored).then((opened) => this.accept(sid, opened, currentKeyId))
    const known = this.verified.lookup(key, stored)
    if (known) {
      this.counts.recalled++
      return this.accept(sid, known, currentKeyId)
    }
    const opening = sealer.open(stored, key)
    const verified = (opened: OpenedText): OpenOutcome => {
      if (opened.ok) this.verified.opened(key, stored, opened)
      return this.accept(sid, opened, currentKeyId)
    }
    return isThenable(opening) ? opening.then(verified) : verified(opening)
  }

  /** The checks after decryption (age, creation, parse); a record that fails one is reported and is no session. */
  accept(sid: string, opened: OpenedText | LegacyOpened, currentKeyId: number): OpenOutcome {
    if (!opened.ok) return this.reject({ reason: opened.reason, sid })
    const { maxSealAge, clockSkew, absoluteTimeout, serializer } = this.rules
    const now = Date.now()
    const sealedAt = 'sealedAt' in opened ? opened.sealedAt : undefined
    if (sealedAt !== undefined && sealedAt > now + clockSkew * 1000) return this.reject({ reason: 'future', sid })
    if (maxSealAge !== undefined && sealedAt !== undefined && now - sealedAt > maxSealAge * 1000) return this.reject({ reason: 'expired', sid })
    const createdAt = creationTimeOf(opened)
    if (absoluteTimeout !== undefined && createdAt !== undefined && now - createdAt > absoluteTimeout * 1000) return this.reject({ reason: 'absolute', sid })
    let parsed: SessionData | PromiseLike<SessionData>
    try {
      parsed = serializer.parse(opened.text) as SessionData | PromiseLike<SessionData>
    } catch {
      return this.reject({ reason: 'parse', sid })
    }
    const done = (session: SessionData): OpenedRecord => {
      this.counts.opened++
      if ('legacy' in opened) this.counts.legacyOpened++
      else if (opened.keyId !== currentKeyId) this.counts.openedWithOldKey++
      return { session, createdAt, sealedAt, text: opened.text }
    }
    if (!isThenable(parsed)) return done(parsed)
    return Promise.resolve(parsed).then(done, () => this.reject({ reason: 'parse', sid }))
  }
}
