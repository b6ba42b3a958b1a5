import type { RecordToken } from './records/record-token.js'

/**
 * What `get` learned about a session object it handed out, kept beside the object in a WeakMap,
 * not on it: its creation time (so a re-seal never makes a session younger) and its owner when it
 * was opened (so `set` can tell an owner change from a plain write without reading Redis), and
 * the record it was read from (so `set` writes only over that record, and merges otherwise).
 *
 * Nothing is added to the application's object, so JSON, for...in, spreads, express-session's
 * change hash and an app's comparisons never see the marks, and V8 keeps the object's shape (no
 * property defined on every parsed session). express-session copies a loaded session into a Session object through the store's
 * `createSession`, which carries the marks over. The map hangs off `globalThis` under a
 * `Symbol.for` key, so an ESM and a CommonJS copy of this package share it.
 */
interface Marks {
  /** ms since the epoch. */
  createdAt?: number
  /** `userOf`'s answer when the session was opened or last written, as a string. */
  owner?: string
  /** The record this object was read from or last written as: what a compare-and-set compares and a merge starts from. */
  base?: SessionBase
}

/**
 * The session as this request last saw it in Redis. `text` is what the request's own view held
 * (what it read, or what it last wrote); `token` names the record in Redis it expects. After a
 * merge the record holds more than the request's view: `recordText` is then that record's text.
 */
export interface SessionBase {
  /** The Redis key the record was read from: a session written under another key has no base there. */
  readonly key: string
  readonly token: RecordToken
  readonly text: string
  readonly recordText?: string
}

const REGISTRY = Symbol.for('connect-redis-sealed.session-marks')

function registry(): WeakMap<object, Marks> {
  const holder = globalThis as unknown as Record<symbol, WeakMap<object, Marks> | undefined>
  const known = holder[REGISTRY]
  if (known) return known
  const created = new WeakMap<object, Marks>()
  Object.defineProperty(globalThis, REGISTRY, { value: created })
  return created
}

const marks = registry()

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null

function marksFor(session: object): Marks {
  let m = marks.get(session)
  if (m === undefined) marks.set(session, (m = {}))
  return m
}

/** When `session` was first sealed (ms since the epoch), if it came from this store's `get`. */
export function createdAtOf(session: unknown): number | undefined {
  return isObject(session) ? marks.get(session)?.createdAt : undefined
}

/** Marks `session` with its creation time; a primitive value is left as it is. */
export function rememberCreatedAt(session: unknown, createdAt: number): void {
  if (isObject(session) && Number.isSafeInteger(createdAt) && createdAt >= 0) marksFor(session).createdAt = createdAt
}

/** Who `session` belonged to when it was opened or last written, as a string. */
export function ownerOf(session: unknown): string | undefined {
  return isObject(session) ? marks.get(session)?.owner : undefined
}

export function rememberOwner(session: unknown, user: string | number | undefined): void {
  if (isObject(session)) marksFor(session).owner = user === undefined ? undefined : String(user)
}

/** The record `session` was read from or last written as, when it came from this store. */
export function baseOf(session: unknown): SessionBase | undefined {
  return isObject(session) ? marks.get(session)?.base : undefined
}

export function rememberBase(session: unknown, base: SessionBase | undefined): void {
  if (isObject(session)) marksFor(session).base = base
}

/** Gives `to` the marks of `from` (express-session's copy of a loaded session into a Session object). */
export function carryMarks(from: unknown, to: unknown): void {
  if (!isObject(from) || !isObject(to)) return
  const m = marks.get(from)
  if (m !== undefined) marks.set(to, { ...m })
}
