import { keysAsStrings, type RedisAdapter } from './adapter.js'
import { BLOB_STRING, isNodeRedis, nodeRedisEval, nodeRedisSet, type NodeRedisCommands } from './node-redis.js'

/** What the adapter uses of a node-redis v5/v6 `createSentinel()` client. */
export interface NodeRedisSentinel extends NodeRedisCommands {
  acquire(): Promise<unknown>
  getMasterNode(): unknown
  sendCommand(isReadonly: boolean, args: string[], options?: { typeMapping: Record<number, unknown> }): Promise<unknown>
}

export function isNodeRedisSentinel(client: object): client is NodeRedisSentinel {
  const c = client as Partial<NodeRedisSentinel>
  return isNodeRedis(client) && typeof c.acquire === 'function' && typeof c.getMasterNode === 'function' && typeof c.sendCommand === 'function'
}

const BUFFERS = { typeMapping: { [BLOB_STRING]: Buffer } }

/**
 * A node-redis sentinel client. Reads go through `sendCommand` with a per-call type mapping,
 * because node-redis v5's sentinel `withTypeMapping()` changes the mapping of the user's own
 * client too (every later reply of theirs would be a Buffer). Every command is sent as a write
 * (`isReadonly: false`) so that, even with `replicaPoolSize`, the store reads its own writes
 * from the master instead of a lagging replica.
 */
export function nodeRedisSentinelAdapter(sentinel: NodeRedisSentinel): RedisAdapter {
  const onMaster = (args: string[]) => sentinel.sendCommand(false, args, BUFFERS)
  return {
    cluster: false,
    get: (key) => onMaster(['GET', key]) as Promise<Buffer | null>,
    mget: async (keys) => (keys.length === 0 ? [] : ((await onMaster(['MGET', ...keys])) as (Buffer | null)[])),
    set: (key, value, ttl) => nodeRedisSet(sentinel, key, value, ttl),
    async expire(key, ttl) {
      await sentinel.expire(key, ttl)
    },
    async del(keys) {
      if (keys.length > 0) await sentinel.del(keys)
    },
    async *scan(match, count) {
      let cursor = '0'
      do {
        const [next, keys] = (await onMaster(['SCAN', cursor, 'MATCH', match, 'COUNT', String(count)])) as [Uint8Array | string, (Uint8Array | string)[]]
        cursor = keysAsStrings([next])[0] as string
        if (keys.length > 0) yield keysAsStrings(keys)
      } while (cursor !== '0')
    },
    eval: (script, keys, args) => nodeRedisEval(sentinel, script, keys, args),
  }
}
