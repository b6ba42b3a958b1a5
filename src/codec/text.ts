import type { FormatVersion } from './format.js'
import type { KeyRing } from './keyring.js'
import { open } from './open.js'
import type { OpenFailureReason } from './opened.js'
import { seal, type SealSettings, type SealTimes } from './seal.js'

/** The outcome of opening a stored value, with the plaintext decoded as UTF-8. */
export type OpenedText =
  | {
      readonly ok: true
      readonly text: string
      readonly keyId: number
      readonly sealedAt: number
      /** When the session was first sealed; for version 1 records, their `sealedAt`. */
      readonly createdAt: number
      readonly version: FormatVersion
      readonly plaintextBytes: number
    }
  | { readonly ok: false; readonly reason: OpenFailureReason }

/** UTF-8 encodes and seals serialized session text. The caller has checked its size. */
export function sealText(text: string, redisKey: string, ring: KeyRing, settings: SealSettings, times?: SealTimes | number): Buffer | string {
  return seal(Buffer.from(text, 'utf8'), redisKey, ring, settings, times)
}

/** Opens a stored value and decodes its plaintext. Never throws. */
export function openText(stored: Uint8Array, redisKey: string, ring: KeyRing, maxBytes: number): OpenedText {
  const opened = open(stored, redisKey, ring, maxBytes)
  if (!opened.ok) return opened
  const { keyId, sealedAt, createdAt, version, plaintextBytes } = opened
  return { ok: true, text: opened.plain.toString('utf8'), keyId, sealedAt, createdAt, version, plaintextBytes }
}
