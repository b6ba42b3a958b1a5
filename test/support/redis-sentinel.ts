/**
 * A real local Sentinel set: one master, one replica and one sentinel on free loopback ports (or
 * more replicas and sentinels, as the chaos soak asks).
 * The data nodes are `startRedis()` servers; the sentinel is `redis-server <conf> --sentinel`,
 * since Sentinel needs a config file it can rewrite (startRedis takes arguments only).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findRedisServer, freePort, INSTALL_HINT, startRedis, waitForPing, type LocalRedis } from '../../scripts/local-redis.js'
import { infoFields, pollUntil, redisCli, requireRedisCli } from './redis-cli.js'

export const MASTER_NAME = 'mymaster'
const HOST = '127.0.0.1'
const DATA_ARGS = ['--repl-diskless-sync-delay', '0', '--replica-announce-ip', HOST]

export interface LocalSentinelSet {
  readonly name: string
  readonly sentinelPort: number
  /** `{ host, port }` of every sentinel, for client seed lists. */
  readonly sentinels: readonly { host: string; port: number }[]
  readonly dataNodes: readonly LocalRedis[]
  /** The master's port as the sentinel reports it. */
  masterPort(): Promise<number>
  /** Waits until the sentinel knows the master and its replicas, and the replicas are in sync. */
  settled(): Promise<{ masterPort: number; replicaPort: number; replicaPorts: number[] }>
  /**
   * `SENTINEL FAILOVER`, then waits until the old master replicates from the promoted replica (the
   * sentinel converts it about 8-10 s after the promotion). Resolves with the new master's port.
   */
  failover(): Promise<number>
  stop(): Promise<void>
}

interface Sentinel {
  readonly port: number
  stop(): Promise<void>
}

async function startSentinel(masterPort: number, quorum: number): Promise<Sentinel> {
  const binary = findRedisServer()
  if (!binary) throw new Error(INSTALL_HINT)
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'sealed-sentinel-'))
  const config = join(dir, 'sentinel.conf')
  writeFileSync(
    config,
    [
      `port ${port}`,
      `bind ${HOST}`,
      'daemonize no',
      `dir ${dir}`,
      `sentinel announce-ip ${HOST}`,
      `sentinel monitor ${MASTER_NAME} ${HOST} ${masterPort} ${quorum}`,
      `sentinel down-after-milliseconds ${MASTER_NAME} 2000`,
      `sentinel failover-timeout ${MASTER_NAME} 10000`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`,
      '',
    ].join('\n'),
  )
  const child = spawn(binary, [config, '--sentinel'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  let exit: string | undefined
  child.on('exit', (code, signal) => (exit ??= `redis sentinel exited (${signal ?? code}) ${stderr}`.trim()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitForPing(port, 10_000, () => exit)
  } catch (error) {
    await stop()
    throw error
  }
  return { port, stop }
}

/** The sentinel's records of the master's replicas (SENTINEL REPLICAS: alternating field and value lines). */
async function sentinelReplicas(sentinelPort: number): Promise<Map<string, string>[]> {
  const lines = (await redisCli(sentinelPort, ['SENTINEL', 'REPLICAS', MASTER_NAME])).split(/\r?\n/)
  const records: Map<string, string>[] = []
  for (let i = 0; i + 1 < lines.length; i += 2) {
    if (lines[i] === 'name') records.push(new Map())
    records.at(-1)?.set(lines[i] as string, lines[i + 1] as string)
  }
  return records
}

/** What the sentinel needs to promote a replica: it sees it as an up replica of the current master. */
function replicaLooksGood(record: Map<string, string>, masterPort: number): boolean {
  return (
    record.get('flags') === 'slave' &&
    record.get('role-reported') === 'slave' &&
    record.get('master-link-status') === 'ok' &&
    record.get('master-port') === String(masterPort)
  )
}

async function role(port: number): Promise<Map<string, string>> {
  return infoFields(await redisCli(port, ['INFO', 'replication']))
}

/** Starts the master, `replicas` replicas and `sentinels` sentinels (quorum: a majority), and waits until they have settled. */
export async function startSentinelSet({ replicas = 1, sentinels = 1 }: { replicas?: number; sentinels?: number } = {}): Promise<LocalSentinelSet> {
  requireRedisCli()
  const dataNodes: LocalRedis[] = []
  const started: Sentinel[] = []
  const stop = async () => {
    await Promise.all(started.map((sentinel) => sentinel.stop()))
    await Promise.all(dataNodes.map((node) => node.stop()))
  }
  try {
    const master = await startRedis(DATA_ARGS)
    dataNodes.push(master)
    for (let i = 0; i < replicas; i++) dataNodes.push(await startRedis([...DATA_ARGS, '--replicaof', HOST, String(master.port)]))
    for (let i = 0; i < sentinels; i++) started.push(await startSentinel(master.port, Math.floor(sentinels / 2) + 1))
    const sentinelPort = (started[0] as Sentinel).port

    const masterPort = async () => {
      const [host, port] = (await redisCli(sentinelPort, ['SENTINEL', 'get-master-addr-by-name', MASTER_NAME])).split(/\r?\n/)
      if (host !== HOST || !port) throw new Error(`the sentinel reports master ${host}:${port}`)
      return Number(port)
    }
    /** The data nodes agree with the sentinel: its master is a master, the others replicate from it, in sync. */
    const dataNodesAgree = async () => {
      const current = await masterPort()
      const others = dataNodes.filter((node) => node.port !== current).map((node) => node.port)
      if (others.length !== replicas) return undefined
      const masterInfo = await role(current)
      if (masterInfo.get('role') !== 'master' || masterInfo.get('connected_slaves') !== String(replicas)) return undefined
      for (const replicaInfo of await Promise.all(others.map(role))) {
        if (replicaInfo.get('role') !== 'slave' || replicaInfo.get('master_port') !== String(current)) return undefined
        if (replicaInfo.get('master_link_status') !== 'up' || replicaInfo.get('master_sync_in_progress') !== '0') return undefined
      }
      return { masterPort: current, replicaPort: others[0] as number, replicaPorts: others }
    }
    const settled = () =>
      pollUntil('the sentinel set to settle (one master, its replicas in sync, all known to every sentinel)', async () => {
        const nodes = await dataNodesAgree()
        if (!nodes) return undefined
        for (const sentinel of started) {
          const known = await sentinelReplicas(sentinel.port)
          if (known.length !== replicas || !known.every((r) => nodes.replicaPorts.includes(Number(r.get('port'))) && replicaLooksGood(r, nodes.masterPort))) return undefined
        }
        return nodes
      }, 30_000)

    await settled()
    return {
      name: MASTER_NAME,
      sentinelPort,
      sentinels: started.map((sentinel) => ({ host: HOST, port: sentinel.port })),
      dataNodes,
      masterPort,
      settled,
      async failover() {
        const before = await masterPort()
        // The sentinel refreshes a replica's record every 10 s; until then it may answer NOGOODSLAVE.
        await pollUntil('SENTINEL FAILOVER to be accepted', async () => {
          const reply = await redisCli(sentinelPort, ['SENTINEL', 'FAILOVER', MASTER_NAME])
          if (reply === 'OK') return true
          if (reply.startsWith('NOGOODSLAVE')) return undefined
          throw new Error(`SENTINEL FAILOVER: ${reply}`)
        }, 30_000, 200)
        return pollUntil('the old master to replicate from the promoted one', async () => {
          const now = await dataNodesAgree()
          return now && now.masterPort !== before && now.replicaPorts.includes(before) ? now.masterPort : undefined
        }, 30_000)
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
