/**
 * Every code an error of this package carries. `ERR_SEALED_OPTIONS` is a caller's bad option
 * (a {@link SealedOptionsError}); the others are faults at run time (a {@link SealedError}).
 */
export const SEALED_ERROR_CODES = [
  'ERR_SEALED_OPTIONS',
  'ERR_SEALED_TOO_LARGE',
  'ERR_SEALED_CLOSED',
  'ERR_SEALED_TIMEOUT',
  'ERR_SEALED_SERIALIZE',
  'ERR_SEALED_CLIENT',
  'ERR_SEALED_WORKER_MISSING',
  'ERR_SEALED_POOL_FULL',
  'ERR_SEALED_CONFLICT',
  'ERR_SEALED_NOT_DURABLE',
] as const

export type SealedErrorCode = (typeof SEALED_ERROR_CODES)[number]

/** Marks our errors; `Symbol.for` so the ESM and the CommonJS copy of the package know each other's. */
const BRAND = Symbol.for('connect-redis-sealed.error')

function brand(error: Error): void {
  Object.defineProperty(error, BRAND, { value: true })
}

function isBranded(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
}

/**
 * The one hierarchy of errors this package throws, each with a stable `code`.
 *
 * `error instanceof SealedError` holds for every one of them, including {@link SealedOptionsError},
 * which must also be a `TypeError` (a bad argument is a TypeError in every Node API) and so cannot
 * inherit from this class: `instanceof SealedError` tests a brand that both classes set, not the
 * prototype chain. The brand also makes it hold across the ESM and CommonJS builds when an
 * application happens to load both. Subclasses keep ordinary `instanceof`.
 */
export class SealedError extends Error {
  /** A stable, machine-readable code. */
  readonly code: SealedErrorCode

  constructor(code: SealedErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SealedError'
    this.code = code
    brand(this)
  }

  static override [Symbol.hasInstance](value: unknown): value is SealedError {
    if (this !== SealedError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return isBranded(value)
  }
}

/**
 * A caller passed a bad option, or an option's function (`ttl`) returned a bad value. A
 * `TypeError` with code `ERR_SEALED_OPTIONS` whose message names the option; also `instanceof SealedError`.
 */
export class SealedOptionsError extends TypeError {
  readonly code = 'ERR_SEALED_OPTIONS' as const

  constructor(option: string, problem: string) {
    super(`connect-redis-sealed: option "${option}" ${problem}`)
    this.name = 'TypeError'
    brand(this)
  }
}
