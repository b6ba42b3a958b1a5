import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import { resolvePoolSettings, type PoolSettings } from '../options/pool.js'
import { createRegistry } from './key-registry.js'
import { poolHandle, type SealedPool } from './sealed-pool.js'
import { TaskSlots } from './task-slots.js'
import type { SealWorkerData, Task } from './tasks.js'

/**
 * The worker module next to this one: `seal-worker.js` or `.cjs` in the built package, the
 * TypeScript source when running from a checkout (under tsx, which workers inherit).
 */
export function workerFile(): string {
  const moduleUrl = import.meta.url
  const here = dirname(fileURLToPath(moduleUrl))
  const built = join(here, moduleUrl.endsWith('.cjs') ? 'seal-worker.cjs' : 'seal-worker.js')
  const candidates = [built, join(here, '..', '..', 'workers', 'seal-worker.ts')]
  const found = candidates.find((file) => existsSync(file))
  if (!found) throw new Error(`connect-redis-sealed: worker module not found (looked for ${candidates.join(', ')})`)
  return found
}

/**
 * Starts a pool with settings already checked. `filename` replaces the worker module; only tests
 * pass it (this function is not part of the package's exports).
 */
export function openPool(settings: Required<PoolSettings>, filename: string = workerFile()): SealedPool {
  const registry = createRegistry()
  const workerData: SealWorkerData = { registry }
  const piscina = new Piscina<Task, unknown>({
    filename,
    minThreads: settings.minThreads,
    maxThreads: settings.maxThreads,
    idleTimeout: settings.idleTimeout,
    // TaskSlots admits at most maxThreads tasks at once; this only covers workers still starting.
    maxQueue: settings.maxThreads * 4,
    workerData,
  })
  piscina.on('error', () => {
    // A worker that fails outside a task; its tasks reject and are redone inline.
  })
  return poolHandle({ piscina, registry, settings, slots: new TaskSlots(settings.maxThreads, settings.maxQueue) })
}

/**
 * A worker pool that several stores in one process can share: pass it as their `pool` option.
 * The caller owns it and calls `destroy()` after closing the stores.
 */
export function createSealedPool(settings: PoolSettings = {}): SealedPool {
  return openPool(resolvePoolSettings(settings))
}
