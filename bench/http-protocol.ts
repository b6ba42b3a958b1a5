/** Messages between the bench (parent) and an HTTP server child, over the fork IPC channel. */
import type { BenchSecrets, Dispatch, StoreContender } from './contenders.js'
import type { LoopDelay } from './measure.js'
import type { Breakdown } from './profile-breakdown.js'

export type ToServer =
  | { type: 'start'; contender: StoreContender; redisUrl: string; secrets: BenchSecrets }
  /** Start a measurement window: zero the counters, event-loop delay and utilization. */
  | { type: 'reset' }
  /** End the window and send a `report`. */
  | { type: 'report' }
  /** Start a window with the V8 CPU profiler running (sampling every `intervalMicros`). */
  | { type: 'profile-start'; intervalMicros: number }
  /** Stop the profiler and send a `profile`. */
  | { type: 'profile-stop' }
  /** Reply `quiet` once nothing is in flight (requests cut off by the load generator finish first). */
  | { type: 'quiet' }
  | { type: 'stop' }

export interface ServerWindow {
  /** /work requests answered in the window. */
  requests: number
  loopDelay: LoopDelay
  utilization: number
  /** Main-thread ms per /work request (on-CPU time where available, else event-loop active time). */
  mainMsPerRequest: number
  /** Process CPU ms per /work request, all threads. */
  cpuMsPerRequest: number
  /** Ours only: where the window's seals and opens ran. */
  dispatch?: Dispatch
}

export type FromServer =
  | { type: 'listening'; port: number }
  | { type: 'report'; window: ServerWindow }
  | { type: 'profile'; window: ServerWindow; breakdown: Breakdown }
  | { type: 'quiet' }
  | { type: 'failed'; message: string }
