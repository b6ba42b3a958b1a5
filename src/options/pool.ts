import { availableParallelism } from 'node:os'
import type { Piscina } from 'piscina'
import type { SealedPool } from '../dispatch/pool.js'
import { integer, onlyKnown } from './checks.js'

/** Tuning of the worker pool the store creates. */
export interface PoolSettings {
  /** Threads kept alive. Default 1. */
  minThreads?: number
  /** Most threads. Default `max(1, availableParallelism() - 1)`: on 2 cores one worker beats two. */
  maxThreads?: number
  /** Milliseconds an idle thread above `minThreads` lives. Default 60000. */
  idleTimeout?: number
  /** Tasks allowed to wait for a thread; beyond it operations run inline instead. Default 32 per thread. */
  maxQueue?: number
  /** Milliseconds a pooled task may take before it is aborted and redone inline. Default 10000. */
  taskTimeout?: number
}

/**
 * `false`: everything inline. `true` (default): a pool with default settings, owned by the store.
 * {@link PoolSettings}: an owned pool so tuned. A `Piscina` made by `createSealedPool()`: shared
 * by several stores; its owner destroys it.
 */
export type PoolOption = boolean | PoolSettings | Piscina

/** The `pool` option once resolved: who runs large operations, and who owns the pool. */
export type PoolPlan =
  | { readonly kind: 'inline' }
  | { readonly kind: 'owned'; readonly settings: Required<PoolSettings> }
  | { readonly kind: 'shared'; readonly pool: SealedPool }

/** Pool settings with every default filled in. */
export function resolvePoolSettings(value: PoolSettings): Required<PoolSettings> {
  onlyKnown('pool', value as Record<string, unknown>, ['minThreads', 'maxThreads', 'idleTimeout', 'maxQueue', 'taskTimeout'])
  const maxThreads = integer('pool.maxThreads', value.maxThreads, 1, Math.max(1, availableParallelism() - 1))
  const minThreads = integer('pool.minThreads', value.minThreads, 0, Math.min(1, maxThreads), maxThreads)
  return {
    maxThreads,
    minThreads,
    idleTimeout: integer('pool.idleTimeout', value.idleTimeout, 0, 60_000),
    maxQueue: integer('pool.maxQueue', value.maxQueue, 0, 32 * maxThreads),
    taskTimeout: integer('pool.taskTimeout', value.taskTimeout, 1, 10_000),
  }
}

