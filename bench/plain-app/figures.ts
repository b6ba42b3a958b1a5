/**
 * What the plain-app bench compares (issue 27's contenders and goals) and how a figure is
 * summarised: the median of the pairwise ratios with its IQR, and each side's own req/s spread
 * (IQR / median), so a store that swings from round to round shows it.
 */
import { load1, spreadOf, verdict, type Goal, type Spread, type Verdict } from '../paired.js'
import type { AppCounts } from './counts.js'
import type { AppSpec } from './launch.js'
import type { PlainRoute, PlainRun } from './runs.js'

export interface PlainPlan {
  /** Interleaved pairs per figure (A B, then B A, …). */
  pairs: number
  /** Seconds of load per measured run. */
  seconds: number
  /** autocannon connections. */
  connections: number
  /** Sessions per app, each request taking the next one's cookie. */
  sessions: number
  /** Requests per app once started (JIT warm-up), and before each measured run. */
  startWarmup: number
  runWarmup: number
}

export interface FigureSpec {
  id: string
  title: string
  route: PlainRoute
  a: Omit<AppSpec, 'client'> & { label: string }
  b: Omit<AppSpec, 'client'> & { label: string }
  goal?: Goal
  /** Compare A's req/s spread with B's (A's no wider than B's + 5 points). */
  spreadGoal?: true
}

const connectRedis = { label: 'connect-redis 9', store: 'connect-redis' } as const
export const FIGURES: readonly FigureSpec[] = [
  { id: 'work', title: '1 KB read+write, ours / connect-redis 9', route: '/work', a: { label: 'ours', store: 'ours' }, b: connectRedis, goal: { direction: '>=', target: 0.95 }, spreadGoal: true },
  { id: 'read', title: '1 KB read+touch, ours / connect-redis 9', route: '/read', a: { label: 'ours', store: 'ours' }, b: connectRedis, goal: { direction: '>=', target: 1 }, spreadGoal: true },
  { id: 'touchafter', title: '1 KB read+touch, ours touchAfter 60 / connect-redis 9', route: '/read', a: { label: 'ours touchAfter 60', store: 'ours', options: { touchAfter: 60 } }, b: connectRedis, goal: { direction: '>=', target: 1.15 }, spreadGoal: true },
  { id: 'merge', title: "1 KB read+write, ours (concurrency 'merge', the default) / ours with 'overwrite'", route: '/work', a: { label: 'ours', store: 'ours' }, b: { label: 'ours overwrite', store: 'ours', options: { concurrency: 'overwrite' } }, goal: { direction: '>=', target: 0.97 } },
  { id: 'work-overwrite', title: "1 KB read+write, ours concurrency: 'overwrite' / connect-redis 9 (without compare-and-set)", route: '/work', a: { label: 'ours overwrite', store: 'ours', options: { concurrency: 'overwrite' } }, b: connectRedis },
  { id: 'aa', title: '1 KB read+write, connect-redis 9 / an identical connect-redis 9 (A/A control)', route: '/work', a: connectRedis, b: { ...connectRedis, label: 'connect-redis 9 twin' } },
]

/** One side of a figure. */
export interface Side {
  label: string
  /** req/s over the runs; `spreadPct` = IQR / median × 100. */
  reqPerSec: Spread & { spreadPct: number }
  healthP99: number
  mainUsPerRequest: number
  cpuUsPerRequest: number
  failures: number
  /** ms from spawn to listening, and of the first session request. */
  startMs: number
  firstLoginMs: number
  /** Each measured run in the order it ran (the JSON keeps them: a wide spread is one slow round or many). */
  rounds: Pick<PlainRun, 'reqPerSec' | 'mainUsPerRequest' | 'healthP99'>[]
}

export interface PlainFigure {
  id: string
  title: string
  client: AppSpec['client']
  route: PlainRoute
  ratio: Spread
  goal?: Goal
  verdict?: Verdict
  /** A's req/s spread minus B's, in points; the goal is ≤ 5. */
  spreadExcess?: number
  a: Side
  b: Side
  loadBefore: number
  loadAfter: number
}

export interface PlainResults {
  startedAt: string
  mode: 'quick' | 'full'
  durationSeconds: number
  machine: { cpu: string; cores: number; node: string }
  plan: PlainPlan
  figures: PlainFigure[]
  counts: AppCounts[]
}

/** IQR / median, in per cent. */
export const spreadPct = (s: Spread): number => ((s.q3 - s.q1) / s.median) * 100

function side(label: string, runs: readonly PlainRun[], start: readonly number[]): Side {
  const median = (pick: (r: PlainRun) => number) => spreadOf(runs.map(pick)).median
  const rps = spreadOf(runs.map((r) => r.reqPerSec))
  return {
    label,
    reqPerSec: { ...rps, spreadPct: spreadPct(rps) },
    healthP99: median((r) => r.healthP99),
    mainUsPerRequest: median((r) => r.mainUsPerRequest),
    cpuUsPerRequest: median((r) => r.cpuUsPerRequest),
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
    startMs: start[0] ?? Number.NaN,
    firstLoginMs: start[1] ?? Number.NaN,
    rounds: runs.map(({ reqPerSec, mainUsPerRequest, healthP99 }) => ({ reqPerSec, mainUsPerRequest, healthP99 })),
  }
}

export function plainFigure(spec: FigureSpec, client: AppSpec['client'], runs: { a: PlainRun[]; b: PlainRun[] }, loadBefore: number, start: { a: number[]; b: number[] }): PlainFigure {
  const ratio = spreadOf(runs.a.map((r, i) => r.reqPerSec / (runs.b[i]?.reqPerSec ?? Number.NaN)))
  const a = side(spec.a.label, runs.a, start.a)
  const b = side(spec.b.label, runs.b, start.b)
  return {
    id: spec.id,
    title: spec.title,
    client,
    route: spec.route,
    ratio,
    goal: spec.goal,
    verdict: spec.goal && verdict(ratio, spec.goal),
    spreadExcess: spec.spreadGoal ? a.reqPerSec.spreadPct - b.reqPerSec.spreadPct : undefined,
    a,
    b,
    loadBefore,
    loadAfter: load1(),
  }
}
