/**
 * The results chart, drawn with Vega-Lite and rendered to SVG by Vega's headless renderer
 * (no canvas, no browser): throughput relative to connect-redis and responsiveness, at store
 * and HTTP level, plus where an HTTP request's main-thread time goes.
 */
import { parse, View } from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import type { BenchResults } from './results.js'
import { round } from './measure.js'
import { sizeLabel } from './session-data.js'

type Datum = Record<string, string | number>
type Panel = Record<string, unknown>

const CONTENDER_ORDER = ['raw', 'connect-redis', 'connect-redis-crypto', 'inline', 'pooled', 'auto', 'inline+gzip', 'auto+gzip']

/** Bars on a log axis need an explicit floor: a power of ten under the smallest value. */
function logFloor(data: Datum[], field: string): number {
  const smallest = Math.min(...data.map((d) => Number(d[field])).filter((v) => v > 0))
  return 10 ** Math.floor(Math.log10(Number.isFinite(smallest) ? smallest : 1))
}

function groupedBars(title: string, data: Datum[], field: string, axis: string, sizes: string[]): Panel {
  const floor = logFloor(data, field)
  return {
    title,
    width: 380,
    height: 200,
    data: { values: data },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'size', type: 'ordinal', sort: sizes, title: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'contender', sort: CONTENDER_ORDER },
      y: { field, type: 'quantitative', title: axis, scale: { type: 'log', domainMin: floor } },
      y2: { datum: floor },
      color: { field: 'contender', type: 'nominal', scale: { domain: CONTENDER_ORDER, scheme: 'tableau10' }, legend: { title: 'contender', labelLimit: 240 } },
    },
  }
}

export function chartSpec(r: BenchResults): TopLevelSpec | undefined {
  const rows: Panel[][] = []
  const allStore = (r.store ?? []).filter((s) => s.ops > 0)
  const base = (size: number, concurrency: number) =>
    allStore.find((s) => s.size === size && s.concurrency === concurrency && s.contender === 'connect-redis')?.opsPerSec
  const store = allStore.filter((s) => base(s.size, s.concurrency) !== undefined)
  if (store.length > 0) {
    const label = (size: number, concurrency: number) => `${sizeLabel(size)} ×${concurrency}`
    const sizes = [...new Set(store.map((s) => label(s.size, s.concurrency)))]
    const data = store.map((s) => ({ size: label(s.size, s.concurrency), contender: s.contender, ratio: s.opsPerSec / (base(s.size, s.concurrency) as number), delay: Math.max(0.01, s.loopDelay.p99) }))
    rows.push([
      groupedBars('Store level (size × operations in flight): ops/s relative to connect-redis', data, 'ratio', '× connect-redis (log)', sizes),
      groupedBars('Store level: event-loop delay p99 (ms, log)', data, 'delay', 'ms (log)', sizes),
    ])
  }
  const http = (r.http?.rows ?? []).filter((h) => h.reqPerSec > 0)
  if (http.length > 0) {
    const sizes = [...new Set(http.map((h) => sizeLabel(h.size)))]
    const base = (size: number) => http.find((h) => h.size === size && h.contender === 'connect-redis')?.reqPerSec ?? Number.NaN
    const data = http.map((h) => ({ size: sizeLabel(h.size), contender: h.contender, ratio: h.reqPerSec / base(h.size), health: Math.max(0.1, h.healthP99) }))
    rows.push([
      groupedBars('HTTP: req/s relative to connect-redis', data, 'ratio', '× connect-redis (log)', sizes),
      groupedBars('HTTP: /health latency p99 under load (ms, log)', data, 'health', 'ms (log)', sizes),
    ])
  }
  const breakdown = r.http?.breakdown ?? []
  if (breakdown.length > 0) {
    const labels: Record<string, string> = { sessionHash: 'express-session hashing', store: 'store', redisClient: 'Redis client', gc: 'GC', rest: 'rest' }
    const data = breakdown.flatMap((b) =>
      Object.entries(labels).map(([key, part], index) => ({ row: `${sizeLabel(b.size)} · ${b.contender} (${round(b.perRequest.total)} ms)`, part, index, ms: b.perRequest[key as keyof typeof b.perRequest] as number })),
    )
    rows.push([
      {
        title: 'HTTP: where a request\'s main-thread time goes (CPU profile of the server; total ms per request in brackets)',
        width: 780,
        height: { step: 18 },
        data: { values: data },
        mark: { type: 'bar', tooltip: true },
        encoding: {
          y: { field: 'row', type: 'nominal', sort: null, title: null, axis: { labelLimit: 300 } },
          x: { field: 'ms', type: 'quantitative', stack: 'normalize', title: 'share of main-thread time per request' },
          color: { field: 'part', type: 'nominal', scale: { domain: Object.values(labels), scheme: 'set2' }, legend: { title: 'part', labelLimit: 240 } },
          order: { field: 'index' },
        },
      },
    ])
  }
  if (rows.length === 0) return undefined
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `connect-redis-sealed bench — ${r.machine.cpuModel}, ${r.machine.cores} cores, Node ${r.machine.node}${r.quick ? ' (quick run)' : ''}`, anchor: 'start' },
    config: { font: 'Helvetica, Arial, sans-serif', legend: { orient: 'right' } },
    resolve: { scale: { color: 'independent' } },
    vconcat: rows.map((panels) => ({ hconcat: panels })),
  } as unknown as TopLevelSpec
}

/** The chart as an SVG document, or undefined when the run measured nothing to draw. */
export async function renderChart(r: BenchResults): Promise<string | undefined> {
  const spec = chartSpec(r)
  if (!spec) return undefined
  const view = new View(parse(compile(spec).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}
