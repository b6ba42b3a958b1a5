import type { Piscina } from 'piscina'
import { markSealedPool, type PoolSettings, type SealedPool } from '../options/pool.js'
import { wipeAll } from './key-registry.js'
import type { TaskSlots } from './task-slots.js'
import type { Task } from './tasks.js'

/** What the dispatcher needs of a pool; never exposed to callers. */
export interface PoolParts {
  readonly piscina: Piscina<Task, unknown>
  readonly registry: SharedArrayBuffer
  readonly settings: Required<PoolSettings>
  /** Admission in front of the workers, shared by every store on this pool. */
  readonly slots: TaskSlots
}

export type { SealedPool } from '../options/pool.js'

let wrap: (parts: PoolParts) => PoolHandle
let unwrap: (pool: PoolHandle) => PoolParts

/** The {@link SealedPool} the dispatcher builds: the public surface, and its parts kept private. */
class PoolHandle implements SealedPool {
  readonly #parts: PoolParts

  private constructor(parts: PoolParts) {
    this.#parts = parts
  }

  static {
    wrap = (parts) => new PoolHandle(parts)
    unwrap = (pool) => pool.#parts
  }

  /** Worker threads alive right now. */
  get threads(): number {
    return this.#parts.piscina.threads.length
  }

  /** Share of the pool's capacity in use, 0 to 1. */
  get utilization(): number {
    return this.#parts.piscina.utilization
  }

  /** Stops the workers and zeroes every key the pool was given. */
  async destroy(): Promise<void> {
    await this.#parts.piscina.destroy()
    wipeAll(this.#parts.registry)
  }
}

export function poolHandle(parts: PoolParts): SealedPool {
  const pool = wrap(parts)
  markSealedPool(pool)
  return pool
}

/** The parts of a pool this dispatcher built (only such pools pass the option check). */
export const poolParts = (pool: SealedPool): PoolParts => unwrap(pool as PoolHandle)
