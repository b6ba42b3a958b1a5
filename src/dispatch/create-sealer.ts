import type { KeyRing, MasterKey } from '../codec/keyring.js'
import { buildPool, sharedPool } from './pool.js'
import { registerRing } from './key-registry.js'
import { PooledSealer } from './pooled-sealer.js'
import type { ResolvedOptions } from '../options/resolve.js'
import { InlineSealer, type Sealer } from './sealer.js'
import { TurnGate } from './turn-gate.js'

/** Opens of at least this many stored bytes take a turn of the event loop each (see TurnGate). */
const LARGE_OPEN_BYTES = 32 * 1024

/**
 * The sealer the options ask for: inline only, or a pool that the cost model (or a user's explicit
 * `offloadThreshold`) decides to use per operation.
 */
export function createSealer(ring: KeyRing, masters: readonly MasterKey[], options: ResolvedOptions): Sealer {
  const gate = new TurnGate()
  const inline = new InlineSealer(ring, options.seal, options.maxSessionBytes, gate, options.offloadThreshold ?? LARGE_OPEN_BYTES)
  if (options.pool === false) return inline
  const ownsPool = options.pool === true || Object.getPrototypeOf(options.pool) === Object.prototype
  const pool = ownsPool ? buildPool(options.pool === true ? {} : (options.pool as object)) : sharedPool(options.pool)
  return new PooledSealer({
    inline,
    pool,
    ownsPool,
    ringId: registerRing(pool.registry, masters),
    seal: options.seal,
    maxBytes: options.maxSessionBytes,
    threshold: options.offloadThreshold,
    gate,
  })
}
