/** The goals of issue 4, each checked against this run's measurements. */
import type { HttpRow } from './http-load.js'
import { round } from './measure.js'
import type { BenchResults, Goal } from './results.js'
import { sizeLabel } from './session-data.js'
import type { LoadContender, StoreLoadRow } from './store-load.js'

const KB = 1024

interface Check {
  where: string
  ratio: number
  ok: boolean
}

function verdict(goal: string, target: string, checks: Check[], unusable = false): Goal {
  return {
    goal,
    target,
    measured: checks.map((c) => `${c.where}: ${round(c.ratio)}`),
    met: unusable || checks.length === 0 ? null : checks.every((c) => c.ok),
  }
}

function storeRow(rows: readonly StoreLoadRow[], size: number, concurrency: number, contender: LoadContender): StoreLoadRow | undefined {
  return rows.find((r) => r.size === size && r.concurrency === concurrency && r.contender === contender && r.errors === 0 && r.ops > 0)
}

function httpRow(rows: readonly HttpRow[], size: number, contender: string): HttpRow | undefined {
  return rows.find((r) => r.size === size && r.contender === contender && r.failures === 0 && r.reqPerSec > 0)
}

function storeRatio(rows: readonly StoreLoadRow[], a: LoadContender, b: LoadContender, pick: (r: StoreLoadRow) => number, keep: (r: StoreLoadRow) => boolean) {
  const scenarios = rows.filter((r) => r.contender === a && keep(r))
  return scenarios.flatMap((s) => {
    const x = storeRow(rows, s.size, s.concurrency, a)
    const y = storeRow(rows, s.size, s.concurrency, b)
    return x && y ? [{ where: `${sizeLabel(s.size)} ×${s.concurrency}`, ratio: pick(x) / pick(y) }] : []
  })
}

export function checkGoals(results: Pick<BenchResults, 'micro' | 'store' | 'http'>): Goal[] {
  const goals: Goal[] = []
  const http = results.http?.rows ?? []
  const store = results.store ?? []

  const auto1k = httpRow(http, KB, 'auto')
  const plain1k = httpRow(http, KB, 'connect-redis')
  goals.push(
    verdict(
      '1 KB sessions over HTTP: ours automatic vs plaintext connect-redis req/s',
      '≥ 0.95×',
      auto1k && plain1k ? [{ where: '1 KB', ratio: auto1k.reqPerSec / plain1k.reqPerSec, ok: auto1k.reqPerSec / plain1k.reqPerSec >= 0.95 }] : [],
    ),
  )

  const vsCrypto = storeRatio(store, 'auto', 'connect-redis-crypto', (r) => r.opsPerSec, (r) => r.size === KB)
  goals.push(verdict('Store level, 1 KB: ours (automatic) vs connect-redis-crypto 4.0.5 ops/s', '≥ 100×', vsCrypto.map((c) => ({ ...c, ok: c.ratio >= 100 }))))

  const large = (r: StoreLoadRow) => r.size >= 256 * KB
  const ops = storeRatio(store, 'pooled', 'inline', (r) => r.opsPerSec, large)
  goals.push(verdict('Store level, ≥ 256 KB, 16-64 in flight: pooled vs inline ops/s', '≥ 1.3×', ops.map((c) => ({ ...c, ok: c.ratio >= 1.3 }))))
  const delay = storeRatio(store, 'pooled', 'inline', (r) => r.loopDelay.p99, large)
  goals.push(verdict('Store level, ≥ 256 KB, 16-64 in flight: pooled vs inline event-loop delay p99', '≤ 0.5×', delay.map((c) => ({ ...c, ok: c.ratio <= 0.5 }))))
  const gzip = storeRatio(store, 'auto+gzip', 'inline+gzip', (r) => r.opsPerSec, large)
  goals.push(verdict('Store level, ≥ 256 KB, with gzip: pooled (automatic) vs inline ops/s', '≥ 2×', gzip.map((c) => ({ ...c, ok: c.ratio >= 2 }))))

  const floorChecks: Check[] = (results.micro?.mainThread ?? [])
    .filter((r) => r.size >= 128 * KB)
    .map((r) => {
      const ratio = r.pooled.main / r.floor.main
      const read = r.op === 'set' ? `; vs stringify + first read ${round(r.floorRead.main)} µs: ${round(r.pooled.main / r.floorRead.main)}` : ''
      return { where: `${sizeLabel(r.size)} ${r.op} (pooled main ${round(r.pooled.main)} µs vs ${r.op === 'set' ? 'JSON.stringify' : 'JSON.parse'} ${round(r.floor.main)} µs${read})`, ratio, ok: ratio <= 1.2 }
    })
  goals.push(verdict("≥ 128 KB: the store's main-thread µs per op vs JSON.parse / JSON.stringify alone", '≤ 1.2×', floorChecks))

  const rps: Check[] = []
  const healthChecks: Check[] = []
  for (const size of [...new Set(http.map((r) => r.size))].filter((s) => s >= 256 * KB)) {
    const auto = httpRow(http, size, 'auto')
    const inline = httpRow(http, size, 'inline')
    if (!auto || !inline) continue
    rps.push({ where: sizeLabel(size), ratio: auto.reqPerSec / inline.reqPerSec, ok: auto.reqPerSec / inline.reqPerSec >= 1 })
    healthChecks.push({ where: sizeLabel(size), ratio: auto.healthP99 / inline.healthP99, ok: auto.healthP99 / inline.healthP99 <= 0.7 })
  }
  goals.push(verdict('HTTP, ≥ 256 KB: automatic vs inline req/s', '≥ 1.0×', rps))
  goals.push(verdict('HTTP, ≥ 256 KB: automatic vs inline /health p99', '≤ 0.7×', healthChecks))
  return goals
}
