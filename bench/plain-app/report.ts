/** The plain-app bench's markdown: the figures with both sides' spread, then the counting pass. */
import { judgedInterval } from '../paired.js'
import type { AppCounts, RouteCounts } from './counts.js'
import type { PlainFigure, PlainResults } from './figures.js'

const num = (v: number | undefined, digits = 3): string => (v === undefined || !Number.isFinite(v) ? '–' : Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(digits)).toString())
const CLIENT_NAMES: Record<string, string> = { redis5: 'node-redis 5', redis: 'node-redis 6' }

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

function verdictOf(f: PlainFigure): string {
  const goal = f.goal ? `${f.goal.direction === '>=' ? '≥' : '≤'} ${f.goal.target}: ${f.verdict === 'met' ? 'met' : f.verdict === 'missed' ? '**missed**' : '*not resolved*'}` : 'control'
  const spread = f.spreadExcess === undefined ? '' : `; spread ${f.spreadExcess <= 5 ? 'within' : '**wider than**'} +5 pts`
  return goal + spread
}

function figureRow(f: PlainFigure): string[] {
  const [lo, hi] = judgedInterval(f.ratio)
  const side = (s: PlainFigure['a']) => `${num(s.reqPerSec.median)} (${num(s.reqPerSec.spreadPct, 2)} %)`
  const failures = f.a.failures + f.b.failures
  return [
    CLIENT_NAMES[f.client] ?? f.client,
    f.title,
    `**${num(f.ratio.median)}×** (${num(lo)}–${num(hi)}, ${f.ratio.n} pairs)`,
    side(f.a),
    side(f.b),
    `${num(f.a.healthP99)} / ${num(f.b.healthP99)}`,
    `${num(f.a.mainUsPerRequest)} / ${num(f.b.mainUsPerRequest)}`,
    `${num(f.a.cpuUsPerRequest)} / ${num(f.b.cpuUsPerRequest)}`,
    failures ? `**${failures}**` : '0',
    verdictOf(f),
    `${num(f.loadBefore, 2)} → ${num(f.loadAfter, 2)}`,
  ]
}

function countRow(c: AppCounts, route: '/work' | '/read'): string[] {
  const r = c.routes[route] as RouteCounts | undefined
  const created = (type: string) => num(r?.created[type])
  const gc = r ? `${num(r.gcPer1k.minor ?? 0)} / ${num((r.gcPer1k.major ?? 0) + (r.gcPer1k.incremental ?? 0))}` : '–'
  const idle = route === '/work'
  const ranIdle = Object.entries(c.idle.ran).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${num(v, 2)}`).join(', ') || 'none'
  return [
    CLIENT_NAMES[c.client] ?? c.client,
    c.label,
    route === '/work' ? 'read+write' : 'read+touch',
    num(r ? r.allocatedBytes / 1024 : undefined),
    gc,
    created('Timeout'),
    created('Immediate'),
    created('PROMISE'),
    created('TickObject'),
    r ? `${num(r.mainWakeups)} / ${num(r.otherWakeups)}` : '–',
    r ? Object.entries(r.redis.commands).map(([name, per]) => `${name} ${num(per)}`).join(', ') : '–',
    num(r?.redis.serverUs),
    r ? `${num(r.deoptsPer1k)}${r.deopts.length ? ` (${r.deopts.join('; ')})` : ''}` : '–',
    idle ? `${num(c.idle.mainWakeups, 2)} / ${num(c.idle.otherWakeups, 2)}` : '″',
    idle ? ranIdle : '″',
    idle ? String(c.threads) : '″',
    idle ? `${num(c.startMs)} / ${num(c.firstLoginMs)}` : '″',
  ]
}

export function renderPlainReport(r: PlainResults): string {
  const p = r.plan
  return [
    '# Plain-app bench (issue 27)',
    '',
    `Run ${r.startedAt} (${num(r.durationSeconds)} s, ${r.mode}${r.mode === 'quick' ? ': a smoke run, not figures to quote' : ''}) on ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}.`,
    `One Express 5 + express-session app per store, each a plain \`node\` process; autocannon, ${p.connections} connections, ${p.sessions} sessions of a 1 KB cart; ${p.pairs} interleaved pairs (A B, B A, …) of ${p.seconds} s per figure, ${p.runWarmup} warm-up requests before each run and ${p.startWarmup} after start; /health every 20 ms from a separate process.`,
    '',
    '## Figures',
    '',
    'Ratio: median of the pairwise req/s ratios (IQR from 5 pairs, else range). Each side: median req/s (its spread, IQR / median). Server CPU from /proc, µs per answered request.',
    '',
    table(['client', 'figure', 'ratio', 'A req/s (spread)', 'B req/s (spread)', '/health p99 ms A / B', 'main-thread µs/req A / B', 'CPU µs/req A / B', 'failures', 'verdict', 'load'], r.figures.map(figureRow)),
    '',
    '## Per-request counts (counting pass, probe loaded; independent of machine load)',
    '',
    ...(r.counts.length === 0 ? ['Not in this run (PLAIN_COUNTS=0): `npm run bench:app -- --counts` runs the counting pass on its own.', ''] : countsSection(r)),
  ].join('\n')
}

function countsSection(r: PlainResults): string[] {
  return [
    `Per request over ${r.counts[0]?.routes['/work']?.requests ?? '–'} requests per route after a warm-up. Allocation: V8 heap bytes (freed by GCs plus heap growth, v8.GCProfiler). GCs per 1,000 requests, minor / major (incl. incremental). Timers, immediates, promises, tick objects: async resources created per request (async_hooks). Wake-ups: /proc voluntary context switches per request, main thread / other threads. Redis: commands per request and the server's own µs per request (INFO commandstats). Deopts: V8 deoptimisations (--trace-deopt) per 1,000 requests after the warm-up, the most frequent named. Idle: the same per second with no request, and the callbacks that ran. Start: ms to listening / of the first session request (passphrase scrypt, pool start).`,
    '',
    table(['client', 'store', 'route', 'alloc KB/req', 'GCs /1k req', 'timers/req', 'immediates/req', 'promises/req', 'ticks/req', 'wake-ups/req main / other', 'Redis commands/req', 'Redis server µs/req', 'deopts /1k req (top)', 'idle wake-ups/s main / other', 'idle callbacks/s', 'threads', 'start ms / first login ms'], r.counts.flatMap((c) => [countRow(c, '/work'), countRow(c, '/read')])),
    '',
  ]
}
