/** The markdown report of one run: method, goals, then one set of tables per section. */
import { DESCRIPTIONS, type Dispatch } from './contenders.js'
import type { HttpResult } from './http-load.js'
import { round } from './measure.js'
import type { MicroResult } from './micro.js'
import type { BenchResults } from './results.js'
import { sizeLabel } from './session-data.js'
import type { StoreLoadRow } from './store-load.js'

const n = (value: number, digits = 3): string => (Number.isFinite(value) ? String(round(value, digits)) : '–')
const x = (value: number): string => (Number.isFinite(value) ? `${round(value, 3)}×` : '–')

/** "pooled / inline / fallbacks" counts of our store, or a dash for the others. */
const where = (d: Dispatch | undefined): string => (d ? `${d.pooled} / ${d.inline} / ${d.fallbacks}${d.workerFailures ? ` (${d.workerFailures} worker failures)` : ''}` : '–')

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

function methodSection(r: BenchResults): string {
  const m = r.machine
  const packages = Object.entries(m.packages).map(([k, v]) => `${k} ${v}`).join(', ')
  return [
    `# connect-redis-sealed benchmark`,
    '',
    `Run ${r.startedAt} (${n(r.durationSeconds)} s): \`${r.command}\`${r.quick ? ' — **quick run: short windows, a smoke test, not figures to quote**' : ''}`,
    '',
    `- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node} (V8 ${m.v8}); redis-server ${m.redisServer}`,
    `- 1-minute load average: ${n(m.loadAverage.start)} at start, ${n(m.loadAverage.end ?? Number.NaN)} at end (above ~0.5 on this core count, other work was competing)`,
    `- Packages: ${packages}`,
    `- Main-thread time: ${r.method.mainThreadClock === 'schedstat' ? 'on-CPU time of the main thread (Linux /proc/thread-self/schedstat)' : 'event-loop active time (performance.eventLoopUtilization)'}; event-loop delay: perf_hooks monitorEventLoopDelay, ${r.method.eventLoopDelayResolutionMs} ms resolution`,
    ...r.method.notes.map((note) => `- ${note}`),
  ].join('\n')
}

function goalsSection(r: BenchResults): string {
  const mark = (met: boolean | null) => (met === null ? 'not measured' : met ? '**met**' : '**missed**')
  return ['## Goals (issue 4)', '', table(['Goal', 'Target', 'Measured ratio', 'Verdict'], r.goals.map((g) => [g.goal, g.target, g.measured.join('; ') || '–', mark(g.met)]))].join('\n')
}

