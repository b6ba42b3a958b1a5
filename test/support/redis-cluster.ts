/**
 * A real local Redis Cluster (masters + replicas) on free loopback ports, for the cluster suites.
 * Built on scripts/local-redis.ts: each node is a `startRedis()` with cluster mode on.
 */
import { randomInt } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import { infoFields, pollUntil, redisCli, requireRedisCli } from './redis-cli.js'

/** One master as the cluster currently sees it. */
export interface ClusterShard {
  readonly masterPort: number
  readonly replicaPorts: readonly number[]
}

export interface LocalCluster {
  readonly nodes: readonly LocalRedis[]
  /** `{ host, port }` of every node, for client seed lists. */
  readonly rootNodes: readonly { host: string; port: number }[]
  /** The current shards, as node `port`'s CLUSTER NODES reports them. */
  shards(fromPort?: number): Promise<ClusterShard[]>
  /** Waits until every node reports cluster_state:ok with all slots, the expected roles, and replicas in sync. */
  settled(): Promise<ClusterShard[]>
  /**
   * Promotes the replica of the master on `masterPort` with `CLUSTER FAILOVER` and waits until
   * the cluster has settled with the roles swapped. Resolves with the new master's port.
   */
  failover(masterPort: number): Promise<number>
  /**
   * Kills the master on `masterPort` (SIGKILL) and waits until the cluster has promoted its
   * replica and every surviving node reports cluster_state:ok. Resolves with the new master's port.
   */
  crash(masterPort: number): Promise<number>
  stop(): Promise<void>
}

const HOST = '127.0.0.1'
const ALL_SLOTS = '16384'

const BUS_OFFSET = 10_000
const NODE_PORT_FLOOR = 2 * BUS_OFFSET + 1_000
const DEFAULT_EPHEMERAL_LOW = 32_768

/** Node settings: a short node timeout and no diskless-sync delay keep start-up and failover fast. */
const NODE_ARGS = [
  '--cluster-enabled', 'yes',
  '--cluster-config-file', 'nodes.conf',
  '--cluster-node-timeout', '3000',
  '--repl-diskless-sync-delay', '0',
  // Redis 7 leaves a replica out of CLUSTER SLOTS until its replication offset is non-zero;
  // frequent replication pings get it there without writing data.
  '--repl-ping-replica-period', '1',
  '--cluster-announce-ip', HOST,
]

function parseShards(clusterNodes: string): ClusterShard[] {
  const masters = new Map<string, { port: number; replicas: number[] }>()
  const replicas: { port: number; masterId: string }[] = []
  for (const line of clusterNodes.split(/\r?\n/)) {
    const [id, address, flags, masterId] = line.trim().split(' ')
    if (!id || !address || !flags || !masterId) continue
    if (flags.includes('fail') || flags.includes('handshake') || flags.includes('noaddr')) continue
    const port = Number(address.split('@')[0]?.split(':')[1])
    if (flags.includes('master')) masters.set(id, { port, replicas: [] })
    else if (flags.includes('slave')) replicas.push({ port, masterId })
  }
  for (const replica of replicas) masters.get(replica.masterId)?.replicas.push(replica.port)
  return [...masters.values()].map((m) => ({ masterPort: m.port, replicaPorts: m.replicas.sort((a, b) => a - b) })).sort((a, b) => a.masterPort - b.masterPort)
}

async function replicaInSync(port: number): Promise<boolean> {
  const info = infoFields(await redisCli(port, ['INFO', 'replication']))
  return info.get('role') === 'slave' && info.get('master_link_status') === 'up' && info.get('master_sync_in_progress') === '0'
}

/**
 * The cluster bus listens on the data port + 10000. Node ports are taken below the kernel's
 * ephemeral range, bus ports included: an outgoing connection (a client, redis-cli) could
 * otherwise hold a bus port between the check and the node's start, and the node would exit.
 */
const EPHEMERAL_LOW = ephemeralLow()
const NODE_PORT_LOW = 10_000
const NODE_PORT_HIGH = EPHEMERAL_LOW - BUS_OFFSET - 1

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])
    return Number.isInteger(low) && low > NODE_PORT_FLOOR ? low : DEFAULT_EPHEMERAL_LOW
  } catch {
    return DEFAULT_EPHEMERAL_LOW
  }
}

async function clusterNodePort(): Promise<number> {
  for (;;) {
    const port = NODE_PORT_LOW + randomInt(NODE_PORT_HIGH - NODE_PORT_LOW)
    if ((await isFree(port)) && (await isFree(port + BUS_OFFSET))) return port
  }
}

