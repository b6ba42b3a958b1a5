/**
 * Creates a connected client of each supported library for a Redis Cluster or a Sentinel set,
 * exactly as the README's "Scaling out" section tells users to, plus the few test-side operations
 * (WAIT for replication, TTL) that differ by library.
 */
import { Cluster as IoCluster5, Redis as IoRedis5 } from 'ioredis'
import { Cluster as IoCluster6, Redis as IoRedis6 } from 'ioredis6'
import { Cluster as IoValkeyCluster, Redis as IoValkey } from 'iovalkey'
import { GlideClusterClient } from '@valkey/valkey-glide'
import { createCluster as createCluster6, createSentinel as createSentinel6 } from 'redis'
import { createCluster as createCluster5, createSentinel as createSentinel5 } from 'redis5'
import { after, before } from 'node:test'
import { startRedisCluster, type LocalCluster } from './redis-cluster.js'
import { startSentinelSet, type LocalSentinelSet } from './redis-sentinel.js'
import { CLIENT_NAMES, type ClientName } from './client-names.js'

export const TOPOLOGIES = ['cluster', 'sentinel'] as const
export type Topology = (typeof TOPOLOGIES)[number]

export { CLIENT_NAMES, type ClientName } from './client-names.js'

/** The clients to run on `topology`. Valkey GLIDE 2 has no Sentinel support, so it is listed for the cluster only. */
export function clientNamesFor(topology: Topology): readonly ClientName[] {
  return topology === 'sentinel' ? CLIENT_NAMES.filter((name) => name !== 'valkey-glide') : CLIENT_NAMES
}

export interface Servers {
  readonly cluster?: LocalCluster
  readonly sentinel?: LocalSentinelSet
}

export interface TopologyClient {
  readonly label: string
  /** The library's own client object, as a user passes it to `new RedisStore({ client })`. */
  readonly client: object
  /** Client-side errors (connection events) seen so far. */
  readonly errors: unknown[]
  /** `WAIT 1 1000` on every master connection this client wrote through; resolves with the fewest replicas acknowledged. */
  waitReplicated(): Promise<number>
  /** TTL of a key in seconds (-2 missing, -1 no expiry). */
  ttl(key: string): Promise<number>
  close(): Promise<void>
}

type Command = (...args: unknown[]) => Promise<unknown>
interface NodeRedisClusterLike {
  masters: object[]
  nodeClient(node: object): Promise<{ sendCommand(args: string[]): Promise<unknown> }>
  ttl: Command
  close(): Promise<void>
  on(event: 'error', listener: (error: unknown) => void): unknown
  connect(): Promise<unknown>
}
interface NodeRedisSentinelLike {
  sendCommand(isReadonly: boolean, args: string[]): Promise<unknown>
  ttl: Command
  close(): Promise<void>
  on(event: 'error', listener: (error: unknown) => void): unknown
  connect(): Promise<unknown>
}
interface IoRedisLike {
  call(...args: unknown[]): Promise<unknown>
  ttl: Command
  quit(): Promise<unknown>
  disconnect(): void
  on(event: 'error', listener: (error: unknown) => void): unknown
}
interface IoClusterLike extends IoRedisLike {
  nodes(role: 'master'): IoRedisLike[]
}

const WAIT = ['WAIT', '1', '1000']

function fewest(counts: unknown[]): number {
  return Math.min(...counts.map(Number))
}

