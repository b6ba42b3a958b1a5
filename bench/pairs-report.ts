/** docs/PERFORMANCE.md from a paired run: what the pool does, how it was measured, every figure with its spread and verdict. */
import { describeSpread, judgedInterval } from './paired.js'
import type { Figure, PairsResults } from './pairs-core.js'
import { SHAPE_LABELS } from './shapes.js'
import { sizeLabel } from './session-data.js'

const n = (v: number, digits = 3) => (Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(digits)).toString()) : 'n/a')
const interval = (f: Figure) => judgedInterval(f.spread).map((v) => n(v)).join('–')
const goalText = (f: Figure) => (f.goal ? `${f.goal.direction === '>=' ? '≥' : '≤'} ${f.goal.target}` : '—')
const verdictText = (f: Figure) => (f.verdict === 'met' ? 'met' : f.verdict === 'missed' ? '**missed**' : f.verdict === 'not resolved' ? '*not resolved*' : '—')

const INTRO = `# The worker pool and performance

Redis I/O stays on the main thread. A seal or open can run on a Piscina worker, which imports the same
codec as the main thread, so pooled and inline records are byte-for-byte the same format. Keys reach the
workers once, through a \`SharedArrayBuffer\` in \`workerData\`, never with a task; records cross as
transferred \`ArrayBuffer\`s.

## Where an operation runs

By default a cost model decides per operation (src/dispatch/cost-model.ts). It estimates, from what the
operation would do (cipher, compression and its level, encoding, size), the main-thread time it costs
inline, the main-thread time it costs pooled (posting the task, the structured clone of the text, taking
the result back) and the worker's time, then weighs them against the machine as it runs:
\`os.availableParallelism()\`, the pool's utilisation and backlog, and the main thread's event-loop
utilisation (resampled every 100 ms).

- **With a spare core** (more cores than the main thread plus the workers), the worker's time is free:
  an operation goes to the pool when it saves the main thread at least 100 µs — large sessions, the HMAC
  modes, compression.
- **Without a spare core** (2 cores: the main thread, one worker, and Redis and the clients sharing
  them), the worker's time is taken from the main thread, so the pool must take at least 4× more off the
  main thread than it adds in CPU (2× while the main thread is more than 90 % busy), and save it at least
  2 ms. In practice that means **inline unless compressing a large session**: AES-GCM and UTF-8 work at
  256 KB cost the main thread about as much as the structured clone that sending them to a worker costs,
  and an earlier paired run showed gzip seals of 64 KB costing the main thread 1.1–1.3× more when pooled.
  Gzip seals of about 128 KB and more go to the pool; gzip opens (inflating is cheap) stay inline.
- Small operations (under 8 KB) always run inline; a busy or backlogged worker gets nothing more.
- An explicit \`offloadThreshold\` overrides the model: every seal or open of at least that many bytes
  runs on the pool, smaller ones inline (\`0\` pools everything), for a machine you have measured.

The rest is unchanged: a full queue (\`maxQueue\`), a worker that throws, dies or exceeds \`taskTimeout\`
makes the operation run inline instead (\`stats().fallbacks\`, \`stats().workerFailures\`); large reads are
finished at most one per event-loop turn; tasks wait in the store's own FIFO queue; several stores can share
one pool (\`createSealedPool()\`); on 2 cores one worker is the default.

## The 1 KB path and touchAfter

Each Redis command is bounded by \`timeout\` through one shared deadline sweep per store (a FIFO of
deadlines and one timer armed for the oldest, disarmed when nothing is in flight) instead of a
\`setTimeout\` and a \`Promise.race\` per command. Once the keys are derived the store keeps the engine and
no longer awaits it per call; inline seals and opens return directly instead of through a promise;
\`close()\` waits on a counter of operations in flight instead of a \`Set\` of their promises.
Counted with \`async_hooks\` (independent of machine load; \`npx tsx bench/async-count.ts\`), one 1 KB get + set
through the store on node-redis 6 creates 26 promises and 2 timers (the store's deadline sweep, armed while a
command is in flight), against 70 promises and 4 timers before this work; connect-redis 9 on the same client
creates 20 promises and 2 timers (node-redis's own per-command timeouts). On a single node-redis client the
store's commands skip node-redis's per-command \`AbortSignal.timeout\` while it is connected (the sweep already
bounds them; offline they carry the store's \`timeout\`): that timer, its weak reference and its listeners were
about a tenth of the main-thread time of a 1 KB get + set.

A record of at most 4 KiB that this store sealed or opened is remembered (bytes and plaintext, per key,
the last 1,000): when Redis returns exactly those bytes under that key again, the store skips the
decryption and runs only the age checks and the parse (\`stats().recalled\`; identical bytes under an
identical key authenticate identically, see docs/SECURITY.md). A read-modify-write of a session this
process last wrote then costs one seal and no open.

With \`touchAfter: S\`, a \`touch\` within S seconds of this store's last write or touch of the same
session sends nothing to Redis. The trade-off: the Redis expiry may trail the cookie's by up to S
seconds (a session idle for its whole lifetime after a skipped touch expires up to S seconds early); it
is never later than the cookie's. A touch that would shorten the expiry is always sent; \`destroy\`, a TTL of
zero and \`clear()\` forget the session. The store remembers at most 10,000 sessions (least recently written
or touched forgotten first; a forgotten session's next touch is simply sent).
`