function microSection(m: MicroResult): string {
  const main = table(
    ['Size', 'Op', 'JSON alone µs', 'JSON + first read µs', 'inline µs', 'pooled µs', 'inline / JSON', 'pooled / JSON', 'pooled / (JSON + read)', 'pooled / inline', 'pooled wall p50 µs', 'pooled CPU all threads µs'],
    m.mainThread.map((r) => [sizeLabel(r.size), r.op === 'set' ? 'set (stringify + seal)' : 'get (open + parse)', n(r.floor.main), r.op === 'set' ? n(r.floorRead.main) : '″', n(r.inline.main), n(r.pooled.main), x(r.inline.main / r.floor.main), x(r.pooled.main / r.floor.main), x(r.pooled.main / r.floorRead.main), x(r.pooled.main / r.inline.main), n(r.pooled.wallP50), n(r.pooled.cpu)]),
  )
  const hashes = table(
    ['Size', 'one express-session hash µs', '× 4 per request µs', 'ours get + set, pooled µs', 'ours get + set, inline µs'],
    m.mainThread
      .filter((r) => r.op === 'set')
      .map((r) => {
        const get = m.mainThread.find((g) => g.size === r.size && g.op === 'get')
        return [sizeLabel(r.size), n(r.sessionHash.main), n(r.sessionHash.main * 4), n(r.pooled.main + (get?.pooled.main ?? NaN)), n(r.inline.main + (get?.inline.main ?? NaN))]
      }),
  )
  const sweep = table(
    ['Size', 'set inline µs', 'set pooled µs', 'set pooled / inline', 'get inline µs', 'get pooled µs', 'get pooled / inline'],
    [...new Set(m.sweep.map((r) => r.size))].map((size) => {
      const set = m.sweep.find((r) => r.size === size && r.op === 'set')
      const get = m.sweep.find((r) => r.size === size && r.op === 'get')
      return [sizeLabel(size), n(set?.inline.main ?? NaN), n(set?.pooled.main ?? NaN), x((set?.pooled.main ?? NaN) / (set?.inline.main ?? NaN)), n(get?.inline.main ?? NaN), n(get?.pooled.main ?? NaN), x((get?.pooled.main ?? NaN) / (get?.inline.main ?? NaN))]
    }),
  )
  const cross = m.crossover
    .map((c) => `- ${c.op} (main-thread time, pooled vs inline): ${c.firstSize === null ? 'pooled never drops below inline within the sweep' : `pooled stays below inline from ${sizeLabel(c.firstSize)} (interpolated crossover ≈ ${n((c.estimate ?? 0) / 1024)} KB)`}`)
    .join('\n')
  const codec = table(
    ['Size', 'Scheme', 'Record bytes', 'seal inline µs', 'seal pooled main µs', 'seal pooled wall p50 µs', 'open inline µs', 'open pooled main µs', 'open pooled wall p50 µs'],
    m.codec
      .filter((r) => r.mode === 'inline' && r.op === 'seal')
      .map((r) => {
        const f = (mode: string, op: string) => m.codec.find((c) => c.size === r.size && c.config === r.config && c.mode === mode && c.op === op)?.figures
        return [sizeLabel(r.size), r.config, String(r.recordBytes), n(f('inline', 'seal')?.main ?? NaN), n(f('pooled', 'seal')?.main ?? NaN), n(f('pooled', 'seal')?.wallP50 ?? NaN), n(f('inline', 'open')?.main ?? NaN), n(f('pooled', 'open')?.main ?? NaN), n(f('pooled', 'open')?.wallP50 ?? NaN)]
      }),
  )
  const c = m.cryptoFork
  const fork = table(
    ['1 KB session', 'connect-redis-crypto 4.0.5 µs', 'ours inline µs', 'crypto / ours', 'record bytes (crypto vs ours)'],
    [
      ['set (serialize + encrypt)', n(c.setMain), n(c.oursSetMain), x(c.setMain / c.oursSetMain), `${c.recordBytes} vs ${c.oursRecordBytes}`],
      ['get (decrypt + parse)', n(c.getMain), n(c.oursGetMain), x(c.getMain / c.oursGetMain), ''],
    ],
  )
  return [
    '## 1. Micro: main-thread µs per operation (one operation at a time)',
    '',
    main,
    '',
    "JSON + first read: for large output V8's JSON.stringify returns a cons string that is flattened (copied) the first time anything reads it — a socket write, Buffer.from, postMessage — so every store pays it; JSON.stringify alone does not.",
    '',
    "express-session's own cost for the same session (JSON with a replacer + SHA-1, reproduced; it runs it 4 times per request that changes a session), next to the store's:",
    '',
    hashes,
    '',
    `### Offload threshold sweep (aes-256-gcm, no compression; default offloadThreshold = 32 KiB)`,
    '',
    sweep,
    '',
    cross,
    '',
    '### Codec alone: seal and open per scheme (main-thread µs; wall p50 of pooled includes the worker)',
    '',
    codec,
    '',
    '### connect-redis-crypto 4.0.5 per record (kruptein defaults, PBKDF2 per operation), without Redis',
    '',
    fork,
  ].join('\n')
}

