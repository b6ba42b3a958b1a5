/**
 * `npm run bench` (the same as `npm run bench:pairs`): the paired bench, every figure a ratio of two
 * contenders measured in interleaved pairs (pairs.ts).
 *   (no flag)     the full paired run, about 25 minutes on 2 cores; run it alone. Writes
 *                 bench/results/pairs-<time>.json and .svg and regenerates docs/PERFORMANCE.md.
 *   --quick       the 1 KB HTTP ratios vs connect-redis, printed only (CI; under a minute).
 *   --one-kb      the 1 KB figures with 15 pairs of 3 s (about 8 minutes): bench/results/one-kb-<time>.json.
 *   --plain-app   one plain Express app per store, as a user compares two stores (plain-app/; `npm run
 *                 bench:app`); add --quick for a smoke run written under .tmp/, --counts for its
 *                 counting pass alone (per-request counts, valid on a busy machine; under .tmp/).
 *   --render <results.json>  the chart and docs/PERFORMANCE.md again from a paired run's JSON.
 */
import { runPlainApp } from './plain-app/main.js'
import { pairsMain, render } from './pairs-main.js'

const USAGE = 'usage: npm run bench [-- --quick | --one-kb | --plain-app [--quick] [--counts] | --render <results.json>]\n'

function main(argv: readonly string[]): Promise<void> {
  const known = new Set(['--quick', '--one-kb', '--plain-app', '--counts', '--render'])
  const renderAt = argv.indexOf('--render')
  const unknown = argv.filter((a, i) => !known.has(a) && !(renderAt >= 0 && i === renderAt + 1))
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE)
    return Promise.resolve()
  }
  if (unknown.length > 0) throw new Error(`unknown argument "${unknown[0]}"\n${USAGE}`)
  if (renderAt >= 0) {
    const path = argv[renderAt + 1]
    if (!path) throw new Error(`--render needs a results file\n${USAGE}`)
    return render(path)
  }
  if (argv.includes('--plain-app')) return runPlainApp(argv.includes('--quick') ? 'quick' : 'full', argv.includes('--counts'))
  return pairsMain(argv.includes('--quick') ? 'quick' : argv.includes('--one-kb') ? 'one-kb' : 'full')
}

try {
  await main(process.argv.slice(2))
} catch (error: unknown) {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
}
