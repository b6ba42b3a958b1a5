/**
 * Pages for whoever runs the app, apart from the user's navigation: `/stats` (the store's counters
 * for a person, or as JSON for a script), `/metrics` (Prometheus) and `/health`. A real app keeps
 * these off the public internet (another listener or an allow-list).
 */
import type { Express } from 'express'
import type { RedisStore, StoreStats } from '../src/index.js'
import { escapeHtml, formatCount, layout } from './layout.js'
import type { PrometheusMetrics } from './metrics.js'

/** Each counter of `store.stats()`: a label and what it counts, in a few words. */
const COUNTERS: readonly [key: keyof StoreStats, label: string, meaning: string][] = [
  ['sealed', 'Sealed', 'sessions encrypted and written to Redis'],
  ['opened', 'Opened', 'sessions read from Redis and decrypted'],
  ['recalled', 'From memory', 'reads of a record this process had just written, so not decrypted again'],
  ['openFailures', 'Failed to open', 'records that were altered, expired or sealed with another key; treated as no session'],
  ['openedWithOldKey', 'Older key', 'sessions opened with a previous secret; re-sealed with the newest on their next write'],
  ['legacyOpened', 'Legacy', 'sessions written by connect-redis or connect-redis-crypto, read during a migration'],
  ['conflicts', 'Write conflicts', 'writes that found a record another request had written since this one read it'],
  ['merges', 'Merges', 'three-way merges of such writes, so neither request’s changes were lost'],
  ['mergeConflicts', 'Same-spot changes', 'places both requests changed differently; the later request’s value was kept'],
  ['droppedWrites', 'Dropped writes', 'writes not made because the session had ended meanwhile (a logout stays a logout)'],
  ['inline', 'Main thread', 'seals and opens run on the main thread (small sessions)'],
  ['pooled', 'Worker pool', 'seals and opens run on a worker thread (large sessions)'],
  ['fallbacks', 'Pool full', 'operations meant for the pool that ran on the main thread because its queue was full'],
  ['workerFailures', 'Worker failures', 'operations whose worker failed and that were redone on the main thread'],
]

/** "3 days 4 h", "2 h 5 min", "4 min 10 s". */
export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds)
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)]
  if (d > 0) return `${formatCount(d)} day${d === 1 ? '' : 's'} ${h} h`
  if (h > 0) return `${h} h ${m} min`
  if (m > 0) return `${m} min ${s % 60} s`
  return `${s} s`
}

/** Bytes in binary units with one decimal: "85.3 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${formatCount(value)} bytes` : `${value.toFixed(1)} ${units[unit]}`
}

const row = (label: string, value: string, meaning: string) => `<dt>${escapeHtml(label)}</dt><dd><strong>${value}</strong> <span class="muted">${escapeHtml(meaning)}</span></dd>`

export function statsPage(stats: StoreStats, sessions: number | undefined, uptimeSeconds: number): string {
  const memory = process.memoryUsage()
  const overview = [
    row('Sessions in Redis', sessions === undefined ? 'unknown' : formatCount(sessions), 'records under the store’s prefix right now'),
    row('Uptime', formatDuration(uptimeSeconds), 'since the app started'),
    row('Memory', formatBytes(memory.rss), `resident (JavaScript heap ${formatBytes(memory.heapUsed)})`),
    row('Worker threads', formatCount(stats.threads), 'alive now'),
    row('Pool in use', `${(stats.utilization * 100).toFixed(1)} %`, 'of the worker pool’s capacity'),
    row('Pool queue', formatCount(stats.queue), 'tasks waiting for a worker'),
  ]
  const counters = COUNTERS.map(([key, label, meaning]) => row(label, formatCount(stats[key]), meaning))
  return layout(
    'Session store',
    `<p class="muted">Counts since the app started. For scripts: <a href="/stats.json">/stats.json</a>; for Prometheus: <a href="/metrics">/metrics</a>.</p>
<h2>Now</h2><dl class="stats">${overview.join('\n')}</dl>
<h2>Counters</h2><dl class="stats">${counters.join('\n')}</dl>`,
    { operator: true },
  )
}

/** Adds /stats, /stats.json, /metrics and /health. `ping` asks Redis, rejecting when it does not answer. */
export function addOperatorRoutes(app: Express, store: RedisStore, metrics: PrometheusMetrics, ping: () => Promise<string>): void {
  const started = performance.now()
  app.get('/stats', async (_req, res) => {
    const sessions = await store.length().catch(() => undefined)
    res.type('html').send(statsPage(store.stats(), sessions, (performance.now() - started) / 1000))
  })
  app.get('/stats.json', (_req, res) => {
    res.json(store.stats())
  })
  app.get('/metrics', (req, res) => metrics.handle(req, res))
  app.get('/health', async (_req, res) => {
    try {
      res.json({ ok: true, redis: await ping() })
    } catch {
      res.status(503).json({ ok: false, redis: 'unreachable' })
    }
  })
}
