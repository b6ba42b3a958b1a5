/**
 * The chaos soak on one topology: starts it (Sentinel: 1 master, 2 replicas, 3 sentinels; Cluster:
 * 3 masters with a replica each), `apps` app processes that each serve every configuration, then
 * for each fault: traffic for `phaseMs`, the fault (until the topology has settled again), traffic
 * for `phaseMs` more, stop, and read back the ledger. Prints a Markdown table and writes it to
 * bench/results/chaos-<topology>.md. Loopback only; every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { setTimeout as delay } from 'node:timers/promises'
import { startRedisCluster } from '../../test/support/redis-cluster.js'
import { startSentinelSet } from '../../test/support/redis-sentinel.js'
import { configLabel, type AppConfig, type AppSetup } from './config.js'
import { clusterFaults, sentinelFaults, type Fault } from './faults.js'
import { Traffic, type Findings, type Sample } from './traffic.js'

export interface SoakOptions {
  readonly topology: 'sentinel' | 'cluster'
  readonly apps: number
  readonly users: number
  readonly phaseMs: number
  readonly recoverMs: number
}

const CONFIGS: AppConfig[] = [
  { client: 'node-redis 6', durable: false },
  { client: 'node-redis 6', durable: true },
  { client: 'ioredis 5', durable: false },
  { client: 'ioredis 5', durable: true },
]
const STORE_TIMEOUT_MS = 2000
const WAIT_MS = 500
const MAX_REQUESTS = 50_000

async function startApp(setup: AppSetup): Promise<{ child: ChildProcess; ports: number[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./app.ts', import.meta.url).pathname], {
    env: { ...process.env, CHAOS_APP: JSON.stringify(setup) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    delay(60_000).then(() => 'timeout'),
    once(child, 'exit').then(() => 'exit'),
  ])
  if (!first.startsWith('{')) throw new Error(`an app process did not start (${first})`)
  return { child, ports: (JSON.parse(first) as { ports: number[] }).ports }
}

function p99(samples: readonly Sample[]): string {
  if (samples.length === 0) return '–'
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b)
  return String(Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] as number))
}

const seconds = (ms: number) => (ms / 1000).toFixed(1)

interface Row {
  fault: string
  config: string
  line: string
}

function row(fault: Fault, config: AppConfig, samples: readonly Sample[], injectAt: number, recoveredAt: number, found: Findings): Row {
  const before = samples.filter((s) => s.start < injectAt)
  const during = samples.filter((s) => s.start >= injectAt && s.start < recoveredAt)
  const after = samples.filter((s) => s.start >= recoveredAt)
  const failed = samples.filter((s) => !s.ok)
  const window = failed.length === 0 ? '–' : `${seconds(Math.min(...failed.map((s) => s.start)) - injectAt)} … ${seconds(Math.max(...failed.map((s) => s.start + s.ms)) - injectAt)}`
  const recovered = failed.length === 0 ? '0' : seconds(Math.max(...failed.map((s) => s.start + s.ms)) - injectAt)
  const max = Math.round(Math.max(0, ...samples.map((s) => s.ms)))
  const cells = [
    fault.name, config.client, config.durable ? 'on' : 'off', samples.length, failed.length, window,
    `${p99(before)} / ${p99(during)} / ${p99(after)}`, max, recovered, `${found.sessionsLost} / ${found.checked}`, found.revocationsUndone, found.writesLost,
  ]
  return { fault: fault.name, config: configLabel(config), line: `| ${cells.join(' | ')} |` }
}

export async function runSoak(options: SoakOptions): Promise<void> {
  const started = performance.now()
  const sentinel = options.topology === 'sentinel' ? await startSentinelSet({ replicas: 2, sentinels: 3 }) : undefined
  const cluster = options.topology === 'cluster' ? await startRedisCluster(3, 1) : undefined
  const { faults, stop: stopRestarted } = sentinel ? sentinelFaults(sentinel) : clusterFaults(cluster as NonNullable<typeof cluster>)
  const setup: AppSetup = {
    topology: options.topology,
    cluster: cluster?.rootNodes.map((n) => ({ ...n })),
    sentinel: sentinel && { name: sentinel.name, sentinels: sentinel.sentinels.map((s) => ({ ...s })) },
    configs: CONFIGS,
    timeout: STORE_TIMEOUT_MS,
    waitMs: WAIT_MS,
  }
  const apps: { child: ChildProcess; ports: number[] }[] = []
  const rows: Row[] = []
  try {
    for (let i = 0; i < options.apps; i++) apps.push(await startApp(setup))
    for (const fault of faults) {
      const traffic = CONFIGS.map((_, c) => new Traffic(apps.map((a) => a.ports[c] as number), options.users, MAX_REQUESTS))
      const running = traffic.map((t) => t.run())
      await delay(options.phaseMs)
      const injectAt = performance.now()
      console.error(`[chaos ${options.topology}] ${fault.name}`)
      await Promise.race([fault.inject(), delay(options.recoverMs + 60_000).then(() => Promise.reject(new Error(`${fault.name}: no recovery in time`)))])
      const recoveredAt = performance.now()
      await delay(options.phaseMs)
      for (const t of traffic) t.stop()
      await Promise.all(running)
      const found = await Promise.all(traffic.map((t) => t.verify()))
      CONFIGS.forEach((config, c) => rows.push(row(fault, config, (traffic[c] as Traffic).samples, injectAt, recoveredAt, found[c] as Findings)))
    }
  } finally {
    for (const app of apps) app.child.kill('SIGTERM')
    await Promise.all(apps.map((app) => (app.child.exitCode === null ? once(app.child, 'exit') : undefined)))
    await stopRestarted()
    await Promise.all([sentinel?.stop(), cluster?.stop()])
  }
  const header = [
    `Chaos soak on a local ${options.topology === 'sentinel' ? 'Sentinel set (1 master, 2 replicas, 3 sentinels)' : 'Redis Cluster (3 masters, 1 replica each)'}: ${options.apps} app processes, ${options.users} virtual users per configuration, ${options.phaseMs / 1000} s of traffic before and after each fault; store timeout ${STORE_TIMEOUT_MS} ms, durability { replicas: 1, timeout: ${WAIT_MS}, writes: true }; run took ${seconds(performance.now() - started)} s.`,
    '',
    '| fault | client | durability | requests | failed | failures (s after the fault began) | p99 ms before / during / after | max ms | recovered after s | sessions lost / checked | revocations undone | writes lost |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ]
  const table = [...header, ...rows.map((r) => r.line)].join('\n')
  console.log(`\n${table}\n`)
  writeFileSync(new URL(`../results/chaos-${options.topology}.md`, import.meta.url), `${table}\n`)
}
