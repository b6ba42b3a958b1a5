import { CREATED_AT } from '../session-times.js'
import type { UserId } from './user-index.js'

/**
 * Who a session belonged to when `get` opened it, under a Symbol key (skipped by JSON and by
 * express-session's for...in copy and change hash), so `set` can tell an owner change from a
 * plain write without reading Redis.
 */
const OWNER = Symbol.for('connect-redis-sealed.owner')

export function ownerOf(session: unknown): UserId | undefined {
  if (typeof session !== 'object' || session === null) return undefined
  const value = (session as Record<symbol, unknown>)[OWNER]
  return typeof value === 'string' ? value : undefined
}

export function rememberOwner(session: unknown, user: UserId | undefined): void {
  if (typeof session !== 'object' || session === null || !Object.isExtensible(session)) return
  Object.defineProperty(session, OWNER, { value: user === undefined ? undefined : String(user), enumerable: true, writable: true, configurable: true })
}

const MARKS = [OWNER, CREATED_AT] as const

/** Copies the store's Symbol-keyed marks (owner, creation time) from one session object to another, as they were defined. */
export function carryMarks(from: unknown, to: unknown): void {
  if (typeof from !== 'object' || from === null || typeof to !== 'object' || to === null || !Object.isExtensible(to)) return
  for (const mark of MARKS) {
    const property = Object.getOwnPropertyDescriptor(from, mark)
    if (property) Object.defineProperty(to, mark, property)
  }
}

/** `userOf`'s answer as an index id: a non-empty string or a finite number; undefined, null or '' is no user. */
export function userIdOf(userOf: (session: never) => unknown, session: unknown): UserId | undefined {
  const user = userOf(session as never)
  if (user === undefined || user === null || user === '') return undefined
  if (typeof user === 'string' || (typeof user === 'number' && Number.isFinite(user))) return user
  throw new TypeError(`connect-redis-sealed: the "userOf" function returned ${typeof user}, expected a string, a number or undefined`)
}

export function sameUser(a: UserId | undefined, b: UserId | undefined): boolean {
  return a !== undefined && b !== undefined && String(a) === String(b)
}
