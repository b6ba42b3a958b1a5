import { SealedError, SealedOptionsError } from '../errors.js'
import type { RedisAdapter } from './adapter.js'
import { glideAdapter, isGlide } from './glide.js'
import { ioRedisAdapter, isIoRedis } from './ioredis.js'
import { ioRedisClusterAdapter, isIoRedisCluster } from './ioredis-cluster.js'
import { isNodeRedis, nodeRedisAdapter, type NodeRedisCommands } from './node-redis.js'
import { isNodeRedisCluster, nodeRedisClusterAdapter } from './node-redis-cluster.js'
import { isNodeRedisSentinel, nodeRedisSentinelAdapter } from './node-redis-sentinel.js'

export type { RedisAdapter } from './adapter.js'

/**
 * Wraps a user's client: node-redis v5/v6 (`createClient`, `createSentinel`, `createCluster`) or
 * ioredis v5/v6 or iovalkey, its fork (`Redis`, `Redis` with `sentinels`, `Cluster`), or Valkey GLIDE 2
 * (`GlideClient`, `GlideClusterClient`). A TypeError names the option
 * when it is none of these. Clusters and sentinels are checked first: they also have the single-node methods.
 */
export function adaptClient(client: unknown, timeoutMs?: number): RedisAdapter {
  if (typeof client === 'object' && client !== null) {
    if (isNodeRedisCluster(client)) return nodeRedisClusterAdapter(client)
    if (isNodeRedisSentinel(client)) return nodeRedisSentinelAdapter(client)
    if (isNodeRedis(client)) return nodeRedisAdapter(client, timeoutMs)
    if (isIoRedisCluster(client)) return ioRedisClusterAdapter(client)
    if (isIoRedis(client)) return ioRedisAdapter(client)
    if (isGlide(client)) return glideAdapter(client)
  }
  throw new SealedOptionsError('client', 'must be a node-redis v5/v6, ioredis v5/v6, iovalkey or Valkey GLIDE client (single node, sentinel or cluster)')
}

interface OwnedClient extends NodeRedisCommands {
  readonly isReady: boolean
  connect(): Promise<unknown>
  destroy(): void
  close?: () => Promise<unknown>
  quit?: () => Promise<unknown>
  on(event: 'error', listener: (error: unknown) => void): unknown
}

/**
 * A node-redis client made from `url` that the store owns. It connects in the background;
 * commands wait in node-redis's queue until it is up.
 */
export function ownClient(url: string, load: (id: string) => unknown, timeoutMs?: number): { client: object; adapter: RedisAdapter; close: () => Promise<void> } {
  let redis: { createClient(options: { url: string }): OwnedClient }
  try {
    redis = load('redis') as typeof redis
  } catch (cause) {
    throw new SealedError('ERR_SEALED_CLIENT', 'option "url" needs the "redis" package: npm install redis', { cause })
  }
  const client = redis.createClient({ url })
  client.on('error', () => {
    // node-redis reconnects by itself; a failed command reaches the caller that issued it.
  })
  const connecting = client.connect().catch(() => {})
  return {
    client,
    adapter: nodeRedisAdapter(client, timeoutMs),
    async close() {
      // Not connected (Redis down or still connecting): a graceful close would wait forever for
      // the connection; destroy rejects the queued commands and stops reconnecting.
      if (!client.isReady) {
        client.destroy()
        await connecting
        return
      }
      await (client.close ? client.close() : client.quit?.())
    },
  }
}
