import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { SealedError, SealedOptionsError } from '../errors.js'
import { resolvePoolSettings, type PoolSettings } from '../options/pool.js'
import { createRegistry } from './key-registry.js'
import { TaskSlots } from './task-slots.js'
import type { SealWorkerData, Task } from './tasks.js'

/** What the store knows of a pool made here. */
export interface SealedPool {
  readonly piscina: Piscina<Task, unknown>
  readonly registry: SharedArrayBuffer
  readonly settings: Required<PoolSettings>
  /** Admission in front of the workers, shared by every store on this pool. */
  readonly slots: TaskSlots
}

const pools = new WeakMap<Piscina, SealedPool>()

/**
 * The worker module next to this one: `seal-worker.js` or `.cjs` in the built package, the
 * TypeScript source when running from a checkout (under tsx, which workers inherit).
 */
export function workerFile(moduleUrl = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl))
  const built = join(here, moduleUrl.endsWith('.cjs') ? 'seal-worker.cjs' : 'seal-worker.js')
  const candidates = [built, join(here, '..', '..', 'workers', 'seal-worker.ts')]
  const found = candidates.find((file) => existsSync(file))
  if (!found) throw new SealedError('ERR_SEALED_WORKER_MISSING', `connect-redis-sealed: worker module not found (looked for ${candidates.join(', ')})`)
  return found
}

/** Builds a pool with checked settings; `piscina.on('error')` is attached so a broken worker never crashes the process. */
export function buildPool(resolved: Required<PoolSettings>): SealedPool {
  const registry = createRegistry()
  const workerData: SealWorkerData = { registry }
  const piscina = new Piscina<Task, unknown>({
    filename: workerFile(),
    minThreads: resolved.minThreads,
    maxThreads: resolved.maxThreads,
    idleTimeout: resolved.idleTimeout,
    // TaskSlots admits at most maxThreads tasks at once; this only covers workers still starting.
    maxQueue: resolved.maxThreads * 4,
    workerData,
  })
  piscina.on('error', () => {
    // A worker that fails outside a task; its tasks reject and are redone inline.
  })
  const pool = { piscina, registry, settings: resolved, slots: new TaskSlots(resolved.maxThreads, resolved.maxQueue) }
  pools.set(piscina, pool)
  return pool
}

/**
 * A worker pool that several stores in one process can share: pass it as their `pool` option.
 * The caller owns it and calls `destroy()` after closing the stores.
 */
export function createSealedPool(settings: PoolSettings = {}): Piscina {
  return buildPool(resolvePoolSettings(settings)).piscina
}

/** The pool behind a Piscina made by {@link createSealedPool}; a TypeError for any other. */
export function sharedPool(piscina: unknown): SealedPool {
  const pool = pools.get(piscina as Piscina)
  if (!pool) throw new SealedOptionsError('pool', 'must be true, false, pool settings, or a pool made by createSealedPool()')
  return pool
}
