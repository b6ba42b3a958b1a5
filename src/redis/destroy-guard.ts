import type { RedisAdapter } from './client.js'

/**
 * What `destroy` writes under a session's key when `destroyGuard` is on. It cannot be mistaken
 * for a record: binary records start with 0x01, hex ones with "0" and base64 ones with "A".
 */
export const TOMBSTONE = Buffer.from('connect-redis-sealed:destroyed', 'latin1')

/** True when a stored value is a tombstone: a destroyed session, not a record that failed to open. */
export function isTombstone(stored: Uint8Array): boolean {
  return stored.length === TOMBSTONE.length && TOMBSTONE.equals(stored)
}

// Each script touches only KEYS[1], so it runs on a cluster too. STRLEN first keeps a large
// record from being copied into Lua just to learn that it is not a tombstone.
const IS_TOMBSTONE = `local k, mark = KEYS[1], ARGV[1]
if redis.call('STRLEN', k) == #mark and redis.call('GET', k) == mark then return 0 end
`

/** SET unless the key holds a tombstone. ARGV: tombstone, value, TTL seconds or '' (no expiry). */
const SET_UNLESS_DESTROYED = `${IS_TOMBSTONE}if ARGV[3] == '' then redis.call('SET', k, ARGV[2]) else redis.call('SET', k, ARGV[2], 'EX', ARGV[3]) end
return 1`

/** EXPIRE unless the key holds a tombstone (then 0), so a touch never prolongs one. ARGV: tombstone, TTL seconds. */
const EXPIRE_UNLESS_DESTROYED = `${IS_TOMBSTONE}redis.call('EXPIRE', k, ARGV[2])
return 1`

/** DEL unless the key holds a tombstone, so an expired session's save does not lift the guard. ARGV: tombstone. */
const DELETE_UNLESS_DESTROYED = `${IS_TOMBSTONE}return redis.call('DEL', k)`

/**
 * The destroy/set race guard: `destroy` leaves a tombstone for `seconds`, and every write checks
 * for it atomically on the Redis server, so a slow request cannot resurrect a destroyed session.
 */
export class DestroyGuard {
  constructor(
    private readonly redis: RedisAdapter,
    /** How long a destroyed id stays dead, in seconds. */
    readonly seconds: number,
  ) {}

  /** Replaces the session with a tombstone that expires after the guard period. */
  async destroy(key: string): Promise<void> {
    await this.redis.set(key, TOMBSTONE, this.seconds)
  }

  /** Writes a record unless the session was destroyed within the guard period; true when written. */
  async set(key: string, value: Buffer | string, ttl: number | undefined): Promise<boolean> {
    const written = await this.redis.eval(SET_UNLESS_DESTROYED, [key], [TOMBSTONE, value, ttl === undefined ? '' : String(ttl)])
    return Number(written) === 1
  }

  /** EXPIRE unless the session was destroyed within the guard period; false when refused. */
  async expire(key: string, ttl: number): Promise<boolean> {
    return Number(await this.redis.eval(EXPIRE_UNLESS_DESTROYED, [key], [TOMBSTONE, String(ttl)])) === 1
  }

  async delete(key: string): Promise<void> {
    await this.redis.eval(DELETE_UNLESS_DESTROYED, [key], [TOMBSTONE])
  }
}
