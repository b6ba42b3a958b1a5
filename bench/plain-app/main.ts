/**
 * `npm run bench:app` (= `npm run bench -- --plain-app`): the 1 KB figures as a user's side-by-side
 * sees them (issue 27). Each store runs in a plain Express 5 + express-session app of its own
 * (app.ts; no IPC, nothing measured inside it in the timed runs), loaded by autocannon in
 * interleaved A B B A pairs, /health pinged every 20 ms, one Redis, on node-redis 5 and 6. Then a
 * counting pass (counts.ts) explains the figures with per-request counts.
 *   full:  writes bench/results/plain-app-<time>.json and .md (about 15 minutes on 2 cores; run it alone).
 *   quick: every path at its smallest (a smoke run, not figures), written under .tmp/.
 *   --counts: the counting pass alone (load on the machine does not change its counts), under .tmp/.
 * PLAIN_PAIRS, PLAIN_SECONDS, PLAIN_CONNECTIONS and PLAIN_CLIENTS (e.g. "redis5") override the plan;
 * PLAIN_COUNTS=0 leaves the counting pass out of a timed run (run it on its own with --counts: its
 * counts do not need a quiet machine, the timed figures do).
 * Uses REDIS_URL when set (only keys under "plain-" are touched), else a private redis-server.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'
import { join } from 'node:path'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import '../built-store.js'
import { clearKeys } from '../clear-keys.js'
import { interleave, load1 } from '../paired.js'
import { startPinger } from '../pairs-http.js'
import { REPO_ROOT } from '../repo-root.js'
import { countApp, type CountSettings } from './counts.js'
import { buildApp, launch, type AppSpec, type RunningApp } from './launch.js'
import { FIGURES, plainFigure, type PlainPlan, type PlainResults } from './figures.js'
import { renderPlainReport } from './report.js'
import { drive, login, measuredRun } from './runs.js'

export type PlainMode = 'quick' | 'full'

const CLIENTS: readonly AppSpec['client'][] = ['redis5', 'redis']
/** The contenders of the counting pass: `pool: false` isolates what the idle worker costs, `'overwrite'` what compare-and-set does. */
const COUNTED: [string, Omit<AppSpec, 'client'>][] = [
  ['connect-redis', { store: 'connect-redis' }],
  ['ours', { store: 'ours' }],
  ['ours touchAfter 60', { store: 'ours', options: { touchAfter: 60 } }],
  ['ours pool: false', { store: 'ours', options: { pool: false } }],
  ["ours concurrency: 'overwrite'", { store: 'ours', options: { concurrency: 'overwrite' } }],
]

function plan(mode: PlainMode): { timed: PlainPlan; counts: CountSettings; clients: AppSpec['client'][] } {
  const quick = mode === 'quick'
  const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
  const clients = (process.env.PLAIN_CLIENTS?.split(',') ?? CLIENTS).filter((c): c is AppSpec['client'] => CLIENTS.includes(c as AppSpec['client']))
  return {
    timed: { pairs: env('PLAIN_PAIRS', quick ? 2 : 8), seconds: env('PLAIN_SECONDS', quick ? 1 : 5), connections: env('PLAIN_CONNECTIONS', 32), sessions: 32, startWarmup: quick ? 200 : 2000, runWarmup: quick ? 64 : 320 },
    counts: { sessions: 32, connections: env('PLAIN_CONNECTIONS', 32), warmup: quick ? 200 : 1000, requests: quick ? 400 : 3000, idleSeconds: quick ? 1 : 5 },
    clients,
  }
}

/** Both apps, or none: one that started is stopped when the other fails. */
async function launchBoth(a: Promise<RunningApp>, b: Promise<RunningApp>): Promise<[RunningApp, RunningApp]> {
  const [ra, rb] = await Promise.allSettled([a, b])
  if (ra.status === 'fulfilled' && rb.status === 'fulfilled') return [ra.value, rb.value]
  await Promise.all([ra, rb].map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)))
  throw ra.status === 'rejected' ? ra.reason : (rb as PromiseRejectedResult).reason
}

/** `countsOnly`: skip the timed figures, run the counting pass alone (its figures do not need a quiet machine). */
export async function runPlainApp(mode: PlainMode, countsOnly = false): Promise<void> {
  const t0 = performance.now()
  const log = (line: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}\n`)
  const { timed, counts, clients } = plan(mode)
  let redis: LocalRedis | undefined
  const url = process.env.REDIS_URL ?? (redis = await startRedis()).url
  const secret = randomBytes(24).toString('base64url')
  const results: PlainResults = {
    startedAt: new Date().toISOString(),
    mode,
    durationSeconds: 0,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), node: process.version },
    plan: timed,
    figures: [],
    counts: [],
  }
  buildApp()
  const pinger = startPinger(50)
  try {
    let n = 0
    for (const client of countsOnly ? [] : clients) {
      for (const f of FIGURES) {
        log(`${client}: ${f.title}`)
        const before = load1()
        const [a, b] = await launchBoth(launch({ ...f.a, client }, url, `plain-${n++}:`, secret), launch({ ...f.b, client }, url, `plain-${n++}:`, secret))
        try {
          const [ja, jb] = [await login(a, timed.sessions), await login(b, timed.sessions)]
          for (const [app, jar] of [[a, ja], [b, jb]] as const) await drive(app, f.route, jar.cookies, timed.connections, timed.startWarmup)
          const run = (app: typeof a, cookies: string[]) => () => measuredRun(app, f.route, cookies, { ...timed, warmup: timed.runWarmup }, pinger)
          const runs = await interleave(timed.pairs, run(a, ja.cookies), run(b, jb.cookies))
          const figure = plainFigure(f, client, runs, before, { a: [a.startMs, ja.firstMs], b: [b.startMs, jb.firstMs] })
          results.figures.push(figure)
          log(`  ${figure.ratio.median.toFixed(3)}× (IQR ${figure.ratio.q1.toFixed(3)}–${figure.ratio.q3.toFixed(3)})`)
        } finally {
          await Promise.all([a.stop(), b.stop()])
        }
      }
      await clearKeys(url, 'plain-*')
    }
    const counting = countsOnly || process.env.PLAIN_COUNTS !== '0'
    if (counting) log('counting pass (probe loaded: per-request counts, not timings)')
    for (const client of counting ? clients : []) {
      for (const [label, spec] of COUNTED) {
        results.counts.push(await countApp(label, { ...spec, client }, url, `plain-${n++}:`, secret, counts))
      }
      await clearKeys(url, 'plain-*')
    }
  } finally {
    pinger.stop()
    await clearKeys(url, 'plain-*').catch(() => {})
    await redis?.stop()
  }
  results.durationSeconds = (performance.now() - t0) / 1000
  const markdown = renderPlainReport(results)
  process.stdout.write(markdown)
  const dir = mode === 'full' && !countsOnly ? join(REPO_ROOT, 'bench', 'results') : join(REPO_ROOT, '.tmp')
  const stem = join(dir, `plain-app-${results.startedAt.replace(/[:.]/g, '-')}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(`${stem}.json`, `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(`${stem}.md`, markdown)
  log(`wrote ${stem}.json and .md`)
}
