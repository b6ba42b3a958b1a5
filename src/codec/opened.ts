import type { FormatVersion } from './format.js'

/** Why a record did not open. Deliberately coarse: it never says more than which check failed. */
export type OpenFailureReason =
  | 'truncated'
  | 'version'
  | 'algorithm'
  | 'key'
  | 'flags'
  | 'tag'
  | 'too-large'
  | 'decompress'
  | 'encoding'
  | 'created-after-sealed'

export type Opened =
  | {
      readonly ok: true
      readonly plain: Buffer
      readonly keyId: number
      readonly sealedAt: number
      /** When the session was first sealed; for version 1 records, their `sealedAt`. */
      readonly createdAt: number
      readonly version: FormatVersion
      /** Length of the (uncompressed) plaintext. */
      readonly plaintextBytes: number
    }
  | { readonly ok: false; readonly reason: OpenFailureReason }
