import { keysAsStrings, type Fn, type RedisAdapter } from './adapter.js'
import { evalCached } from './cached-script.js'
import { QueueTimeouts, hasCommandOptions } from './node-redis-timeouts.js'

/** Buffer replies for RESP blob strings ('$', char code 36) in node-redis v5 and v6. */
export const BLOB_STRING = 36

/** What the adapters use of a node-redis v5/v6 client, sentinel client or cluster. */
export interface NodeRedisCommands {
  withTypeMapping(mapping: Record<number, unknown>): NodeRedisCommands
  get: Fn
  mGet: Fn
  set: Fn
  expire: Fn
  del: Fn
  scan: Fn
  eval: Fn
  evalSha: Fn
}

export function isNodeRedis(client: object): client is NodeRedisCommands {
  const c = client as Partial<NodeRedisCommands>
  return typeof c.withTypeMapping === 'function' && typeof c.mGet === 'function'
}

/** SET with the v5/v6 `expiration` option. */
export async function nodeRedisSet(client: NodeRedisCommands, key: string, value: Buffer | string, ttl: number | undefined): Promise<void> {
  await (ttl === undefined ? client.set(key, value) : client.set(key, value, { expiration: { type: 'EX', value: ttl } }))
}

/** EVALSHA (EVAL on NOSCRIPT) with the v5/v6 `{ keys, arguments }` form; a cluster or sentinel client routes it by its key. */
export function nodeRedisEval(client: NodeRedisCommands, script: string, keys: readonly string[], args: readonly (Buffer | string)[]): Promise<unknown> {
  const options = { keys: [...keys], arguments: [...args] }
  return evalCached(script, (sha) => client.evalSha(sha, options), () => client.eval(script, options))
}

/** Every key of one node (or of a sentinel client's master) matching `match`, in SCAN batches. */
export async function* scanNodeRedis(client: Pick<NodeRedisCommands, 'scan'>, match: string, count: number): AsyncIterable<string[]> {
  let cursor = '0'
  do {
    const reply = (await client.scan(cursor, { MATCH: match, COUNT: count })) as { cursor: string | number; keys: (string | Uint8Array)[] }
    cursor = String(reply.cursor)
    if (reply.keys.length > 0) yield keysAsStrings(reply.keys)
  } while (cursor !== '0')
}

/**
 * A single node-redis client. With `timeoutMs` (the store's `timeout`), a connected client sends
 * the store's commands without node-redis's timer per command (see node-redis-timeouts.ts).
 */
export function nodeRedisAdapter(client: NodeRedisCommands, timeoutMs?: number): RedisAdapter {
  const mapping = { [BLOB_STRING]: Buffer }
  const via = timeoutMs !== undefined && hasCommandOptions(client) ? new QueueTimeouts<NodeRedisCommands>(client, timeoutMs, mapping) : fixedCommands(client, mapping)
  return {
    cluster: false,
    get: (key) => via.buffers().get(key) as Promise<Buffer | null>,
    mget: (keys) => via.buffers().mGet(keys) as Promise<(Buffer | null)[]>,
    set: (key, value, ttl) => nodeRedisSet(via.plain(), key, value, ttl),
    async expire(key, ttl) {
      await via.plain().expire(key, ttl)
    },
    async del(keys) {
      if (keys.length > 0) await via.plain().del(keys)
    },
    scan: (match, count) => scanNodeRedis(via.plain(), match, count),
    eval: (script, keys, args) => nodeRedisEval(via.plain(), script, keys, args),
  }
}

/** The client as it is, and one proxy of it with Buffer replies. */
function fixedCommands(client: NodeRedisCommands, mapping: Record<number, unknown>): { plain(): NodeRedisCommands; buffers(): NodeRedisCommands } {
  const mapped = client.withTypeMapping(mapping)
  return { plain: () => client, buffers: () => mapped }
}
