import type { KeyRing } from './keyring.js'
import { open } from './open.js'
import type { Opened } from './opened.js'
import { seal, type SealSettings, type SealTimes } from './seal.js'

/** The outcome of opening a stored value, with the plaintext decoded as UTF-8 (`text` in place of `plain`). */
export type OpenedText = (Omit<Extract<Opened, { ok: true }>, 'plain'> & { readonly text: string }) | Extract<Opened, { ok: false }>

/** Seals serialized session text as UTF-8 (encoded by the cipher, or by the compressor when it applies). The caller has checked its size. */
export function sealText(text: string, redisKey: string, ring: KeyRing, settings: SealSettings, times?: SealTimes | number): Buffer | string {
  return seal(text, redisKey, ring, settings, times)
}

/** Opens a stored value and decodes its plaintext. Never throws. */
export function openText(stored: Uint8Array, redisKey: string, ring: KeyRing, maxBytes: number): OpenedText {
  const opened = open(stored, redisKey, ring, maxBytes)
  if (!opened.ok) return opened
  const { keyId, sealedAt, createdAt, version, plaintextBytes } = opened
  return { ok: true, text: opened.plain.toString('utf8'), keyId, sealedAt, createdAt, version, plaintextBytes }
}
