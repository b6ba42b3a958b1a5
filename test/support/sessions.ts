/** Sessions, stores and callback probes shared by the store tests. */
import type { SessionData } from 'express-session'
import { RedisStore, type RedisStoreOptions } from '../../src/index.js'

/** 32-byte secrets (HKDF, no scrypt) so that stores start fast. Test-only values. */
export const SECRET_A = Buffer.alloc(32, 0xa1)
export const SECRET_B = Buffer.alloc(32, 0xb2)

/** A session whose cookie expires in `maxAgeMs`, with `data` merged in. */
export function sessionWith(data: Record<string, unknown> = {}, maxAgeMs: number | null = 3_600_000): SessionData {
  const cookie =
    maxAgeMs === null
      ? { originalMaxAge: null, httpOnly: true, path: '/' }
      : { originalMaxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs), httpOnly: true, path: '/' }
  return { cookie, ...data } as unknown as SessionData
}

/** What a session looks like after a trip through JSON (dates become strings). */
export function asStored(session: SessionData): unknown {
  return JSON.parse(JSON.stringify(session))
}

/** Creates stores with test defaults (inline sealing, a 32-byte secret) and closes them all at the end. */
export class StoreTracker {
  readonly #stores: RedisStore[] = []

  create(options: Partial<RedisStoreOptions>): RedisStore {
    const store = new RedisStore({ secret: SECRET_A, pool: false, ...options } as RedisStoreOptions)
    this.#stores.push(store)
    return store
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#stores.splice(0).map((s) => s.close()))
  }
}

/** Records every call of a Node-style callback. */
export interface CallbackProbe<T> {
  readonly callback: (err: unknown, value?: T) => void
  readonly calls: { err: unknown; value: T | undefined }[]
  /** Resolves with the first call. */
  readonly first: Promise<{ err: unknown; value: T | undefined }>
}

export function probe<T>(): CallbackProbe<T> {
  const calls: { err: unknown; value: T | undefined }[] = []
  let resolveFirst: (call: { err: unknown; value: T | undefined }) => void = () => {}
  const first = new Promise<{ err: unknown; value: T | undefined }>((resolve) => (resolveFirst = resolve))
  return {
    calls,
    first,
    callback(err, value) {
      calls.push({ err, value })
      if (calls.length === 1) resolveFirst({ err, value })
    },
  }
}

/** Lets queued callbacks and timers of the current turn run (no fixed delay). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Polls `condition` each turn until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

let counter = 0
/** A prefix no other test uses. */
export function uniquePrefix(label: string): string {
  counter++
  return `t${counter}:${label.replace(/[^a-z0-9]/gi, '')}:`
}
