import { SealedOptionsError } from '../errors.js'

/** Small option checks; each TypeError names the option and what it got. */

export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new SealedOptionsError(name, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')} (got ${describe(value)})`)
  }
  return value as T
}

/** Longer strings are not quoted back: a secret pasted into the wrong option must not reach a log. */
const QUOTABLE_CHARS = 20

/** What an error message says a bad value was. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return value.length <= QUOTABLE_CHARS ? `"${value}"` : `a string of ${value.length} characters`
  return typeof value === 'number' ? String(value) : typeof value
}

/** A whole number within [min, max]; `undefined` gives the fallback. */
export function integer(name: string, value: unknown, min: number, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`
    throw new SealedOptionsError(name, `must be an integer ${range} (got ${describe(value)})`)
  }
  return value
}

/** The longest delay a Node timer keeps (2^31 - 1 ms, about 24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** Milliseconds for a timer: a whole number within [min, {@link MAX_TIMER_MS}]; `undefined` gives the fallback. */
export function timerMs(name: string, value: unknown, min: number, fallback: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > MAX_TIMER_MS) {
    throw new SealedOptionsError(name, `must be at most ${MAX_TIMER_MS} ms, the longest timer Node keeps (got ${value})`)
  }
  return integer(name, value, min, fallback)
}

/** An option check: a whole number of at least `min`. */
export function atLeast(min: number): (value: unknown, name: string) => number {
  return (value, name) => integer(name, value, min, min)
}

export function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw new SealedOptionsError(name, `must be a boolean (got ${describe(value)})`)
  return value
}

export function plainObject(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SealedOptionsError(name, `must be an object (got ${Array.isArray(value) ? 'array' : describe(value)})`)
  }
  return value as Record<string, unknown>
}

export function onlyKnown(name: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new SealedOptionsError(`${name}.${key}`, `is not a known option (known: ${known.join(', ')})`)
  }
}

