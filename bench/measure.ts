/**
 * Measuring tools shared by the sections: percentiles, main-thread time (event-loop
 * utilization), process CPU and event-loop delay.
 */
import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks'

/**
 * Event-loop delay sampling period, in ms. 1 ms rather than Node's default 10 ms: a run of a
 * few seconds then has enough samples that p99 is not just the maximum. The sampling timer is
 * the same for every contender; on a loaded loop it is one timer check per turn (idle, it would
 * wake the loop 1000 times a second, but the bench measures only under load).
 */
export const ELD_RESOLUTION_MS = 1

export interface Percentiles {
  p50: number
  p99: number
  max: number
}

/** p50, p99 (nearest rank) and max of `values`; NaN when empty. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  return { p50: at(50), p99: at(99), max: sorted[sorted.length - 1] ?? Number.NaN }
}

/**
 * Nanoseconds the calling thread has spent on a CPU, from Linux's /proc/thread-self/schedstat;
 * undefined elsewhere. Unlike event-loop active time it does not count time the thread was ready
 * but waiting for a core, which on a busy 2-core machine is most of the noise.
 */
function threadCpuNs(): number | undefined {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0])
  } catch {
    return undefined
  }
}

/** How main-thread time is measured on this machine. */
export const MAIN_THREAD_CLOCK: 'schedstat' | 'elu' = threadCpuNs() === undefined ? 'elu' : 'schedstat'

/** What one measured stretch of time cost the process. */
export interface ThreadCost {
  /** Wall-clock ms. */
  wallMs: number
  /** Ms the main thread's event loop was busy (not waiting in epoll), per event-loop utilization. */
  activeMs: number
  /** activeMs / wallMs. */
  utilization: number
  /**
   * Main-thread ms: on-CPU time of the main thread where Linux schedstat exists, else `activeMs`.
   * This is the figure the report calls main-thread time.
   */
  mainMs: number
  /** User + system CPU ms of the whole process (main thread and worker threads together). */
  cpuMs: number
}

/**
 * Starts measuring main-thread and process CPU time; `stop()` returns the cost since then.
 * Node 20 has no per-thread CPU clock API (process.threadCpuUsage came in Node 23).
 */
export function startCostMeter(): { stop(): ThreadCost } {
  const elu = performance.eventLoopUtilization()
  const cpu = process.cpuUsage()
  const thread = threadCpuNs()
  const t0 = performance.now()
  return {
    stop() {
      const threadEnd = threadCpuNs()
      const wallMs = performance.now() - t0
      const d = performance.eventLoopUtilization(elu)
      const c = process.cpuUsage(cpu)
      const mainMs = thread !== undefined && threadEnd !== undefined ? (threadEnd - thread) / 1e6 : d.active
      return { wallMs, activeMs: d.active, utilization: d.utilization, mainMs, cpuMs: (c.user + c.system) / 1000 }
    },
  }
}

/** Event-loop delay in ms over a stretch of time. */
export interface LoopDelay extends Percentiles {
  samples: number
}

/** Starts an event-loop delay histogram; `stop()` returns its percentiles and disables it. */
export function startLoopDelay(): { stop(): LoopDelay; reset(): void } {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS })
  histogram.enable()
  return {
    reset: () => histogram.reset(),
    stop() {
      histogram.disable()
      const ms = (ns: number) => ns / 1e6
      return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), samples: histogram.count }
    },
  }
}

/** Rounds for display: 3 significant digits, no exponent. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value
  const scale = 10 ** Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value))))
  return Math.round(value * scale) / scale
}
