import { SealedError } from '../errors.js'
import { perKey, type RedisAdapter } from './adapter.js'
import { BLOB_STRING, isNodeRedis, nodeRedisEval, nodeRedisSet, scanNodeRedis, type NodeRedisCommands } from './node-redis.js'

/** What the adapter uses of a node-redis v5/v6 `createCluster()` client. */
export interface NodeRedisCluster extends NodeRedisCommands {
  /** The masters currently known (filled in by `connect()` and kept up to date on MOVED). */
  readonly masters: readonly object[]
  /** The node's own client (v5: a client or a promise; v6: a promise). */
  nodeClient(node: object): unknown
  exists: (...args: unknown[]) => Promise<unknown>
  sendCommand(firstKey: string, isReadonly: boolean, args: string[], options?: { typeMapping: Record<number, unknown> }): Promise<unknown>
}

export function isNodeRedisCluster(client: object): client is NodeRedisCluster {
  const c = client as Partial<NodeRedisCluster>
  return isNodeRedis(client) && typeof c.nodeClient === 'function' && typeof c.sendCommand === 'function' && Array.isArray(c.masters)
}

/** The client of every master; before the cluster is connected, the probe's own error surfaces. */
async function masterClients(cluster: NodeRedisCluster, probeKey: string): Promise<NodeRedisCommands[]> {
  if (cluster.masters.length === 0) await cluster.exists(probeKey)
  const masters = [...cluster.masters]
  if (masters.length === 0) throw new SealedError('ERR_SEALED_CLIENT', 'the node-redis cluster knows no masters; await cluster.connect() first')
  return Promise.all(masters.map((node) => cluster.nodeClient(node) as Promise<NodeRedisCommands>))
}

const BUFFERS = { typeMapping: { [BLOB_STRING]: Buffer } }

/**
 * A node-redis Redis Cluster. Single-key commands go through the cluster client (which follows
 * MOVED/ASK); multi-key reads and deletes are one command per key, pipelined, because node-redis
 * v5 sends MGET/DEL to the first key's slot and Redis answers CROSSSLOT; SCAN runs on every master.
 * GET is sent as a write (`isReadonly: false`) so that, even with `useReplicas`, the store reads
 * its own writes from the slot's master.
 */
export function nodeRedisClusterAdapter(cluster: NodeRedisCluster): RedisAdapter {
  const get = (key: string) => cluster.sendCommand(key, false, ['GET', key], BUFFERS) as Promise<Buffer | null>
  return {
    cluster: true,
    get,
    mget: (keys) => perKey(keys, get),
    set: (key, value, ttl) => nodeRedisSet(cluster, key, value, ttl),
    async expire(key, ttl) {
      await cluster.expire(key, ttl)
    },
    async del(keys) {
      await perKey(keys, (key) => cluster.del(key))
    },
    async *scan(match, count) {
      for (const master of await masterClients(cluster, match)) yield* scanNodeRedis(master, match, count)
    },
    eval: (script, keys, args) => nodeRedisEval(cluster, script, keys, args),
  }
}
