/** The shape of one bench run's results, as written to bench/results/<timestamp>.json. */
import type { HttpResult } from './http-load.js'
import type { Machine } from './machine.js'
import type { MicroResult } from './micro.js'
import type { StoreLoadRow } from './store-load.js'

export type Section = 'micro' | 'store' | 'http'

export interface Goal {
  /** The goal as issue 4 states it. */
  goal: string
  target: string
  /** Each measured ratio with where it was measured, e.g. "256 KB ×64: 1.41". */
  measured: string[]
  /** true met, false missed, null not measured in this run (section skipped or a contender failed). */
  met: boolean | null
}

export interface BenchResults {
  startedAt: string
  durationSeconds: number
  command: string
  quick: boolean
  sections: Section[]
  machine: Machine
  method: {
    /** How main-thread time was measured: Linux per-thread schedstat (on-CPU ns) or event-loop utilization. */
    mainThreadClock: 'schedstat' | 'elu'
    eventLoopDelayResolutionMs: number
    notes: string[]
  }
  micro?: MicroResult
  store?: StoreLoadRow[]
  http?: HttpResult
  goals: Goal[]
}
