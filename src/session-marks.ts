import type { RecordToken } from './records/record-token.js'

/**
 * What `get` learned about a session object it handed out: its creation time (so a re-seal never
 * makes a session younger), its owner when it was opened (so `set` can tell an owner change from
 * a plain write without reading Redis), and the record it was read from (so `set` writes only over
 * that record, and merges otherwise).
 *
 * The marks sit on the object under a non-enumerable `Symbol.for` key, so JSON, for...in,
 * `Object.keys`, spreads, `Object.assign`, `structuredClone`, express-session's change hash and an
 * app's deep comparisons never see them, and an ESM and a CommonJS copy of this package read each
 * other's. They were kept in a WeakMap beside the object before: V8's minor GC then kept every
 * request's marks (with the base text, about 2 KB at a 1 KB session) alive until a full GC, which
 * doubled the bytes promoted to the old generation per read+write (bench/plain-app, issue 27). On
 * the object, they die with it. An object that cannot take a property (frozen, sealed, not
 * extensible) keeps its marks in that WeakMap still. express-session copies a loaded session into
 * a Session object through the store's `createSession`, which carries the marks over.
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

const MARKS = Symbol.for('connect-redis-sealed.session-marks')

type Marked = { [MARKS]?: Marks }

/** Marks of objects that cannot take a property, shared by the ESM and CommonJS copies like the key. */
function fallbackRegistry(): WeakMap<object, Marks> {
  const holder = globalThis as unknown as Record<symbol, WeakMap<object, Marks> | undefined>
  const known = holder[MARKS]
  if (known) return known
  const created = new WeakMap<object, Marks>()
  Object.defineProperty(globalThis, MARKS, { value: created })
  return created
}

const fallback = fallbackRegistry()

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null

function marksOf(session: object): Marks | undefined {
  return Object.hasOwn(session, MARKS) ? (session as Marked)[MARKS] : fallback.get(session)
}

function attach(session: object, m: Marks): void {
  if (Object.isExtensible(session)) Object.defineProperty(session, MARKS, { value: m, writable: true, configurable: true, enumerable: false })
  else fallback.set(session, m)
}

function marksFor(session: object): Marks {
  let m = marksOf(session)
  if (m === undefined) attach(session, (m = {}))
  return m
}

/** When `session` was first sealed (ms since the epoch), if it came from this store's `get`. */
export function createdAtOf(session: unknown): number | undefined {
  return isObject(session) ? marksOf(session)?.createdAt : undefined
}

/** Marks `session` with its creation time; a primitive value is left as it is. */
export function rememberCreatedAt(session: unknown, createdAt: number): void {
  if (isObject(session) && Number.isSafeInteger(createdAt) && createdAt >= 0) marksFor(session).createdAt = createdAt
}

/** Who `session` belonged to when it was opened or last written, as a string. */
export function ownerOf(session: unknown): string | undefined {
  return isObject(session) ? marksOf(session)?.owner : undefined
}

export function rememberOwner(session: unknown, user: string | number | undefined): void {
  if (isObject(session)) marksFor(session).owner = user === undefined ? undefined : String(user)
}

/** The record `session` was read from or last written as, when it came from this store. */
export function baseOf(session: unknown): SessionBase | undefined {
  return isObject(session) ? marksOf(session)?.base : undefined
}

export function rememberBase(session: unknown, base: SessionBase | undefined): void {
  if (isObject(session)) marksFor(session).base = base
}

/** Gives `to` the marks of `from` (express-session's copy of a loaded session into a Session object). */
export function carryMarks(from: unknown, to: unknown): void {
  if (!isObject(from) || !isObject(to)) return
  const m = marksOf(from)
  if (m !== undefined) attach(to, { ...m })
}