function storeSection(rows: readonly StoreLoadRow[]): string {
  const groups = [...new Set(rows.map((r) => `${r.size}|${r.concurrency}`))]
  return [
    '## 2. Store level: get + set (read-modify-write) in flight, one process',
    '',
    ...groups.flatMap((group) => {
      const [size, concurrency] = group.split('|').map(Number) as [number, number]
      const here = rows.filter((r) => r.size === size && r.concurrency === concurrency)
      const base = (name: string) => here.find((r) => r.contender === name)?.opsPerSec ?? NaN
      return [
        `### ${sizeLabel(size)}, ${concurrency} operations in flight`,
        '',
        table(
          ['Contender', 'ops/s', '× connect-redis', '× inline', 'latency p50 / p99 ms', 'loop delay p50 / p99 / max ms', 'loop busy', 'main ms/op', 'CPU ms/op (all threads)', 'record bytes', 'pooled / inline / fallback ops', 'ops per slot min–max', 'errors'],
          here.map((r) => [r.errors ? `${r.contender} ⚠ not ranked` : r.contender, n(r.opsPerSec), x(r.opsPerSec / base('connect-redis')), x(r.opsPerSec / base('inline')), `${n(r.latency.p50)} / ${n(r.latency.p99)}`, `${n(r.loopDelay.p50)} / ${n(r.loopDelay.p99)} / ${n(r.loopDelay.max)}`, `${n(r.utilization * 100, 2)} %`, n(r.mainMsPerOp), n(r.cpuMsPerOp), String(r.recordBytes), where(r.dispatch), `${r.slotOps.min}–${r.slotOps.max}`, r.errors ? `**${r.errors}**` : '0']),
        ),
        '',
      ]
    }),
  ].join('\n')
}

function httpSection(h: HttpResult): string {
  const sizes = [...new Set(h.rows.map((r) => r.size))]
  const blocks = sizes.flatMap((size) => {
    const here = h.rows.filter((r) => r.size === size)
    const base = (name: string) => here.find((r) => r.contender === name)?.reqPerSec ?? NaN
    return [
      `### ${sizeLabel(size)} session`,
      '',
      table(
        ['Contender', 'req/s', '× connect-redis', '× inline', 'latency p50 / p99 ms', '/health p99 ms', 'server loop delay p99 / max ms', 'server main ms/req', 'server CPU ms/req', 'pooled / inline / fallback ops', 'failures'],
        here.map((r) => [r.failures || r.reqPerSec === 0 ? `${r.contender} ⚠ not ranked` : r.contender, n(r.reqPerSec), x(r.reqPerSec / base('connect-redis')), x(r.reqPerSec / base('inline')), `${n(r.latency.p50)} / ${n(r.latency.p99)}`, n(r.healthP99), `${n(r.loopDelay.p99)} / ${n(r.loopDelay.max)}`, n(r.mainMsPerRequest), n(r.cpuMsPerRequest), where(r.dispatch), r.failures ? `**${r.failures}**` : r.reqPerSec === 0 ? '**no request completed**' : '0']),
      ),
      '',
    ]
  })
  const breakdown = table(
    ['Size', 'Contender', 'express-session hashing', 'store (code, JSON, crypto)', 'Redis client', 'GC', 'rest (HTTP, Express, V8)', 'total ms/req', 'hashing share'],
    h.breakdown.map((b) => {
      const p = b.perRequest
      return [sizeLabel(b.size), b.contender, n(p.sessionHash), n(p.store), n(p.redisClient), n(p.gc), n(p.rest), n(p.total), `${n((p.sessionHash / p.total) * 100, 2)} %`]
    }),
  )
  return [
    '## 3. HTTP: Express 5 + express-session, server in a child process, autocannon from the bench process',
    '',
    ...blocks,
    '### Where a request\'s main-thread time goes (V8 CPU profile of the server, ms per /work request)',
    '',
    breakdown,
  ].join('\n')
}

function contendersSection(): string {
  return ['## Contenders', '', ...Object.entries(DESCRIPTIONS).map(([name, text]) => `- **${name}**: ${text}`)].join('\n')
}

export function renderMarkdown(r: BenchResults): string {
  const parts = [methodSection(r), goalsSection(r), contendersSection()]
  if (r.micro) parts.push(microSection(r.micro))
  if (r.store) parts.push(storeSection(r.store))
  if (r.http) parts.push(httpSection(r.http))
  return `${parts.join('\n\n')}\n`
}