function oneKbTable(figures: Figure[]): string[] {
  const rows = figures.filter((f) => !f.cell && !isFloor(f))
  if (rows.length === 0) return []
  return [
    '| Figure | median | judged spread | range | pairs | goal | verdict | A / B medians | load before → after |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((f) => `| ${f.title} | ${n(f.spread.median)} | ${interval(f)} | ${n(f.spread.min)}–${n(f.spread.max)} | ${f.spread.n} | ${goalText(f)} | ${verdictText(f)} | ${n(f.a)} / ${n(f.b)} ${f.measure} | ${f.loadBefore.toFixed(2)} → ${f.loadAfter.toFixed(2)} |`),
  ]
}

function matrixTable(figures: Figure[]): string[] {
  const cells = figures.filter((f) => f.cell?.metric === 'req/s')
  if (cells.length === 0) return []
  const find = (f: Figure, metric: string) => figures.find((g) => g.cell && g.cell.metric === metric && g.cell.shape === f.cell?.shape && g.cell.size === f.cell?.size && g.cell.connections === f.cell?.connections && g.cell.gzip === f.cell?.gzip)
  const show = (f: Figure | undefined) => (f ? `${n(f.spread.median)} (${n(f.spread.min)}–${n(f.spread.max)}) ${f.goal ? verdictText(f) : ''}` : 'n/a')
  return [
    '| Shape | Size | Conns | gzip | req/s ratio | /health p99 ratio | main ms/req ratio | CPU ms/req ratio (all threads) | req/s A / B | /health p99 ms A / B | main ms/req A / B | pooled / inline ops (A) | load |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...cells.map((f) => {
      const c = f.cell as NonNullable<Figure['cell']>
      const health = find(f, 'health p99')
      const main = find(f, 'main ms/req')
      const cpu = find(f, 'cpu ms/req')
      return `| ${SHAPE_LABELS[c.shape]} | ${sizeLabel(c.size)} | ${c.connections} | ${c.gzip ? 'yes' : 'no'} | ${show(f)} | ${show(health)} | ${show(main)} | ${show(cpu)} | ${n(f.a)} / ${n(f.b)} | ${n(health?.a ?? Number.NaN)} / ${n(health?.b ?? Number.NaN)} | ${n(main?.a ?? Number.NaN)} / ${n(main?.b ?? Number.NaN)} | ${f.dispatch?.pooled ?? 0} / ${f.dispatch?.inline ?? 0} | ${f.loadBefore.toFixed(1)} → ${(cpu ?? f).loadAfter.toFixed(1)} |`
    }),
  ]
}

const isFloor = (f: Figure) => f.id.endsWith('-floor')

