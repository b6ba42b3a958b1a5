import { SealedError } from '../errors.js'
import type { RedisAdapter } from './client.js'

/**
 * Settles `work` within `ms`: a Redis command stuck in a client's offline queue while Redis is
 * down would otherwise hold the request forever. The command itself is not cancelled; its late
 * outcome is ignored.
 */
export function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SealedError('ERR_SEALED_TIMEOUT', `Redis did not answer ${what} within ${ms} ms`)), ms)
  })
  work.catch(() => {})
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer))
}

/** The same adapter with every command bounded by `ms` milliseconds. */
export function withDeadline(redis: RedisAdapter, ms: number): RedisAdapter {
  return {
    cluster: redis.cluster,
    get: (key) => within(redis.get(key), ms, 'GET'),
    mget: (keys) => within(redis.mget(keys), ms, 'MGET'),
    set: (key, value, ttl) => within(redis.set(key, value, ttl), ms, 'SET'),
    expire: (key, ttl) => within(redis.expire(key, ttl), ms, 'EXPIRE'),
    del: (keys) => within(redis.del(keys), ms, 'DEL'),
    eval: (script, keys, args) => within(redis.eval(script, keys, args), ms, 'EVAL'),
    async *scan(match, count) {
      const batches = redis.scan(match, count)[Symbol.asyncIterator]()
      for (;;) {
        const next = await within(batches.next(), ms, 'SCAN')
        if (next.done) return
        yield next.value
      }
    },
  }
}