async function nodeRedis(kind: ClientName, topology: Topology, servers: Servers): Promise<TopologyClient> {
  const errors: unknown[] = []
  const v6 = kind === 'node-redis 6'
  if (topology === 'cluster') {
    const rootNodes = requireCluster(servers).rootNodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` }))
    const cluster = (v6 ? createCluster6({ rootNodes }) : createCluster5({ rootNodes })) as unknown as NodeRedisClusterLike
    cluster.on('error', (error) => errors.push(error))
    await cluster.connect()
    return {
      label: `${kind} createCluster`,
      client: cluster,
      errors,
      waitReplicated: async () => fewest(await Promise.all(cluster.masters.map(async (m) => (await cluster.nodeClient(m)).sendCommand(WAIT)))),
      ttl: (key) => cluster.ttl(key) as Promise<number>,
      close: () => cluster.close(),
    }
  }
  const set = requireSentinel(servers)
  const options = { name: set.name, sentinelRootNodes: [...set.sentinels] }
  const sentinel = (v6 ? createSentinel6(options) : createSentinel5(options)) as unknown as NodeRedisSentinelLike
  sentinel.on('error', (error) => errors.push(error))
  await sentinel.connect()
  return {
    label: `${kind} createSentinel`,
    client: sentinel,
    errors,
    waitReplicated: async () => Number(await sentinel.sendCommand(false, WAIT)),
    ttl: (key) => sentinel.ttl(key) as Promise<number>,
    close: () => sentinel.close(),
  }
}

async function ioredis(kind: ClientName, topology: Topology, servers: Servers): Promise<TopologyClient> {
  const errors: unknown[] = []
  // iovalkey is ioredis's fork: the same classes and options under another name.
  const classes = { 'ioredis 5': [IoRedis5, IoCluster5], 'ioredis 6': [IoRedis6, IoCluster6], iovalkey: [IoValkey, IoValkeyCluster] } as const
  const [Redis, Cluster] = classes[kind as keyof typeof classes] as unknown as [new (options: object) => IoRedisLike, new (nodes: object[]) => IoClusterLike]
  let client: IoRedisLike
  let waitReplicated: () => Promise<number>
  if (topology === 'cluster') {
    const nodes = requireCluster(servers).rootNodes.map((node) => ({ ...node }))
    const cluster = new Cluster(nodes)
    client = cluster
    waitReplicated = async () => fewest(await Promise.all(cluster.nodes('master').map((node) => node.call(...WAIT))))
  } else {
    const set = requireSentinel(servers)
    const options = { sentinels: [...set.sentinels], name: set.name, failoverDetector: true }
    client = new Redis(options)
    waitReplicated = async () => Number(await client.call(...WAIT))
  }
  client.on('error', (error) => errors.push(error))
  await client.call('PING')
  return {
    label: `${kind} ${topology === 'cluster' ? 'Cluster' : 'Redis({ sentinels })'}`,
    client,
    errors,
    waitReplicated,
    ttl: (key) => client.ttl(key) as Promise<number>,
    async close() {
      await client.quit().catch(() => {})
      // ioredis#1362: quit() leaves failoverDetector's sentinel subscriptions open; disconnect() closes them.
      client.disconnect()
    },
  }
}

async function glide(topology: Topology, servers: Servers): Promise<TopologyClient> {
  if (topology !== 'cluster') throw new Error('Valkey GLIDE has no Sentinel support')
  const client = await GlideClusterClient.createClient({ addresses: requireCluster(servers).rootNodes.map((node) => ({ ...node })), requestTimeout: 2000 })
  return {
    label: 'valkey-glide GlideClusterClient',
    client,
    errors: [],
    waitReplicated: async () => fewest(Object.values((await client.customCommand(WAIT, { route: 'allPrimaries' })) as Record<string, unknown>)),
    ttl: (key) => client.ttl(key),
    async close() {
      client.close()
    },
  }
}

function requireCluster(servers: Servers): LocalCluster {
  if (!servers.cluster) throw new Error('no local cluster was started')
  return servers.cluster
}

function requireSentinel(servers: Servers): LocalSentinelSet {
  if (!servers.sentinel) throw new Error('no local sentinel set was started')
  return servers.sentinel
}

/** A connected client of `kind` for `topology`. */
export function connectClient(kind: ClientName, topology: Topology, servers: Servers): Promise<TopologyClient> {
  if (kind === 'valkey-glide') return glide(topology, servers)
  return kind.startsWith('node-redis') ? nodeRedis(kind, topology, servers) : ioredis(kind, topology, servers)
}

/**
 * Starts a Redis Cluster and a Sentinel set (in parallel) before the enclosing block and stops
 * both after it. The fields are filled once the `before` hook has run.
 */
export function useTopologies(): { cluster?: Servers['cluster']; sentinel?: Servers['sentinel'] } {
  const servers: { cluster?: Servers['cluster']; sentinel?: Servers['sentinel'] } = {}
  before(async () => {
    const started = await Promise.allSettled([
      startRedisCluster().then((cluster) => (servers.cluster = cluster)),
      startSentinelSet().then((sentinel) => (servers.sentinel = sentinel)),
    ])
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason
  })
  after(async () => {
    await Promise.all([servers.cluster?.stop(), servers.sentinel?.stop()])
  })
  return servers
}
