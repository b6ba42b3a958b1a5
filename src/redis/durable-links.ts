import { SealedOptionsError } from '../errors.js'
import type { RedisAdapter } from './adapter.js'
import { ioRedisAdapter, isIoRedis, type IoRedisCommands } from './ioredis.js'
import { isIoRedisCluster } from './ioredis-cluster.js'
import { isNodeRedis, nodeRedisAdapter, type NodeRedisCommands } from './node-redis.js'
import { isNodeRedisCluster } from './node-redis-cluster.js'
import { isNodeRedisSentinel, nodeRedisSentinelAdapter, type NodeRedisSentinel } from './node-redis-sentinel.js'
import { keySlot } from './slot.js'

/**
 * One connection to one master, owned by the store: the commands of a durable operation run on it,
 * then `WAIT`, which counts the replicas that hold this connection's own writes.
 */
export interface Link {
  /** Single-node commands on this connection. */
  readonly redis: RedisAdapter
  /** Sends a raw command on this connection (CLIENT INFO, WAIT). */
  send(args: string[]): Promise<unknown>
}

/** The store's own connections: the one master (single node, Sentinel) or the master of a key's slot (Cluster). */
export interface Links {
  linkFor(key: string): Promise<Link>
  /** After a MOVED or ASK: lets the client learn the slot's new owner (it follows the redirect). */
  relearn(key: string): Promise<void>
  close(): Promise<void>
}

interface Duplicable {
  duplicate(...args: unknown[]): unknown
}

type NodeRedisClient = NodeRedisCommands & {
  connect(): Promise<unknown>
  sendCommand(args: string[]): Promise<unknown>
  on(event: 'error', listener: () => void): unknown
  destroy(): void
}
type IoRedisClient = IoRedisCommands & { call(...args: string[]): Promise<unknown>; disconnect(): void; on(event: 'error', listener: () => void): unknown }

interface NodeRedisClusterDup {
  connect(): Promise<unknown>
  readonly slots: readonly ({ master: object } | undefined)[]
  nodeClient(node: object): unknown
  exists(key: string): Promise<unknown>
  on(event: 'error', listener: () => void): unknown
  destroy(): void
}
interface IoRedisClusterDup {
  readonly slots: readonly (readonly string[] | undefined)[]
  nodes(role: 'master'): (IoRedisClient & { options: { host: string; port: number } })[]
  exists(key: string): Promise<unknown>
  on(event: 'error', listener: () => void): unknown
  disconnect(): void
}

const quiet = (): void => {
  // The store's own connections reconnect by themselves; a failed command reaches its caller.
}

function nodeRedisLink(client: NodeRedisClient): Link {
  return { redis: nodeRedisAdapter(client), send: (args) => client.sendCommand(args) }
}

function ioRedisLink(client: IoRedisClient): Link {
  return { redis: ioRedisAdapter(client), send: (args) => client.call(...args) }
}

/**
 * A node-redis duplicate, connected on first use (so a store can be built before Redis is up) and
 * destroyed on close only if it was ever connected (node-redis throws on destroying a closed client).
 */
function lazily(dup: { connect(): Promise<unknown>; destroy(): void; on(event: 'error', listener: () => void): unknown }): { connected(): Promise<unknown>; close(): Promise<void> } {
  dup.on('error', quiet)
  let started: Promise<unknown> | undefined
  return {
    connected() {
      started ??= dup.connect()
      started.catch(() => (started = undefined))
      return started
    },
    async close() {
      if (started === undefined) return
      await started.catch(() => {})
      dup.destroy()
    },
  }
}


function nodeRedisSingle(client: Duplicable): Links {
  const dup = client.duplicate() as NodeRedisClient
  const { connected, close } = lazily(dup)
  const link = nodeRedisLink(dup)
  return { linkFor: async () => (await connected(), link), relearn: async () => {}, close }
}

function nodeRedisSentinel(client: Duplicable): Links {
  // One master connection, so that WAIT follows the writes on the same connection.
  const dup = client.duplicate({ masterPoolSize: 1 }) as NodeRedisSentinel & NodeRedisClient
  const { connected, close } = lazily(dup)
  const link: Link = { redis: nodeRedisSentinelAdapter(dup), send: (args) => dup.sendCommand(false, args) }
  return { linkFor: async () => (await connected(), link), relearn: async () => {}, close }
}

function nodeRedisCluster(client: Duplicable): Links {
  const dup = client.duplicate() as NodeRedisClusterDup
  const { connected, close } = lazily(dup)
  const links = new WeakMap<object, Link>()
  return {
    async linkFor(key) {
      await connected()
      const master = dup.slots[keySlot(key)]?.master
      if (!master) throw new Error(`the cluster has no master for the slot of ${key}`)
      const node = (await dup.nodeClient(master)) as NodeRedisClient
      let link = links.get(node)
      if (!link) links.set(node, (link = nodeRedisLink(node)))
      return link
    },
    relearn: async (key) => void (await dup.exists(key)),
    close,
  }
}

function ioRedisCluster(client: Duplicable): Links {
  const dup = client.duplicate() as IoRedisClusterDup
  dup.on('error', quiet)
  const links = new WeakMap<object, Link>()
  const owner = (key: string) => {
    const address = dup.slots[keySlot(key)]?.[0]
    return dup.nodes('master').find((node) => `${node.options.host}:${node.options.port}` === address)
  }
  return {
    async linkFor(key) {
      const node = owner(key) ?? (await dup.exists(key), owner(key))
      if (!node) throw new Error(`the cluster has no master for the slot of ${key}`)
      let link = links.get(node)
      if (!link) links.set(node, (link = ioRedisLink(node)))
      return link
    },
    relearn: async (key) => void (await dup.exists(key)),
    close: async () => dup.disconnect(),
  }
}

/** The store's own duplicate of the user's client, by kind; `WAIT` never blocks the user's connections. */
export function duplicateLinks(client: object): Links {
  const duplicable = typeof (client as Partial<Duplicable>).duplicate === 'function' ? (client as Duplicable) : undefined
  if (duplicable) {
    if (isNodeRedisCluster(client)) return nodeRedisCluster(duplicable)
    if (isNodeRedisSentinel(client)) return nodeRedisSentinel(duplicable)
    if (isNodeRedis(client)) return nodeRedisSingle(duplicable)
    if (isIoRedisCluster(client)) return ioRedisCluster(duplicable)
    if (isIoRedis(client)) {
      const dup = duplicable.duplicate() as IoRedisClient
      dup.on('error', quiet)
      const link = ioRedisLink(dup)
      return { linkFor: async () => link, relearn: async () => {}, close: async () => dup.disconnect() }
    }
  }
  throw new SealedOptionsError('durability', 'needs a node-redis, ioredis or iovalkey client (one with duplicate()); Valkey GLIDE is not supported')
}
