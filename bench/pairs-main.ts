/**
 * The paired run's output (modes in run.ts): full writes bench/results/pairs-<time>.json and .svg and
 * regenerates docs/PERFORMANCE.md; one-kb writes bench/results/one-kb-<time>.json; quick prints only.
 * PAIRS_SMOKE=1 writes under .tmp/ instead. Uses REDIS_URL when set (only keys under "pairs-" are
 * touched), else a private redis-server.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { REPO_ROOT } from './repo-root.js'
import { renderPairsChart } from './pairs-chart.js'
import { renderPerformanceDoc } from './pairs-report.js'
import { runPairs, type Mode, type PairsResults } from './pairs.js'

export async function pairsMain(mode: Mode): Promise<void> {
  const t0 = performance.now()
  const log = (line: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}\n`)
  let redis: LocalRedis | undefined
  const url = process.env.REDIS_URL ?? (redis = await startRedis()).url
  try {
    const results = await runPairs(url, mode, log, redis?.process.pid)
    if (mode === 'quick') return
    const stamp = results.startedAt.replace(/[:.]/g, '-')
    if (mode === 'one-kb') {
      const path = join(REPO_ROOT, process.env.PAIRS_SMOKE === '1' ? '.tmp' : join('bench', 'results'), `one-kb-${stamp}.json`)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`)
      log(`wrote ${path}`)
      return
    }
    const dir = join(REPO_ROOT, process.env.PAIRS_SMOKE === '1' ? '.tmp' : 'bench', 'results')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `pairs-${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`)
    const doc = process.env.PAIRS_SMOKE === '1' ? join(dir, 'PERFORMANCE.md') : join(REPO_ROOT, 'docs', 'PERFORMANCE.md')
    await writeReport(results, join(dir, `pairs-${stamp}.json`), doc)
    log(`wrote ${join(dir, `pairs-${stamp}`)}.json, .svg and ${doc}`)
  } finally {
    await redis?.stop()
  }
}

/**
 * The chart beside a run's JSON and the performance doc from it, with the run's hand-written
 * reading (<run>.reading.md beside the JSON) when there is one.
 */
async function writeReport(results: PairsResults, jsonPath: string, docPath: string): Promise<void> {
  const stem = basename(jsonPath, '.json')
  writeFileSync(jsonPath.replace(/\.json$/, '.svg'), await renderPairsChart(results))
  const readingPath = jsonPath.replace(/\.json$/, '.reading.md')
  const reading = existsSync(readingPath) ? readFileSync(readingPath, 'utf8') : undefined
  writeFileSync(docPath, renderPerformanceDoc(results, `../bench/results/${stem}.svg`, `../bench/results/${stem}.json`, reading))
}

/** `--render <results.json>`: the chart and docs/PERFORMANCE.md again from a run's JSON (after a change to the report, not to the code). */
export function render(jsonPath: string): Promise<void> {
  return writeReport(JSON.parse(readFileSync(jsonPath, 'utf8')) as PairsResults, jsonPath, join(REPO_ROOT, 'docs', 'PERFORMANCE.md'))
}