/** The gzip 256 KB cells' main-thread goal beside what express-session and JSON alone cost there. */
function floorTable(figures: Figure[]): string[] {
  const floors = figures.filter(isFloor)
  if (floors.length === 0) return []
  return [
    'Main-thread time per request, as a ratio to `pool: false` with gzip, in the same cells: the default store, and express-session\'s own MemoryStore (JSON.parse and JSON.stringify of the session, no Redis, no crypto), which is what any store costs under express-session at the least. The goal of #14 for the default store was ≤ 0.6.',
    '',
    '| Cell | default / pool: false | MemoryStore / pool: false | main ms/req: MemoryStore / pool: false |',
    '|---|---|---|---|',
    ...floors.map((f) => {
      const name = f.id.slice('m-'.length, -'-floor'.length)
      const ours = figures.find((g) => g.id === `m-${name}-main`)
      const show = (g: Figure | undefined) => (g ? `${n(g.spread.median)} (${n(g.spread.min)}–${n(g.spread.max)})` : 'n/a')
      return `| ${name} | ${show(ours)} | ${show(f)} | ${n(f.a)} / ${n(f.b)} |`
    }),
    '',
  ]
}

function verdictSummary(figures: Figure[]): string[] {
  const judged = figures.filter((f) => f.goal)
  const count = (v: string) => judged.filter((f) => f.verdict === v).length
  const lines = [`Of ${judged.length} judged figures: ${count('met')} met, ${count('missed')} missed, ${count('not resolved')} not resolved (spread straddling the goal).`, '']
  const missed = judged.filter((f) => f.verdict === 'missed')
  if (missed.length > 0) {
    lines.push('Missed goals:', '')
    for (const f of missed) lines.push(`- ${f.title}: ${describeSpread(f.spread)}, goal ${goalText(f)}`)
    lines.push('')
  }
  return lines
}

/** `reading`: a hand-written reading of the run (bench/results/<run>.reading.md), appended when there is one. */
export function renderPerformanceDoc(r: PairsResults, chartPath: string, jsonPath: string, reading?: string): string {
  const minutes = (r.durationSeconds / 60).toFixed(0)
  const loads = r.figures.flatMap((f) => [f.loadBefore, f.loadAfter])
  return [
    INTRO,
    '## Measured',
    '',
    `Generated by \`npm run bench:pairs\` (${minutes} min, ${r.startedAt}) on ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, a private \`redis-server\`; raw figures in [${jsonPath.split('/').pop()}](${jsonPath}). The 1-minute load average ranged ${n(Math.min(...loads))}–${n(Math.max(...loads))} over the run (each figure shows its own).`,
    '',
    'Method: every figure is a ratio of two contenders run in interleaved pairs (A B, B A, …) against the same Redis, each run after a warm-up; the median of the pairwise ratios is shown with its spread. A goal is judged on the IQR (five pairs or more) or the full range (fewer): met or missed only when that interval lies wholly on one side of the goal, else *not resolved*. HTTP: Express 5 + express-session (`resave: false`), one server process per contender, autocannon on 32 pre-created sessions whose cookies were taken only after the login response\'s body arrived; `/work` reads and changes the session (get + set), `/read` only reads it (get + touch). `/health` is pinged at 50 req/s from a separate process during each pool-matrix run. Main-thread time is the server main thread\'s on-CPU time (Linux schedstat).',
    '',
    '![paired bench chart](' + chartPath + ')',
    '',
    '### Goals',
    '',
    ...verdictSummary(r.figures),
    '### 1 KB (issue #15)',
    '',
    ...oneKbTable(r.figures),
    '',
    '### The pool matrix (issue #14): default store vs `pool: false`',
    '',
    'Three pairs per cell (fewer than the 1 KB figures, to fit the matrix in about 20 minutes on 2 cores); each cell shows the median ratio and its range. Without gzip the default store ran inline here (the cost model on 2 cores), so those cells compare the same code path and show the noise floor.',
    '',
    ...matrixTable(r.figures),
    '',
    ...floorTable(r.figures),
    ...(reading ? ['### Reading this run (written by hand from the figures above)', '', reading.trim(), ''] : []),
  ].join('\n')
}
