/**
 * The faults of the chaos soak, per topology. Each `inject()` starts the fault and resolves once the
 * topology has settled again (so the soak can measure "after"). Stalls are bounded in time.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import type { LocalCluster } from '../../test/support/redis-cluster.js'
import { pollUntil, redisCli } from '../../test/support/redis-cli.js'
import type { LocalSentinelSet } from '../../test/support/redis-sentinel.js'

export interface Fault {
  readonly name: string
  inject(): Promise<void>
}

const PAUSE_MS = 1500
const LAG_MS = 4000
const STALL_MS = 6000
const RESHARD_SLOTS = 1000
const DATA_ARGS = ['--repl-diskless-sync-delay', '0', '--replica-announce-ip', '127.0.0.1']

/** The data nodes by port, including the ones started after a kill (`stop` stops those; `stopAll` every one). */
export class Processes {
  readonly #nodes = new Map<number, LocalRedis>()
  readonly #added: LocalRedis[] = []
  constructor(nodes: readonly LocalRedis[]) {
    for (const node of nodes) this.#nodes.set(node.port, node)
  }
  #node(port: number): LocalRedis {
    const node = this.#nodes.get(port)
    if (!node) throw new Error(`no process on port ${port}`)
    return node
  }
  signal(port: number, signal: NodeJS.Signals): void {
    this.#node(port).process.kill(signal)
  }
  /** kill -9, and waits until the process is gone. */
  async kill(port: number): Promise<void> {
    const node = this.#node(port)
    node.process.kill('SIGKILL')
    await node.stop()
  }
  add(node: LocalRedis): void {
    this.#nodes.set(node.port, node)
    this.#added.push(node)
  }
  async restart(port: number): Promise<void> {
    this.add(await startRedis(DATA_ARGS, port))
  }
  stop(): Promise<unknown> {
    for (const node of this.#added) node.process.kill('SIGCONT')
    return Promise.all(this.#added.map((node) => node.stop()))
  }
  stopAll(): Promise<unknown> {
    for (const node of this.#nodes.values()) node.process.kill('SIGCONT')
    return Promise.all([...this.#nodes.values()].map((node) => node.stop()))
  }
}

async function stall(processes: Processes, port: number, ms: number): Promise<void> {
  processes.signal(port, 'SIGSTOP')
  try {
    await delay(ms)
  } finally {
    processes.signal(port, 'SIGCONT')
  }
}

export function sentinelFaults(set: LocalSentinelSet): { faults: Fault[]; stop(): Promise<unknown> } {
  const processes = new Processes(set.dataNodes)
  const replicaPort = async () => (await set.settled()).replicaPort
  const faults: Fault[] = [
    {
      name: `CLIENT PAUSE ALL ${PAUSE_MS} ms on the master`,
      async inject() {
        await redisCli(await set.masterPort(), ['CLIENT', 'PAUSE', PAUSE_MS, 'ALL'])
        await delay(PAUSE_MS)
        await set.settled()
      },
    },
    {
      name: `a lagging replica (SIGSTOP ${LAG_MS / 1000} s)`,
      async inject() {
        await stall(processes, await replicaPort(), LAG_MS)
        await set.settled()
      },
    },
    {
      name: `SIGSTOP master ${STALL_MS / 1000} s, then SIGCONT`,
      async inject() {
        await stall(processes, await set.masterPort(), STALL_MS)
        await set.settled()
      },
    },
    {
      name: 'kill -9 master (restarted, rejoins as a replica)',
      async inject() {
        const before = await set.masterPort()
        processes.signal(before, 'SIGKILL')
        await pollUntil('a new master', async () => ((await set.masterPort()) !== before ? true : undefined), 60_000, 100)
        await processes.restart(before)
        await set.settled()
      },
    },
  ]
  return { faults, stop: () => processes.stop() }
}

async function nodeId(port: number): Promise<string> {
  return redisCli(port, ['CLUSTER', 'MYID'])
}

export function clusterFaults(cluster: LocalCluster): { faults: Fault[]; stop(): Promise<unknown> } {
  const processes = new Processes(cluster.nodes)
  const shards = () => cluster.settled()
  const faults: Fault[] = [
    {
      name: `CLIENT PAUSE ALL ${PAUSE_MS} ms on a master`,
      async inject() {
        const [first] = await shards()
        await redisCli(first?.masterPort as number, ['CLIENT', 'PAUSE', PAUSE_MS, 'ALL'])
        await delay(PAUSE_MS)
        await shards()
      },
    },
    {
      name: `a lagging replica (SIGSTOP ${LAG_MS / 1000} s)`,
      async inject() {
        const [first] = await shards()
        await stall(processes, first?.replicaPorts[0] as number, LAG_MS)
        await shards()
      },
    },
    {
      name: `slot migration under load (${RESHARD_SLOTS} slots, redis-cli --cluster reshard)`,
      async inject() {
        const [from, to] = await shards()
        const [fromId, toId] = await Promise.all([nodeId(from?.masterPort as number), nodeId(to?.masterPort as number)])
        const args = ['--cluster', 'reshard', `127.0.0.1:${from?.masterPort}`, '--cluster-from', fromId, '--cluster-to', toId, '--cluster-slots', RESHARD_SLOTS, '--cluster-yes']
        await redisCli(from?.masterPort as number, args, 120_000)
        await shards()
      },
    },
    {
      name: 'manual CLUSTER FAILOVER',
      async inject() {
        const [first] = await shards()
        await cluster.failover(first?.masterPort as number)
      },
    },
    {
      name: `SIGSTOP master ${STALL_MS / 1000} s, then SIGCONT`,
      async inject() {
        const [, second] = await shards()
        await stall(processes, second?.masterPort as number, STALL_MS)
        await pollUntil('the stalled master to rejoin as a replica', async () => ((await shards()) ? true : undefined), 60_000, 200)
      },
    },
    {
      name: 'kill -9 master (not restarted: last)',
      async inject() {
        const [, , third] = await shards()
        await cluster.crash(third?.masterPort as number)
      },
    },
  ]
  return { faults, stop: () => processes.stop() }
}
