/**
 * The paired bench: every figure is a ratio of two contenders measured in interleaved pairs
 * (see paired.ts), with its spread and the load average before and after.
 *   quick (npm run bench -- --quick): the 1 KB HTTP ratios vs connect-redis, printed only.
 *   full  (npm run bench:pairs): #15's 1 KB figures, then #14's pool matrix; writes
 *         bench/results/pairs-<time>.json and .svg, and docs/PERFORMANCE.md's figures.
 */
import { availableParallelism, cpus } from 'node:os'
import { randomBytes } from 'node:crypto'
import { interleave, load1, ratios, type Goal } from './paired.js'
import { clearPrefixes, figure, httpPair, KB, print, servers, SMOKE, sum, type Figure, type Mode, type PairsResults, type Servers } from './pairs-core.js'
import { startPinger, type HttpRun, type Route } from './pairs-http.js'
import { matrix } from './pairs-matrix.js'
import { storeSubject } from './pairs-store.js'
import { choosePinning, type Pinning } from './pinning.js'
import { userIdOf } from './session-data.js'

export type { Figure, Mode, PairsResults } from './pairs-core.js'

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
