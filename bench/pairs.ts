/**
 * The paired bench: every figure is a ratio of two contenders measured in interleaved pairs
 * (see paired.ts), with its spread and the load average before and after.
 *   quick (npm run bench -- --quick): the 1 KB HTTP ratios vs connect-redis, printed only.
 *   full  (npm run bench:pairs): #15's 1 KB figures, then #14's pool matrix; writes
 *         bench/results/pairs-<time>.json and .svg, and docs/PERFORMANCE.md's figures.
 */
import { availableParallelism, cpus } from 'node:os'
import { randomBytes } from 'node:crypto'
import { createClient } from 'redis'
import type { RedisStoreOptions } from '../src/index.js'
import { describeSpread, interleave, load1, ratios, spreadOf, verdict, type Goal, type Spread, type Verdict } from './paired.js'
import type { StoreSpec } from './pair-server.js'
import { createSessions, httpRun, startPairServer, startPinger, type HttpRun, type PairServer, type Pinger, type Route } from './pairs-http.js'
import { storeSubject } from './pairs-store.js'
import { choosePinning, type Pinning } from './pinning.js'
import { SHAPES, type Shape } from './shapes.js'
import { sizeLabel, userIdOf } from './session-data.js'

const KB = 1024
/** PAIRS_SMOKE=1: the full run's code paths at their smallest (one cell, one pair), to check the machinery. */
const SMOKE = process.env.PAIRS_SMOKE === '1'
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

function figure(id: string, title: string, measure: string, values: number[], loadBefore: number, goal?: Goal, sides?: { a: number[]; b: number[] }): Figure {
  const spread = spreadOf(values)
  return { id, title, measure, goal, spread, verdict: goal && verdict(spread, goal), loadBefore, loadAfter: load1(), a: sides ? median(sides.a) : Number.NaN, b: sides ? median(sides.b) : Number.NaN }
}

function print(f: Figure): void {
  const goal = f.goal ? ` — goal ${f.goal.direction} ${f.goal.target}: ${f.verdict}` : ''
  process.stdout.write(`${f.title}: ${describeSpread(f.spread, f.measure === 'µs' ? ' µs' : '×')}${goal} [load ${f.loadBefore.toFixed(2)} → ${f.loadAfter.toFixed(2)}]\n`)
}

async function clearPrefixes(url: string): Promise<void> {
  const admin = createClient({ url })
  admin.on('error', () => {})
  await admin.connect()
  for await (const keys of admin.scanIterator({ MATCH: 'pairs-*', COUNT: 500 })) if (keys.length > 0) await admin.unlink(keys)
  await admin.close()
}

interface Servers {
  get(label: string): Promise<PairServer>
  /** Stops one server (a MemoryStore's sessions live in its process). */
  stop(label: string): Promise<void>
  stopAll(): Promise<void>
}