/** A node that lost its port to another process in the moment before it bound it gets fresh ports. */
async function startNode(): Promise<LocalRedis> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRedis(NODE_ARGS, await clusterNodePort())
    } catch (error) {
      if (attempt >= 3) throw error
    }
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, HOST, () => server.close(() => resolve(true)))
  })
}

/** Starts `masters` × (1 + `replicasPerMaster`) nodes and forms a cluster with redis-cli. */
export async function startRedisCluster(masters = 3, replicasPerMaster = 1): Promise<LocalCluster> {
  requireRedisCli()
  const count = masters * (1 + replicasPerMaster)
  const nodes: LocalRedis[] = []
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()))
  }
  try {
    for (let i = 0; i < count; i++) nodes.push(await startNode())
    const ports = nodes.map((node) => node.port)
    await redisCli(ports[0] as number, ['--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`), '--cluster-replicas', replicasPerMaster, '--cluster-yes'], 60_000)

    const shards = (fromPort = ports[0] as number) => redisCli(fromPort, ['CLUSTER', 'NODES']).then(parseShards)
    const settled = () =>
      pollUntil(
        `a settled cluster of ${masters} masters with ${replicasPerMaster} replica(s) each`,
        async () => {
          for (const port of ports) {
            const info = infoFields(await redisCli(port, ['CLUSTER', 'INFO']))
            if (info.get('cluster_state') !== 'ok' || info.get('cluster_slots_ok') !== ALL_SLOTS) return undefined
            if (info.get('cluster_known_nodes') !== String(count)) return undefined
          }
          const views = await Promise.all(ports.map((port) => shards(port)))
          const first = JSON.stringify(views[0])
          if (views.some((view) => JSON.stringify(view) !== first)) return undefined
          const view = views[0] as ClusterShard[]
          if (view.length !== masters || view.some((shard) => shard.replicaPorts.length !== replicasPerMaster)) return undefined
          const synced = await Promise.all(view.flatMap((shard) => shard.replicaPorts.map(replicaInSync)))
          if (!synced.every(Boolean)) return undefined
          // What clients discover: every node lists every master and replica in CLUSTER SLOTS.
          const listed = await Promise.all(ports.map(async (port) => new Set((await redisCli(port, ['CLUSTER', 'SLOTS'])).split(/\r?\n/))))
          const everyone = view.flatMap((shard) => [shard.masterPort, ...shard.replicaPorts]).map(String)
          return listed.every((lines) => everyone.every((port) => lines.has(port))) ? view : undefined
        },
        30_000,
      )

    await settled()
    return {
      nodes,
      rootNodes: ports.map((port) => ({ host: HOST, port })),
      shards,
      settled,
      async failover(masterPort) {
        const shard = (await shards(masterPort)).find((s) => s.masterPort === masterPort)
        const replicaPort = shard?.replicaPorts[0]
        if (replicaPort === undefined) throw new Error(`no replica of ${masterPort} to fail over to`)
        const reply = await redisCli(replicaPort, ['CLUSTER', 'FAILOVER'])
        if (reply !== 'OK') throw new Error(`CLUSTER FAILOVER on ${replicaPort}: ${reply}`)
        await pollUntil(`${replicaPort} to take over from ${masterPort}`, async () => {
          const view = await settled()
          const now = view.find((s) => s.masterPort === replicaPort)
          return now?.replicaPorts.includes(masterPort) ? true : undefined
        })
        return replicaPort
      },
      async crash(masterPort) {
        const shard = (await shards(masterPort)).find((s) => s.masterPort === masterPort)
        const replicaPort = shard?.replicaPorts[0]
        const victim = nodes.find((node) => node.port === masterPort)
        if (replicaPort === undefined || !victim) throw new Error(`no replica of ${masterPort} to take over`)
        victim.process.kill('SIGKILL')
        const survivors = ports.filter((port) => port !== masterPort)
        await pollUntil(`${replicaPort} to be promoted after ${masterPort} crashed`, async () => {
          if (infoFields(await redisCli(replicaPort, ['INFO', 'replication'])).get('role') !== 'master') return undefined
          for (const port of survivors) {
            const info = infoFields(await redisCli(port, ['CLUSTER', 'INFO']))
            if (info.get('cluster_state') !== 'ok' || info.get('cluster_slots_ok') !== ALL_SLOTS) return undefined
          }
          return true
        }, 30_000)
        return replicaPort
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
