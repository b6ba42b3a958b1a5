import type { Piscina } from 'piscina'
import type { PoolSettings } from '../options/pool.js'
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

let wrap: (parts: PoolParts) => SealedPool
let unwrap: (pool: SealedPool) => PoolParts
let brand: (value: unknown) => value is SealedPool

/**
 * A worker pool made by `createSealedPool()`, to share between stores through their `pool`
 * option. Its owner calls `destroy()` after closing the stores that use it.
 */
export class SealedPool {
  readonly #parts: PoolParts

  private constructor(parts: PoolParts) {
    this.#parts = parts
  }

  static {
    wrap = (parts) => new SealedPool(parts)
    unwrap = (pool) => pool.#parts
    brand = (value): value is SealedPool => typeof value === 'object' && value !== null && #parts in value
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

export const poolHandle = (parts: PoolParts): SealedPool => wrap(parts)
export const poolParts = (pool: SealedPool): PoolParts => unwrap(pool)
/** Whether `value` is a pool made by `createSealedPool()` (a brand check, not a prototype check). */
export const isSealedPool = (value: unknown): value is SealedPool => brand(value)
