/**
 * The creation time of a session travels with the session object between `get` and `set` under
 * a non-enumerable Symbol key: JSON.stringify, for...in, Object.assign and assert.deepEqual all
 * skip it, so it never reaches the plaintext, express-session's change hash or an app's
 * comparisons. express-session's copy into a Session object goes through the store's
 * `createSession`, which carries it over. `Symbol.for` makes a CJS and an ESM copy of this
 * package agree on it.
 */
export const CREATED_AT = Symbol.for('connect-redis-sealed.createdAt')

/** When `session` was first sealed (ms since the epoch), if it came from this store's `get`. */
export function createdAtOf(session: unknown): number | undefined {
  if (typeof session !== 'object' || session === null) return undefined
  const value = (session as Record<symbol, unknown>)[CREATED_AT]
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined
}

/** Marks `session` with its creation time; a frozen or primitive value is left as it is. */
export function rememberCreatedAt(session: unknown, createdAt: number): void {
  if (typeof session !== 'object' || session === null || !Object.isExtensible(session)) return
  Object.defineProperty(session, CREATED_AT, { value: createdAt, enumerable: false, writable: true, configurable: true })
}
