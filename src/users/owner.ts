import { SealedOptionsError } from '../errors.js'
import type { UserId } from './user-index.js'

/** `userOf`'s answer as an index id: a non-empty string or a finite number; undefined, null or '' is no user. */
export function userIdOf(userOf: (session: never) => unknown, session: unknown): UserId | undefined {
  const user = userOf(session as never)
  if (user === undefined || user === null || user === '') return undefined
  if (typeof user === 'string' || (typeof user === 'number' && Number.isFinite(user))) return user
  throw new SealedOptionsError('userOf', `function returned ${typeof user}, expected a string, a number or undefined`)
}

export function sameUser(a: UserId | undefined, b: UserId | undefined): boolean {
  return a !== undefined && b !== undefined && String(a) === String(b)
}
