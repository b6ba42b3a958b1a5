import type { KeyRing } from './keyring.js'
import { open, seal, type OpenFailureReason, type SealSettings } from './seal.js'

/** The outcome of opening a stored value, with the plaintext decoded as UTF-8. */
export type OpenedText =
  | { readonly ok: true; readonly text: string; readonly keyId: number; readonly sealedAt: number }
  | { readonly ok: false; readonly reason: OpenFailureReason }

/** UTF-8 encodes and seals serialized session text. The caller has checked its size. */
export function sealText(text: string, redisKey: string, ring: KeyRing, settings: SealSettings, now?: number): Buffer | string {
  return seal(Buffer.from(text, 'utf8'), redisKey, ring, settings, now)
}

/** Opens a stored value and decodes its plaintext. Never throws. */
export function openText(stored: Uint8Array, redisKey: string, ring: KeyRing, maxBytes: number): OpenedText {
  const opened = open(stored, redisKey, ring, maxBytes)
  if (!opened.ok) return opened
  return { ok: true, text: opened.plain.toString('utf8'), keyId: opened.keyId, sealedAt: opened.sealedAt }
}
