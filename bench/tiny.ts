/**
 * Runs tinybench tasks in interleaved rounds (the task order rotates each round) and adds what
 * tinybench cannot see: main-thread time per operation (event-loop active time over the run
 * phase) and process CPU per operation (main thread + workers).
 */
import { Bench } from 'tinybench'
import { percentiles, startCostMeter, type ThreadCost } from './measure.js'

export interface TinyTask {
  readonly name: string
  /** Runs `batch` operations (sequentially); every figure is divided by it. */
  readonly fn: () => unknown
  /** Operations per call of `fn`, so that tiny operations are not dwarfed by tinybench's own per-call cost. Default 1. */
  readonly batch?: number
}

/** How many operations to batch per call for a payload of `bytes`: about 64 KiB of work per call. */
export function batchFor(bytes: number): number {
  return Math.max(1, Math.min(64, Math.floor(65_536 / bytes)))
}

export interface TinySettings {
  rounds: number
  /** Time budget per task and round, ms. */
  time: number
  warmupTime: number
  /** Minimum iterations per task and round. */
  iterations: number
}

export const QUICK_TINY: TinySettings = { rounds: 1, time: 40, warmupTime: 10, iterations: 3 }
export const FULL_TINY: TinySettings = { rounds: 3, time: 250, warmupTime: 60, iterations: 10 }

/** One task's figures, in µs per operation. */
export interface TinyFigures {
  /** Wall time per op: p50, p99 over every sample of every round, and the mean. */
  wallP50: number
  wallP99: number
  wallMean: number
  /** Main-thread time per op (see MAIN_THREAD_CLOCK): the median over rounds. */
  main: number
  /** Event-loop active time per op (ELU): the median over rounds. */
  active: number
  /** Process CPU (all threads) per op: the median over rounds. */
  cpu: number
  runs: number
}

interface Accumulator {
  samples: number[]
  main: number[]
  active: number[]
  cpu: number[]
  runs: number
}

function medianOf(values: number[]): number {
  return percentiles(values).p50
}

/** Runs every task `rounds` times, rotating the order, and returns figures by task name. */
export async function runTiny(tasks: readonly TinyTask[], settings: TinySettings): Promise<Map<string, TinyFigures>> {
  const acc = new Map<string, Accumulator>(tasks.map((t) => [t.name, { samples: [], main: [], active: [], cpu: [], runs: 0 }]))
  for (let round = 0; round < settings.rounds; round++) {
    const bench = new Bench({
      time: settings.time,
      warmupTime: settings.warmupTime,
      iterations: settings.iterations,
      warmupIterations: 2,
      retainSamples: true,
      throws: true,
    })
    const shift = (round * Math.max(1, Math.floor(tasks.length / settings.rounds))) % Math.max(1, tasks.length)
    const ordered = [...tasks.slice(shift), ...tasks.slice(0, shift)]
    const costs = new Map<string, ThreadCost>()
    for (const task of ordered) {
      let meter: ReturnType<typeof startCostMeter> | undefined
      bench.add(task.name, task.fn, {
        beforeAll(mode) {
          if (mode === 'run') meter = startCostMeter()
        },
        afterAll(mode) {
          if (mode === 'run' && meter) costs.set(task.name, meter.stop())
        },
      })
    }
    await bench.run()
    for (const task of bench.tasks) {
      const result = task.result
      const a = acc.get(task.name) as Accumulator
      const cost = costs.get(task.name)
      if (result.state !== 'completed' || !cost) throw new Error(`micro task ${task.name} did not complete (${result.state})`)
      const batch = tasks.find((t) => t.name === task.name)?.batch ?? 1
      a.samples.push(...(result.latency.samples ?? []).map((ms) => (ms * 1000) / batch))
      a.main.push((cost.mainMs * 1000) / (task.runs * batch))
      a.active.push((cost.activeMs * 1000) / (task.runs * batch))
      a.cpu.push((cost.cpuMs * 1000) / (task.runs * batch))
      a.runs += task.runs * batch
    }
  }
  const out = new Map<string, TinyFigures>()
  for (const [name, a] of acc) {
    const p = percentiles(a.samples)
    out.set(name, {
      wallP50: p.p50,
      wallP99: p.p99,
      wallMean: a.samples.reduce((s, v) => s + v, 0) / a.samples.length,
      main: medianOf(a.main),
      active: medianOf(a.active),
      cpu: medianOf(a.cpu),
      runs: a.runs,
    })
  }
  return out
}
