/** What the bench ran on: hardware, runtimes and the versions of every contender. */
import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient } from 'redis'

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

const PACKAGES = [
  'connect-redis-sealed', 'connect-redis', 'connect-redis-crypto', 'kruptein', 'express', 'express-session', 'redis', 'ioredis', 'piscina', 'tinybench', 'autocannon', 'vega', 'vega-lite',
] as const

export interface Machine {
  cpuModel: string
  cores: number
  memoryGiB: number
  os: string
  node: string
  v8: string
  redisServer: string
  packages: Record<string, string>
  /** 1-minute load average when the run started and ended: a busy machine makes noisy numbers. */
  loadAverage: { start: number; end?: number }
}

function packageVersion(name: string): string {
  const file = name === 'connect-redis-sealed' ? join(REPO_ROOT, 'package.json') : join(REPO_ROOT, 'node_modules', name, 'package.json')
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
  } catch {
    return 'missing'
  }
}

async function redisVersion(url: string): Promise<string> {
  const client = createClient({ url })
  client.on('error', () => {})
  await client.connect()
  try {
    const info = await client.info('server')
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown'
  } finally {
    await client.close()
  }
}

export async function describeMachine(redisUrl: string): Promise<Machine> {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    v8: process.versions.v8,
    redisServer: await redisVersion(redisUrl),
    packages: Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
    loadAverage: { start: loadavg()[0] as number },
  }
}

export function finishMachine(machine: Machine): void {
  machine.loadAverage.end = loadavg()[0] as number
}
