/**
 * Interleaved pairs and their statistics. A figure is A/B measured as pairs run back to back
 * (A B, then B A, alternating, so drift over the run cancels), summarised as the median of the
 * pairwise ratios with their spread. A goal is judged only when the spread lies wholly on one
 * side of it; otherwise the figure is "not resolved" (the noise is larger than the margin).
 */
import { loadavg } from 'node:os'

export interface Spread {
  n: number
  median: number
  min: number
  max: number
  q1: number
  q3: number
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const at = (sorted.length - 1) * q
  const lo = Math.floor(at)
  const hi = Math.ceil(at)
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo)
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b)
  return { n: sorted.length, median: quantile(sorted, 0.5), min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN, q1: quantile(sorted, 0.25), q3: quantile(sorted, 0.75) }
}

/** The interval a verdict is judged on: the IQR from five pairs up, else the full range. */
export function judgedInterval(s: Spread): [number, number] {
  return s.n >= 5 ? [s.q1, s.q3] : [s.min, s.max]
}

export interface Goal {
  /** `'>='`: the ratio must reach `target`; `'<='`: it must stay at or under it. */
  readonly direction: '>=' | '<='
  readonly target: number
}

export type Verdict = 'met' | 'missed' | 'not resolved'

export function verdict(s: Spread, goal: Goal): Verdict {
  const [lo, hi] = judgedInterval(s)
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return 'not resolved'
  const pass = (v: number) => (goal.direction === '>=' ? v >= goal.target : v <= goal.target)
  if (pass(lo) && pass(hi)) return 'met'
  if (!pass(lo) && !pass(hi)) return 'missed'
  return 'not resolved'
}

/**
 * Runs `pairs` pairs of `a` and `b`, alternating which goes first, and returns both series in
 * pair order. Each run returns its own measurements.
 */
export async function interleave<T>(pairs: number, a: () => Promise<T>, b: () => Promise<T>): Promise<{ a: T[]; b: T[] }> {
  const out = { a: [] as T[], b: [] as T[] }
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      out.a.push(await a())
      out.b.push(await b())
    } else {
      out.b.push(await b())
      out.a.push(await a())
    }
  }
  return out
}

/** Pairwise ratios a[i] / b[i] of one measurement. */
export function ratios<T>(runs: { a: T[]; b: T[] }, pick: (run: T) => number): number[] {
  return runs.a.map((run, i) => pick(run) / pick(runs.b[i] as T))
}

/** The 1-minute load average, for printing next to every figure. */
export function load1(): number {
  return loadavg()[0] ?? Number.NaN
}

const fmt = (v: number) => (Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3)) : 'n/a')

/** "0.912× (IQR 0.90–0.93, range 0.88–0.95, 7 pairs)". */
export function describeSpread(s: Spread, unit = '×'): string {
  const iqr = s.n >= 5 ? `IQR ${fmt(s.q1)}–${fmt(s.q3)}, ` : ''
  return `${fmt(s.median)}${unit} (${iqr}range ${fmt(s.min)}–${fmt(s.max)}, ${s.n} pairs)`
}
