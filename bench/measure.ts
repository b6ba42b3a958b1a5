/** Main-thread time (on-CPU where Linux tells it, else event-loop utilization) and process CPU of a stretch of time. */
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

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
