/**
 * `npm run bench` — every section, full length (several minutes; run it on a quiet machine).
 * `npm run bench -- --quick` — the 1 KB HTTP ratios vs connect-redis in interleaved pairs, printed only
 * (bench/pairs.ts; about a minute). `--only=micro,store,http` picks sections.
 * Uses REDIS_URL when set (only the bench's own keys are touched), else starts a private
 * redis-server. Writes bench/results/<timestamp>.json, .md and .svg, plus latest.md / latest.svg (a
 * quick run writes them under bench/results/quick/), and prints the markdown report on stdout
 * (progress goes to stderr). None of these files is tracked: a run leaves `git status` clean; a run
 * quoted in the README is committed under a name of its own (as the paired run is: bench/results/pairs-*).
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { renderChart } from './chart.js'
import type { BenchSecrets } from './contenders.js'
import { checkGoals } from './goals.js'
import { runHttp, type HttpSettings } from './http-load.js'
import { describeMachine, finishMachine, REPO_ROOT } from './machine.js'
import { ELD_RESOLUTION_MS, MAIN_THREAD_CLOCK } from './measure.js'
import { runMicro } from './micro.js'
import { pairsMain } from './pairs-main.js'
import { renderMarkdown } from './report.js'
import type { BenchResults, Section } from './results.js'
import { runStoreLoad, type StoreLoadSettings } from './store-load.js'

const SECTIONS: readonly Section[] = ['micro', 'store', 'http']

function parseArgs(argv: readonly string[]): { quick: boolean; sections: Section[] } {
  let quick = false
  let sections: Section[] = [...SECTIONS]
  for (const arg of argv) {
    if (arg === '--quick') quick = true
    else if (arg.startsWith('--only=')) {
      const wanted = arg.slice('--only='.length).split(',')
      const unknown = wanted.filter((w) => !SECTIONS.includes(w as Section))
      if (unknown.length > 0 || wanted.length === 0) throw new Error(`--only takes ${SECTIONS.join(', ')} (comma-separated), got "${arg}"`)
      sections = SECTIONS.filter((s) => wanted.includes(s))
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: npm run bench [-- --quick] [--only=micro,store,http]\n')
      process.exit(0)
    } else throw new Error(`unknown argument "${arg}" (try --help)`)
  }
  return { quick, sections }
}

const STORE: Record<'quick' | 'full', StoreLoadSettings> = {
  quick: { quick: true, rounds: 1, warmupMs: 100, runMs: 400 },
  full: { quick: false, rounds: 2, warmupMs: 500, runMs: 3000 },
}
const HTTP: Record<'quick' | 'full', HttpSettings> = {
  quick: { quick: true, rounds: 1, warmupPerConnection: { small: 4, large: 1 }, runSeconds: 1, connections: 8, profileSeconds: 1 },
  full: { quick: false, rounds: 2, warmupPerConnection: { small: 40, large: 1 }, runSeconds: 6, connections: 16, profileSeconds: 3 },
}

function notes(quick: boolean): string[] {
  const mode = quick ? 'quick' : 'full'
  const s = STORE[mode]
  const h = HTTP[mode]
  return [
    `Interleaved: every round runs each contender once, the order rotating between rounds (${s.rounds} store round(s), ${h.rounds} HTTP round(s)); every run is preceded by a warm-up.`,
    'Micro: tinybench 6, one operation in flight; payloads under 64 KiB run in batches (about 64 KiB of work per call) so that tinybench\'s per-call cost does not swamp them, and their wall percentiles are over batch means. Main-thread µs is the median over rounds.',
    `Store level: one operation = get, change one field, set (the same session); each in-flight slot has its own session; a run lasts ${s.runMs} ms, then the operations in flight finish and count.${quick ? ' Quick: 1 KB with 64 in flight, 256 KB with 16 in flight, connect-redis-crypto at 1 KB only.' : ''}`,
    "'ops per slot min–max': the fewest and most get+set operations a single in-flight slot completed in one run (the run with the widest gap); with fair scheduling they are nearly equal.",
    "'pooled / inline / fallback ops' counts where our store's seals and opens ran during the measured runs; a fallback is one meant for the pool that ran inline because the pool's queue was full (pool.maxQueue, default 32 per thread).",
    `HTTP: ${quick ? 'quick runs only connect-redis, connect-redis-crypto (1 KB), inline and auto; ' : ''}${h.connections} connections on /work, each request taking the next of ${h.connections} pre-created session cookies, for ${h.runSeconds} s; meanwhile /health at 50 req/s on 2 connections (autocannon corrects rate-limited latencies for coordinated omission). Bodies are read in full, so a response counts only after express-session's store.set. Server event-loop delay and main-thread time are measured inside the server process.`,
  ]
}

async function main(): Promise<void> {
  const { quick, sections } = parseArgs(process.argv.slice(2))
  // Quick (CI): the 1 KB HTTP ratios vs connect-redis from interleaved pairs, printed, nothing written.
  if (quick) return pairsMain('quick')
  const started = performance.now()
  const log = (line: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}\n`)
  let redis: LocalRedis | undefined
  const url = process.env.REDIS_URL ?? (redis = await startRedis()).url
  try {
    const secrets: BenchSecrets = { sealed: randomBytes(32).toString('hex'), crypto: randomBytes(24).toString('base64url') }
    const machine = await describeMachine(url)
    const results: BenchResults = {
      startedAt: new Date().toISOString(),
      durationSeconds: 0,
      command: `npm run bench${quick || sections.length < SECTIONS.length ? ' --' : ''}${quick ? ' --quick' : ''}${sections.length < SECTIONS.length ? ` --only=${sections.join(',')}` : ''}`,
      quick,
      sections,
      machine,
      method: { mainThreadClock: MAIN_THREAD_CLOCK, eventLoopDelayResolutionMs: ELD_RESOLUTION_MS, notes: notes(quick) },
      goals: [],
    }
    if (sections.includes('micro')) results.micro = await runMicro(quick, log)
    if (sections.includes('store')) results.store = await runStoreLoad(url, secrets, STORE[quick ? 'quick' : 'full'], log)
    if (sections.includes('http')) results.http = await runHttp(url, secrets, HTTP[quick ? 'quick' : 'full'], log)
    finishMachine(machine)
    results.durationSeconds = (performance.now() - started) / 1000
    results.goals = checkGoals(results)

    const dir = join(REPO_ROOT, 'bench', 'results', ...(quick ? ['quick'] : []))
    mkdirSync(dir, { recursive: true })
    const stamp = results.startedAt.replace(/[:.]/g, '-')
    const markdown = renderMarkdown(results)
    writeFileSync(join(dir, `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`)
    writeFileSync(join(dir, `${stamp}.md`), markdown)
    writeFileSync(join(dir, 'latest.md'), markdown)
    const svg = await renderChart(results)
    if (svg) {
      writeFileSync(join(dir, `${stamp}.svg`), svg)
      writeFileSync(join(dir, 'latest.svg'), svg)
    }
    process.stdout.write(markdown)
    log(`wrote ${relative(REPO_ROOT, join(dir, stamp))}.json, .md${svg ? ', .svg' : ''} and latest.* there`)
  } finally {
    await redis?.stop()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})
