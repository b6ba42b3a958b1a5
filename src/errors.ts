/**
 * Codes carried by {@link SealedError}. Option errors are `TypeError`s carrying
 * `ERR_SEALED_OPTIONS`, so a caller can tell a misconfiguration from a runtime fault.
 */
export type SealedErrorCode =
  | 'ERR_SEALED_OPTIONS'
  | 'ERR_SEALED_TOO_LARGE'
  | 'ERR_SEALED_CLOSED'
  | 'ERR_SEALED_TIMEOUT'
  | 'ERR_SEALED_SERIALIZE'
  | 'ERR_SEALED_CLIENT'
  | 'ERR_SEALED_POOL'

/** Base class of every error this package raises at run time. */
export class SealedError extends Error {
  /** A stable, machine-readable code. */
  readonly code: SealedErrorCode

  constructor(code: SealedErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SealedError'
    this.code = code
  }
}

/** A caller passed a bad option. The message names the option. */
export class SealedOptionsError extends TypeError {
  readonly code = 'ERR_SEALED_OPTIONS' as const

  constructor(option: string, problem: string) {
    super(`connect-redis-sealed: option "${option}" ${problem}`)
    this.name = 'TypeError'
  }
}
