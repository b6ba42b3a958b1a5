import { SealedError } from '../errors.js'
import { perKey, type RedisAdapter } from './adapter.js'
import { ioRedisEval, ioRedisSet, isIoRedis, scanIoRedis, type IoRedisCommands } from './ioredis.js'

/** What the adapter uses of an ioredis v5/v6 `Cluster`. */
export interface IoRedisCluster extends IoRedisCommands {
  readonly isCluster: boolean
  /** The connections to the nodes of a role, as currently known (empty until the first slot refresh). */
  nodes(role: 'master'): IoRedisCommands[]
  exists: (...args: unknown[]) => Promise<unknown>
}

export function isIoRedisCluster(client: object): client is IoRedisCluster {
  const c = client as Partial<IoRedisCluster>
  return isIoRedis(client) && c.isCluster === true && typeof c.nodes === 'function'
}

/** Every master's connection; a keyed probe first waits (in ioredis's offline queue) for the first slot map. */
async function masterNodes(cluster: IoRedisCluster, probeKey: string): Promise<IoRedisCommands[]> {
  if (cluster.nodes('master').length === 0) await cluster.exists(probeKey)
  const masters = cluster.nodes('master')
  if (masters.length === 0) throw new SealedError('ERR_SEALED_CLIENT', 'the ioredis cluster knows no masters yet')
  return masters
}

/**
 * An ioredis Cluster. Single-key commands go through the cluster (which follows MOVED/ASK);
 * multi-key reads and deletes are one command per key, pipelined (ioredis sends MGET/DEL to the
 * first key's slot, and Redis answers CROSSSLOT); SCAN runs on every master.
 */
export function ioRedisClusterAdapter(cluster: IoRedisCluster): RedisAdapter {
  const get = (key: string) => cluster.getBuffer(key) as Promise<Buffer | null>
  return {
    cluster: true,
    get,
    mget: (keys) => perKey(keys, get),
    set: (key, value, ttl) => ioRedisSet(cluster, key, value, ttl),
    async expire(key, ttl) {
      await cluster.expire(key, ttl)
    },
    async del(keys) {
      await perKey(keys, (key) => cluster.del(key))
    },
    async *scan(match, count) {
      for (const master of await masterNodes(cluster, match)) yield* scanIoRedis(master, match, count)
    },
    eval: (script, keys, args) => ioRedisEval(cluster, script, keys, args),
  }
}
