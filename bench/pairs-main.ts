/**
 * `npm run bench:pairs` — the definitive paired run (about 20 minutes on 2 cores; run it alone):
 * writes bench/results/pairs-<time>.json and .svg and regenerates docs/PERFORMANCE.md.
 * `npm run bench:pairs -- --quick` is the same as `npm run bench -- --quick`: 1 KB HTTP only, printed.
 * Uses REDIS_URL when set (only keys under "pairs-" are touched), else a private redis-server.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { REPO_ROOT } from './machine.js'
import { renderPairsChart } from './pairs-chart.js'
import { renderPerformanceDoc } from './pairs-report.js'
import { runPairs, type Mode } from './pairs.js'

export async function pairsMain(mode: Mode): Promise<void> {
  const t0 = performance.now()
  const log = (line: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}\n`)
  let redis: LocalRedis | undefined
  const url = process.env.REDIS_URL ?? (redis = await startRedis()).url
  try {
    const results = await runPairs(url, mode, log)
    if (mode === 'quick') return
    const stamp = results.startedAt.replace(/[:.]/g, '-')
    const dir = join(REPO_ROOT, process.env.PAIRS_SMOKE === '1' ? '.tmp' : 'bench', 'results')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `pairs-${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`)
    const svg = await renderPairsChart(results)
    writeFileSync(join(dir, `pairs-${stamp}.svg`), svg)
    const doc = process.env.PAIRS_SMOKE === '1' ? join(dir, 'PERFORMANCE.md') : join(REPO_ROOT, 'docs', 'PERFORMANCE.md')
    writeFileSync(doc, renderPerformanceDoc(results, `../bench/results/pairs-${stamp}.svg`, `../bench/results/pairs-${stamp}.json`))
    log(`wrote ${join(dir, `pairs-${stamp}`)}.json, .svg and ${doc}`)
  } finally {
    await redis?.stop()
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() as string)) {
  pairsMain(process.argv.includes('--quick') ? 'quick' : 'full').catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  })
}
