import type { RedisAdapter } from './adapter.js'

/** Redis's reply to a command on a key that holds another type (WRONGTYPE), however the client words it. */
export function isWrongType(error: unknown): boolean {
  return error instanceof Error && /\bWRONGTYPE\b|wrong kind of value/i.test(error.message)
}

/**
 * The adapter the store reads sessions through. A key that holds something other than a string
 * (a hash, a user's index named by a planted index entry) is no session: `get` gives null and
 * `wrongType` hears the key, so one planted key never fails a request or stops a batch. `mget`
 * with no keys sends nothing (Redis refuses an MGET without keys), whichever client is underneath.
 * A single node's MGET answers nil for such a key by itself; a cluster's per-key reads are redone
 * one by one when one of them meets it.
 */
export function sessionReads(redis: RedisAdapter, wrongType: (key: string) => void): RedisAdapter {
  const get = (key: string): Promise<Buffer | null> =>
    redis.get(key).catch((error: unknown) => {
      if (!isWrongType(error)) throw error
      wrongType(key)
      return null
    })
  return {
    cluster: redis.cluster,
    get,
    mget: async (keys) => {
      if (keys.length === 0) return []
      try {
        return await redis.mget(keys)
      } catch (error) {
        if (!isWrongType(error)) throw error
        return Promise.all(keys.map(get))
      }
    },
    set: (key, value, ttl) => redis.set(key, value, ttl),
    expire: (key, ttl) => redis.expire(key, ttl),
    del: (keys) => redis.del(keys),
    scan: (match, count) => redis.scan(match, count),
    eval: (script, keys, args) => redis.eval(script, keys, args),
  }
}
