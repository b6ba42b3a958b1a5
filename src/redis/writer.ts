import type { RedisAdapter } from './adapter.js'
import { DestroyGuard } from './destroy-guard.js'

/** The four writes of a session, chosen once per store: plain Redis commands, or through the destroy guard. */
export interface SessionWriter {
  /** SET with `ttl` seconds, or without expiry when `ttl` is undefined. */
  set(key: string, value: Buffer | string, ttl: number | undefined): Promise<unknown>
  expire(key: string, ttl: number): Promise<unknown>
  /** Removes an expired session (under the guard, a tombstone stays). */
  delete(key: string): Promise<unknown>
  /** Ends a session (under the guard, leaves a tombstone). */
  destroy(key: string): Promise<unknown>
}

export function sessionWriter(redis: RedisAdapter, destroyGuard: number | undefined): SessionWriter {
  if (destroyGuard !== undefined) return new DestroyGuard(redis, destroyGuard)
  return {
    set: (key, value, ttl) => redis.set(key, value, ttl),
    expire: (key, ttl) => redis.expire(key, ttl),
    delete: (key) => redis.del([key]),
    destroy: (key) => redis.del([key]),
  }
}