function servers(url: string, secret: string): Servers {
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

async function httpPair(sv: Servers, a: string, b: string, opts: { shape: Shape; size: number; route: Route; connections: number; seconds: number; warmup: number; pairs: number; pinger?: Pinger; cookies?: Map<string, string[]>; pinning?: Pinning }): Promise<HttpPair> {
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

const sum = (runs: HttpRun[]) => runs.reduce((d, r) => ({ inline: d.inline + r.inline, pooled: d.pooled + r.pooled }), { inline: 0, pooled: 0 })

/** #15's 1 KB HTTP figures: ours vs connect-redis on read+write and read+touch, and touchAfter on read+touch. */
async function oneKbHttp(sv: Servers, mode: Mode, log: (s: string) => void, pinning: Pinning | undefined): Promise<Figure[]> {
  const quick = mode === 'quick'
  const focused = mode === 'one-kb'
  const pairs = SMOKE ? 1 : quick ? 5 : focused ? Number(process.env.PAIRS_1KB_PAIRS ?? 15) : 7
  const settings = { shape: 'objects' as const, size: KB, connections: 32, seconds: quick || SMOKE ? 1 : focused ? 3 : 2, warmup: quick ? 320 : 960, pairs }
  const cookies = new Map<string, string[]>()
  const cases: [string, string, Route, string, Goal | undefined, string?][] = [
    ['http-1k-work', 'ours', '/work', 'HTTP 1 KB read+write, ours / connect-redis req/s', { direction: '>=', target: 0.95 }],
    ['http-1k-read', 'ours', '/read', 'HTTP 1 KB read+touch, ours / connect-redis req/s', { direction: '>=', target: 0.95 }],
  ]
  if (!quick) cases.push(['http-1k-touchafter', 'ours touchAfter 60', '/read', 'HTTP 1 KB read+touch, ours with touchAfter: 60 / connect-redis req/s', { direction: '>=', target: 1.2 }])
  // Controls, no goal: two identical servers (how far apart noise alone puts them), and connect-redis with touch
  // disabled (the ceiling of any store that skips EXPIRE on read+touch: the bound on touchAfter's gain).
  if (!quick) cases.push(['http-1k-aa', 'connect-redis twin', '/work', 'HTTP 1 KB read+write, connect-redis / an identical connect-redis req/s (A/A control)', undefined])
  if (!quick) cases.push(['http-1k-notouch', 'connect-redis disableTouch', '/read', 'HTTP 1 KB read+touch, connect-redis with disableTouch / connect-redis req/s (ceiling)', undefined])
  if (!quick) cases.push(['http-1k-userof', 'ours userOf', '/work', 'HTTP 1 KB read+write, ours with userOf / ours without req/s', { direction: '>=', target: 0.9 }, 'ours'])
  const out: Figure[] = []
  for (const [id, ours, route, title, goal, against = 'connect-redis'] of cases) {
    log(title)
    const before = load1()
    const runs = await httpPair(sv, ours, against, { ...settings, route, cookies, pinning })
    const f = figure(id, title, 'req/s', ratios(runs, (r) => r.reqPerSec), before, goal, { a: runs.a.map((r) => r.reqPerSec), b: runs.b.map((r) => r.reqPerSec) })
    f.dispatch = sum(runs.a)
    print(f)
    out.push(f)
    if (quick) continue
    // The server's own on-CPU time per request: less swayed than req/s by what else shares the 2 cores.
    const us = (r: HttpRun) => r.mainMsPerRequest * 1000
    const main = figure(`${id}-main`, title.replace(' req/s', ' main-thread µs per request'), 'main µs/req', ratios(runs, us), before, undefined, { a: runs.a.map(us), b: runs.b.map(us) })
    print(main)
    out.push(main)
  }
  return out
}

async function oneKbStore(url: string, log: (s: string) => void): Promise<Figure[]> {
  log('store level 1 KB, 32 in flight')
  const secret = randomBytes(32).toString('hex')
  const ours = await storeSubject('auto', url, secret, KB, 32)
  const theirs = await storeSubject('connect-redis', url, secret, KB, 32)
  try {
    const before = load1()
    const runs = await interleave(SMOKE ? 1 : 7, () => ours.run(SMOKE ? 500 : 2000), () => theirs.run(SMOKE ? 500 : 2000))
    const ops = figure('store-1k-ops', 'Store 1 KB get+set ×32, ours / connect-redis ops/s', 'ops/s', ratios(runs, (r) => r.opsPerSec), before, { direction: '>=', target: 0.85 }, { a: runs.a.map((r) => r.opsPerSec), b: runs.b.map((r) => r.opsPerSec) })
    const diffs = runs.a.map((r, i) => r.mainUsPerOp - (runs.b[i]?.mainUsPerOp ?? Number.NaN))
    const main = figure('store-1k-main', 'Store 1 KB get+set, ours − connect-redis main-thread µs per op', 'µs', diffs, before, { direction: '<=', target: 15 }, { a: runs.a.map((r) => r.mainUsPerOp), b: runs.b.map((r) => r.mainUsPerOp) })
    print(ops)
    print(main)
    return [ops, main, await userOfStore(url, secret, log)]
  } finally {
    await ours.close()
    await theirs.close()
  }
}

/** #12's cost: the same store with and without `userOf` (one extra pipelined ZADD per write that keeps its owner). */
async function userOfStore(url: string, secret: string, log: (s: string) => void): Promise<Figure> {
  log('store level 1 KB, userOf vs without')
  const withIndex = await storeSubject('auto', url, secret, KB, 32, { label: 'userof', options: { userOf: userIdOf } })
  const without = await storeSubject('auto', url, secret, KB, 32, { label: 'no-userof', options: {} })
  try {
    const before = load1()
    const runs = await interleave(SMOKE ? 1 : 7, () => withIndex.run(SMOKE ? 500 : 2000), () => without.run(SMOKE ? 500 : 2000))
    const f = figure('store-1k-userof', 'Store 1 KB get+set ×32, with userOf / without ops/s', 'ops/s', ratios(runs, (r) => r.opsPerSec), before, { direction: '>=', target: 0.9 }, { a: runs.a.map((r) => r.opsPerSec), b: runs.b.map((r) => r.opsPerSec) })
    print(f)
    return f
  } finally {
    await withIndex.close()
    await without.close()
  }
}

/**
 * What no store can go below under express-session: its MemoryStore (JSON.parse and JSON.stringify of the
 * session, no Redis, no crypto) against `pool: false` with gzip, main-thread ms per request. express-session
 * also hashes the session twice per request on the main thread, whatever the store.
 */
async function floor(sv: Servers, name: string, opts: { shape: Shape; size: number; connections: number; seconds: number; warmup: number; pairs: number }): Promise<Figure> {
  const before = load1()
  const runs = await httpPair(sv, 'memory store', 'pool: false gzip', { ...opts, route: '/work' })
  const f = figure(`m-${name}-floor`, `${name}: MemoryStore (express-session + JSON alone) / pool: false main-thread ms per request`, 'main ms/req', ratios(runs, (r) => r.mainMsPerRequest), before, undefined, { a: runs.a.map((r) => r.mainMsPerRequest), b: runs.b.map((r) => r.mainMsPerRequest) })
  print(f)
  await sv.stop('memory store')
  return f
}

/** #14's matrix: ours (defaults) vs pool: false, with and without gzip, over shapes, sizes and connections. */
async function matrix(sv: Servers, url: string, pinger: Pinger, log: (s: string) => void): Promise<Figure[]> {
  const out: Figure[] = []
  const plan = { [64 * KB]: { pairs: 3, seconds: 2, warmupPerConnection: 2 }, [256 * KB]: { pairs: 3, seconds: 3, warmupPerConnection: 1 }, [1024 * KB]: { pairs: 3, seconds: 3, warmupPerConnection: 1 } }
  for (const gz of [false, true]) {
    for (const shape of SMOKE ? (['unicode'] as const) : SHAPES) {
      for (const size of SMOKE ? [64 * KB] : [64 * KB, 256 * KB, 1024 * KB]) {
        const p = SMOKE ? { pairs: 1, seconds: 1, warmupPerConnection: 1 } : (plan[size] as { pairs: number; seconds: number; warmupPerConnection: number })
        const cookies = new Map<string, string[]>()
        for (const connections of SMOKE ? [16] : [16, 32]) {
          const [a, b] = gz ? ['ours gzip', 'pool: false gzip'] : ['ours', 'pool: false']
          const name = `${shape} ${sizeLabel(size)} ×${connections}${gz ? ' gzip' : ''}`
          log(`matrix: ${name}`)
          const before = load1()
          const runs = await httpPair(sv, a, b, { shape, size, route: '/work', connections, seconds: p.seconds, warmup: connections * p.warmupPerConnection, pairs: p.pairs, pinger, cookies })
          const cell = { shape, size, connections, gzip: gz }
          const rps = figure(`m-${name}-rps`, `${name}: default / pool: false req/s`, 'req/s', ratios(runs, (r) => r.reqPerSec), before, { direction: '>=', target: 0.95 }, { a: runs.a.map((r) => r.reqPerSec), b: runs.b.map((r) => r.reqPerSec) })
          const strict = gz && size === 256 * KB
          const health = figure(`m-${name}-health`, `${name}: default / pool: false /health p99`, 'health p99', ratios(runs, (r) => r.healthP99), before, { direction: '<=', target: strict ? 0.5 : 1.05 }, { a: runs.a.map((r) => r.healthP99), b: runs.b.map((r) => r.healthP99) })
          const main = figure(`m-${name}-main`, `${name}: default / pool: false main-thread ms per request`, 'main ms/req', ratios(runs, (r) => r.mainMsPerRequest), before, strict ? { direction: '<=', target: 0.6 } : undefined, { a: runs.a.map((r) => r.mainMsPerRequest), b: runs.b.map((r) => r.mainMsPerRequest) })
          const cpu = figure(`m-${name}-cpu`, `${name}: default / pool: false CPU ms per request, all threads`, 'cpu ms/req', ratios(runs, (r) => r.cpuMsPerRequest), before, undefined, { a: runs.a.map((r) => r.cpuMsPerRequest), b: runs.b.map((r) => r.cpuMsPerRequest) })
          for (const [f, metric] of [[rps, 'req/s'], [health, 'health p99'], [main, 'main ms/req'], [cpu, 'cpu ms/req']] as const) {
            f.cell = { ...cell, metric }
            f.dispatch = sum(runs.a)
            print(f)
            out.push(f)
          }
          if (strict || (SMOKE && gz)) out.push(await floor(sv, name, { shape, size, connections, seconds: p.seconds, warmup: connections * p.warmupPerConnection, pairs: p.pairs }))
        }
        await clearPrefixes(url)
      }
    }
  }
  return out
}

/** `redisPid`: the private redis-server's process, pinned with the load generator when the 1 KB figures are pinned. */
export async function runPairs(url: string, mode: Mode, log: (s: string) => void, redisPid?: number): Promise<PairsResults> {
  const started = performance.now()
  const results: PairsResults = {
    startedAt: new Date().toISOString(),
    mode,
    durationSeconds: 0,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), node: process.version },
    figures: [],
  }
  const sv = servers(url, randomBytes(32).toString('hex'))
  const pinger = startPinger()
  const pinning = choosePinning()
  const others = [process.pid, ...(redisPid === undefined ? [] : [redisPid])]
  try {
    if (pinning) {
      results.pinning = pinning.description
      log(`1 KB HTTP figures pinned: ${pinning.description}`)
      for (const pid of others) pinning.rest(pid)
    }
    try {
      results.figures.push(...(await oneKbHttp(sv, mode, log, pinning)))
    } finally {
      if (pinning) for (const pid of others) pinning.release(pid)
    }
    await clearPrefixes(url)
    if (mode !== 'quick') results.figures.push(...(await oneKbStore(url, log)))
    if (mode === 'full') {
      results.figures.push(...(await matrix(sv, url, pinger, log)))
    }
  } finally {
    pinger.stop()
    await sv.stopAll()
    await clearPrefixes(url)
  }
  results.durationSeconds = (performance.now() - started) / 1000
  return results
}
