import { keysAsStrings, type Fn, type RedisAdapter } from './adapter.js'
import { evalCached } from './cached-script.js'

/** What the adapters use of an ioredis v5/v6 client (single node, sentinel-configured, or a cluster's node). */
export interface IoRedisCommands {
  getBuffer: Fn
  mgetBuffer: Fn
  set: Fn
  expire: Fn
  del: Fn
  scan: Fn
  eval: Fn
  evalsha: Fn
}

export function isIoRedis(client: object): client is IoRedisCommands {
  const c = client as Partial<IoRedisCommands>
  return typeof c.getBuffer === 'function' && typeof c.mgetBuffer === 'function'
}

export async function ioRedisSet(client: IoRedisCommands, key: string, value: Buffer | string, ttl: number | undefined): Promise<void> {
  await (ttl === undefined ? client.set(key, value) : client.set(key, value, 'EX', ttl))
}

/** EVALSHA (EVAL on NOSCRIPT) in ioredis's positional form; a cluster routes it by its key. */
export function ioRedisEval(client: IoRedisCommands, script: string, keys: readonly string[], args: readonly (Buffer | string)[]): Promise<unknown> {
  return evalCached(script, (sha) => client.evalsha(sha, keys.length, ...keys, ...args), () => client.eval(script, keys.length, ...keys, ...args))
}

/** Every key of one node matching `match`, in SCAN batches. */
export async function* scanIoRedis(client: Pick<IoRedisCommands, 'scan'>, match: string, count: number): AsyncIterable<string[]> {
  let cursor = '0'
  do {
    const [next, keys] = (await client.scan(cursor, 'MATCH', match, 'COUNT', count)) as [string, (string | Uint8Array)[]]
    cursor = String(next)
    if (keys.length > 0) yield keysAsStrings(keys)
  } while (cursor !== '0')
}

/**
 * A single ioredis client, or one configured with `sentinels` + `name`: ioredis then connects
 * to the master the sentinels name, so it behaves as one node.
 */
export function ioRedisAdapter(client: IoRedisCommands): RedisAdapter {
  return {
    cluster: false,
    get: (key) => client.getBuffer(key) as Promise<Buffer | null>,
    mget: (keys) => client.mgetBuffer(...keys) as Promise<(Buffer | null)[]>,
    set: (key, value, ttl) => ioRedisSet(client, key, value, ttl),
    async expire(key, ttl) {
      await client.expire(key, ttl)
    },
    async del(keys) {
      if (keys.length > 0) await client.del(...keys)
    },
    scan: (match, count) => scanIoRedis(client, match, count),
    eval: (script, keys, args) => ioRedisEval(client, script, keys, args),
  }
}
