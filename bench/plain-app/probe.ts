/**
 * Loaded into an app with `node --import probe.mjs` for the counting pass only (never in a timed
 * run): cumulative counts that do not depend on machine load. On SIGUSR2 it writes one line,
 * "probe <json>" (a ProbeSnapshot), to stdout; the harness diffs two snapshots. The async_hooks
 * counts (`created`, `ran`) only with PROBE_HOOKS=1: the hook allocates per async resource, so
 * allocation and GCs are counted in a process without it.
 */
import { createHook } from 'node:async_hooks'
import diagnostics_channel from 'node:diagnostics_channel'
import { PerformanceObserver } from 'node:perf_hooks'
import { GCProfiler, getHeapStatistics } from 'node:v8'

/** Cumulative counts since the app started. */
export interface ProbeSnapshot {
  /** HTTP requests received, by path. */
  requests: Record<string, number>
  /** Async resources created, by type (Timeout = setTimeout/setInterval, Immediate, PROMISE, TickObject …). */
  created: Record<string, number>
  /** Callbacks run, by resource type (PROMISE excluded): what woke or kept the main thread busy. */
  ran: Record<string, number>
  /** GCs by kind (PerformanceObserver 'gc' entries: minor, major, incremental, weakcb). */
  gc: Record<string, number>
  /** Bytes allocated on the V8 heap: freed by every GC so far plus the heap's growth. */
  allocatedBytes: number
}

const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' }
const snapshot: ProbeSnapshot = { requests: {}, created: {}, ran: {}, gc: {}, allocatedBytes: 0 }
const types = new Map<number, string>()
const bump = (counts: Record<string, number>, key: string) => void (counts[key] = (counts[key] ?? 0) + 1)

const hook = createHook({
  init(id, type) {
    bump(snapshot.created, type)
    if (type !== 'PROMISE') types.set(id, type)
  },
  before(id) {
    const type = types.get(id)
    if (type) bump(snapshot.ran, type)
  },
  destroy(id) {
    types.delete(id)
  },
})
if (process.env.PROBE_HOOKS === '1') hook.enable()

diagnostics_channel.subscribe('http.server.request.start', (message) => {
  const url = (message as { request: { url?: string } }).request.url ?? ''
  bump(snapshot.requests, url.split('?')[0] ?? url)
})

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) bump(snapshot.gc, GC_KINDS[(entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0] ?? 'other')
}).observe({ entryTypes: ['gc'] })

const startUsed = getHeapStatistics().used_heap_size
let freed = 0
let profiler = new GCProfiler()
profiler.start()

function collect(): void {
  for (const gc of profiler.stop().statistics) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize
  profiler = new GCProfiler()
  profiler.start()
  snapshot.allocatedBytes = freed + getHeapStatistics().used_heap_size - startUsed
}

process.on('SIGUSR2', () => {
  collect()
  process.stdout.write(`probe ${JSON.stringify(snapshot)}\n`)
})
