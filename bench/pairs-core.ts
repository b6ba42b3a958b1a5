/**
 * The paired bench's figures and servers: what a figure holds, the contenders' server specs, one
 * server child per contender (started on first use), and an HTTP figure's interleaved pairs.
 */
import { clearKeys } from './clear-keys.js'
import type { RedisStoreOptions } from '../src/index.js'
import { describeSpread, interleave, load1, spreadOf, verdict, type Goal, type Spread, type Verdict } from './paired.js'
import type { StoreSpec } from './pair-server.js'
import { createSessions, httpRun, startPairServer, type HttpRun, type PairServer, type Pinger, type Route } from './pairs-http.js'
import type { Pinning } from './pinning.js'
import type { Shape } from './shapes.js'

export const KB = 1024
/** PAIRS_SMOKE=1: the full run's code paths at their smallest (one cell, one pair), to check the machinery. */
export const SMOKE = process.env.PAIRS_SMOKE === '1'
/**
 * quick: the 1 KB HTTP pairs, short (CI); full: everything; one-kb: the 1 KB figures only (HTTP and store
 * level) with more and longer pairs (PAIRS_1KB_PAIRS, default 15, of 3 s), for a machine too noisy to settle
 * them in the full run.
 */
export type Mode = 'quick' | 'full' | 'one-kb'

export interface Figure {
  id: string
  title: string
  /** What the ratio is of, e.g. "ours / connect-redis req/s". */
  measure: string
  goal?: Goal
  spread: Spread
  verdict?: Verdict
  loadBefore: number
  loadAfter: number
  /** Medians of each side, for the table. */
  a: number
  b: number
  /** Ours only: seals/opens inline and pooled, summed over A's runs. */
  dispatch?: { inline: number; pooled: number }
  cell?: { shape: Shape; size: number; connections: number; gzip: boolean; metric: 'req/s' | 'health p99' | 'main ms/req' | 'cpu ms/req' }
}

export interface PairsResults {
  startedAt: string
  mode: Mode
  durationSeconds: number
  machine: { cpu: string; cores: number; node: string }
  /** How the 1 KB HTTP figures were pinned to cores, if they were (see pinning.ts). */
  pinning?: string
  figures: Figure[]
}

const gzip = { compress: { algorithm: 'gzip' as const } }
const SPECS: Record<string, StoreSpec> = {
  'connect-redis': { kind: 'connect-redis' },
  'connect-redis twin': { kind: 'connect-redis' },
  'connect-redis disableTouch': { kind: 'connect-redis', disableTouch: true },
  ours: { kind: 'ours', options: {} },
  'ours touchAfter 60': { kind: 'ours', options: { touchAfter: 60 } },
  'ours userOf': { kind: 'ours', options: {}, userOf: true },
  'ours gzip': { kind: 'ours', options: gzip },
  'pool: false': { kind: 'ours', options: { pool: false } satisfies Partial<RedisStoreOptions> },
  'pool: false gzip': { kind: 'ours', options: { pool: false, ...gzip } },
  'memory store': { kind: 'memory' },
}

const median = (values: number[]) => spreadOf(values).median

export function figure(id: string, title: string, measure: string, values: number[], loadBefore: number, goal?: Goal, sides?: { a: number[]; b: number[] }): Figure {
  const spread = spreadOf(values)
  return { id, title, measure, goal, spread, verdict: goal && verdict(spread, goal), loadBefore, loadAfter: load1(), a: sides ? median(sides.a) : Number.NaN, b: sides ? median(sides.b) : Number.NaN }
}

export function print(f: Figure): void {
  const goal = f.goal ? ` — goal ${f.goal.direction} ${f.goal.target}: ${f.verdict}` : ''
  process.stdout.write(`${f.title}: ${describeSpread(f.spread, f.measure === 'µs' ? ' µs' : '×')}${goal} [load ${f.loadBefore.toFixed(2)} → ${f.loadAfter.toFixed(2)}]\n`)
}

export const clearPrefixes = (url: string) => clearKeys(url, 'pairs-*')

export interface Servers {
  get(label: string): Promise<PairServer>
  /** Stops one server (a MemoryStore's sessions live in its process). */
  stop(label: string): Promise<void>
  stopAll(): Promise<void>
}

export function servers(url: string, secret: string): Servers {
  const started = new Map<string, Promise<PairServer>>()
  return {
    get(label) {
      let s = started.get(label)
      if (!s) started.set(label, (s = startPairServer(label, SPECS[label] as StoreSpec, url, secret, `pairs-${label.replace(/[^a-z0-9]+/gi, '-')}:`)))
      return s
    },
    async stop(label) {
      const s = started.get(label)
      started.delete(label)
      await (await s)?.stop()
    },
    async stopAll() {
      await Promise.all([...started.values()].map(async (s) => (await s).stop()))
    },
  }
}

interface HttpPair {
  a: HttpRun[]
  b: HttpRun[]
}

export async function httpPair(sv: Servers, a: string, b: string, opts: { shape: Shape; size: number; route: Route; connections: number; seconds: number; warmup: number; pairs: number; pinger?: Pinger; cookies?: Map<string, string[]>; pinning?: Pinning }): Promise<HttpPair> {
  const [sa, sb] = await Promise.all([sv.get(a), sv.get(b)])
  const jar = opts.cookies ?? new Map<string, string[]>()
  for (const s of [sa, sb]) if (!jar.has(s.label)) jar.set(s.label, await createSessions(s, opts.shape, opts.size, 32))
  const run = (s: PairServer, idle: PairServer) => () => {
    opts.pinning?.rest(idle.pid)
    opts.pinning?.server(s.pid)
    return httpRun(s, opts.route, jar.get(s.label) as string[], opts.connections, opts.seconds, opts.warmup, opts.pinger)
  }
  try {
    return await interleave(opts.pairs, run(sa, sb), run(sb, sa))
  } finally {
    for (const s of [sa, sb]) opts.pinning?.release(s.pid)
  }
}

export const sum = (runs: HttpRun[]) => runs.reduce((d, r) => ({ inline: d.inline + r.inline, pooled: d.pooled + r.pooled }), { inline: 0, pooled: 0 })
