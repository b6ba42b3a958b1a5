import type { KeyRing } from '../codec/keyring.js'
import { seal, type SealSettings } from '../codec/seal.js'

/** The times a record carries. A legacy record has none: it is sealed as of now. */
export interface RecordTimes {
  /** Milliseconds since the epoch when the record was last sealed by the app. */
  readonly sealedAt?: number
  /** Milliseconds since the epoch when the session began (format v2 and later). */
  readonly createdAt?: number
}

/**
 * Seals `plain` again for `redisKey`, keeping the times of the record it replaces: a re-seal by an
 * operator tool (`rekey`, `migrate`) must never make a record look younger than it is, or it would
 * stretch `maxSealAge` for every session it touches.
 */
export function resealKeepingTimes(plain: Uint8Array, redisKey: string, ring: KeyRing, settings: SealSettings, times: RecordTimes): Buffer | string {
  return seal(plain, redisKey, ring, settings, { sealedAt: times.sealedAt, createdAt: times.createdAt })
}

/** True when a record sealed at `sealedAt` is older than `maxSealAgeSeconds` at `now` (the store's rule). */
export function isExpired(sealedAt: number, maxSealAgeSeconds: number | undefined, now = Date.now()): boolean {
  return maxSealAgeSeconds !== undefined && now - sealedAt > maxSealAgeSeconds * 1000
}
