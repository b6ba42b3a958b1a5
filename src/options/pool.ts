import { availableParallelism } from 'node:os'
import { SealedOptionsError } from '../errors.js'
import { integer, onlyKnown, plainObject, timerMs } from './checks.js'

/**
 * Defaults of the pool settings, declared once (the `pool` entry of `OPTIONS` lists them).
 * `maxThreads` and `maxQueue` depend on the machine: a number of cores, a multiple of threads.
 */
const QUEUE_PER_THREAD = 32
export const POOL_DEFAULTS = {
  minThreads: 1,
  maxThreads: 'cores − 1, at least 1',
  idleTimeout: 60_000,
  maxQueue: `${QUEUE_PER_THREAD} × maxThreads`,
  taskTimeout: 10_000,
} as const

/** Tuning of the worker pool the store creates. */
export interface PoolSettings {
  /** Threads kept alive. Default 1. */
  minThreads?: number
  /** Most threads. Default: cores − 1, at least 1 (`availableParallelism() - 1`): on 2 cores one worker beats two. */
  maxThreads?: number
  /** Milliseconds an idle thread above `minThreads` lives. Default 60000; at most 2^31 - 1 (Node's longest timer). */
  idleTimeout?: number
  /** Tasks allowed to wait for a thread; beyond it operations run inline instead. Default: 32 × maxThreads. */
  maxQueue?: number
  /** Milliseconds a pooled task may take before it is aborted and redone inline. Default 10000; at most 2^31 - 1. */
  taskTimeout?: number
}

/**
 * A worker pool made by `createSealedPool()`, to share between stores through their `pool`
 * option. Its owner calls `destroy()` after closing the stores that use it. (Described here; the
 * dispatcher builds it, see dispatch/sealed-pool.ts.)
 */
export interface SealedPool {
  /** Worker threads alive right now. */
  readonly threads: number
  /** Share of the pool's capacity in use, 0 to 1. */
  readonly utilization: number
  /** Stops the workers and zeroes every key the pool was given. */
  destroy(): Promise<void>
}

/** The pools `createSealedPool()` made: an object cannot pass for one by its shape. */
const madePools = new WeakSet<object>()

/** Called by the dispatcher for each pool it builds. */
export function markSealedPool(pool: SealedPool): void {
  madePools.add(pool)
}

/** Whether `value` is a pool made by `createSealedPool()` (in this copy of the package). */
export function isSealedPool(value: unknown): value is SealedPool {
  return typeof value === 'object' && value !== null && madePools.has(value)
}

/**
 * `false`: everything inline. `true` (default): a pool with default settings, owned by the store.
 * {@link PoolSettings}: an owned pool so tuned. A {@link SealedPool} made by `createSealedPool()`:
 * shared by several stores; its owner destroys it.
 */
export type PoolOption = boolean | PoolSettings | SealedPool

/** The `pool` option, decided once: no pool, a pool the store starts and destroys, or one it borrows. */
export type PoolChoice =
  | { readonly kind: 'inline' }
  | { readonly kind: 'owned'; readonly settings: Required<PoolSettings> }
  | { readonly kind: 'shared'; readonly pool: SealedPool }

/** Pool settings with every default filled in. */
export function resolvePoolSettings(value: PoolSettings): Required<PoolSettings> {
  onlyKnown('pool', value as Record<string, unknown>, ['minThreads', 'maxThreads', 'idleTimeout', 'maxQueue', 'taskTimeout'])
  const maxThreads = integer('pool.maxThreads', value.maxThreads, 1, Math.max(1, availableParallelism() - 1))
  const minThreads = integer('pool.minThreads', value.minThreads, 0, Math.min(POOL_DEFAULTS.minThreads, maxThreads), maxThreads)
  return {
    maxThreads,
    minThreads,
    idleTimeout: timerMs('pool.idleTimeout', value.idleTimeout, 0, POOL_DEFAULTS.idleTimeout),
    maxQueue: integer('pool.maxQueue', value.maxQueue, 0, QUEUE_PER_THREAD * maxThreads),
    taskTimeout: timerMs('pool.taskTimeout', value.taskTimeout, 1, POOL_DEFAULTS.taskTimeout),
  }
}


/** Checks the `pool` option and says which kind of pool it asks for. */
export function resolvePool(value: unknown): PoolChoice {
  if (value === undefined || value === true) return { kind: 'owned', settings: resolvePoolSettings({}) }
  if (value === false) return { kind: 'inline' }
  if (isSealedPool(value)) return { kind: 'shared', pool: value }
  const settings = plainObject('pool', value)
  const proto: unknown = Object.getPrototypeOf(settings)
  if (proto !== Object.prototype && proto !== null) {
    throw new SealedOptionsError('pool', 'must be true, false, pool settings, or a pool made by createSealedPool()')
  }
  return { kind: 'owned', settings: resolvePoolSettings(settings as PoolSettings) }
}
