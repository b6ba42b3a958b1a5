/**
 * The paired run's chart, drawn with Vega-Lite and rendered to SVG by Vega's headless renderer,
 * (no canvas, no browser): each figure's median ratio as a point, its spread (IQR from five pairs,
 * else the range) as a bar, and the goal as a rule.
 */
import { parse, View } from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import { judgedInterval } from './paired.js'
import type { Figure, PairsResults } from './pairs-core.js'
import { sizeLabel } from './session-data.js'

type Datum = Record<string, string | number>

function datum(f: Figure, label: string, group: string): Datum {
  const [lo, hi] = judgedInterval(f.spread)
  return { label, group, median: f.spread.median, lo, hi, goal: f.goal?.target ?? Number.NaN, verdict: f.verdict ?? 'no goal' }
}

function panel(title: string, data: Datum[], axis: string, width: number): object {
  const color = { field: 'verdict', type: 'nominal', scale: { domain: ['met', 'missed', 'not resolved', 'no goal'], range: ['#4c9a2a', '#d62728', '#999999', '#1f77b4'] } }
  return {
    title,
    width,
    height: 220,
    data: { values: data },
    encoding: { x: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelAngle: -60, labelLimit: 200 } } },
    layer: [
      { mark: { type: 'rule', strokeWidth: 3, opacity: 0.5 }, encoding: { y: { field: 'lo', type: 'quantitative', title: axis }, y2: { field: 'hi' }, color } },
      { mark: { type: 'point', filled: true, size: 50, tooltip: true }, encoding: { y: { field: 'median', type: 'quantitative' }, color } },
      { mark: { type: 'tick', color: 'black', thickness: 1 }, encoding: { y: { field: 'goal', type: 'quantitative' } } },
    ],
  }
}

/** Short, distinct labels for the 1 KB ratios (a nominal axis merges equal labels). */
const ONE_KB_LABELS: Record<string, string> = {
  'http-1k-work': 'HTTP read+write',
  'http-1k-read': 'HTTP read+touch',
  'http-1k-touchafter': 'HTTP read+touch, touchAfter 60',
  'http-1k-userof': 'HTTP read+write, userOf / without',
  'store-1k-ops': 'store get+set ×32',
  'store-1k-userof': 'store get+set, userOf / without',
}

export function pairsChartSpec(r: PairsResults): TopLevelSpec {
  const oneKb = r.figures.filter((f) => !f.cell && (f.measure === 'req/s' || f.measure === 'ops/s')).map((f) => datum(f, ONE_KB_LABELS[f.id] ?? f.id, 'one KB'))
  const cellLabel = (f: Figure) => `${f.cell?.shape} ${sizeLabel(f.cell?.size ?? 0)} ×${f.cell?.connections}${f.cell?.gzip ? ' gzip' : ''}`
  const cells = (metric: string) => r.figures.filter((f) => f.cell?.metric === metric).map((f) => datum(f, cellLabel(f), metric))
  const panels: object[] = []
  if (oneKb.length > 0) panels.push(panel('1 KB: ours / connect-redis 9 (userOf: with / without)', oneKb, 'ratio', 360))
  if (cells('req/s').length > 0) {
    panels.push(panel('Pool matrix: default / pool: false, req/s (goal ≥ 0.95)', cells('req/s'), 'ratio', 760))
    panels.push(panel('Pool matrix: default / pool: false, /health p99 (goal ≤ 1.05; gzip 256 KB ≤ 0.5)', cells('health p99'), 'ratio', 760))
    panels.push(panel('Pool matrix: default / pool: false, main-thread ms per request (gzip 256 KB goal ≤ 0.6)', cells('main ms/req'), 'ratio', 760))
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `connect-redis-sealed paired bench — ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}`, anchor: 'start' },
    config: { font: 'Helvetica, Arial, sans-serif' },
    vconcat: panels,
  } as unknown as TopLevelSpec
}

export async function renderPairsChart(r: PairsResults): Promise<string> {
  const view = new View(parse(compile(pairsChartSpec(r)).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}
