import type { KeyRing, MasterKey } from '../codec/keyring.js'
import type { ResolvedOptions } from '../options/resolve.js'
import { registerRing } from './key-registry.js'
import { openPool } from './pool.js'
import { PooledSealer } from './pooled-sealer.js'
import { poolParts } from './sealed-pool.js'
import { InlineSealer, type Sealer } from './sealer.js'
import { TurnGate } from './turn-gate.js'

/** Opens of at least this many plaintext bytes take a turn of the event loop each (see TurnGate). */
const LARGE_OPEN_BYTES = 32 * 1024

/** The options a sealer is built from. */
export type SealerOptions = Pick<ResolvedOptions, 'pool' | 'seal' | 'maxSessionBytes' | 'offloadThreshold'>

/**
 * The sealer the options ask for: inline only, or a pool that the cost model (or a user's explicit
 * `offloadThreshold`) decides to use per operation. `workerFile` replaces the worker module of an owned pool; only tests pass it.
 */
export function createSealer(ring: KeyRing, masters: readonly MasterKey[], options: SealerOptions, workerFile?: string): Sealer {
  const gate = new TurnGate()
  const { offloadThreshold, pool: choice } = options
  // offloadThreshold only places work (inline or pooled); how large an open takes a turn of its own is fixed.
  const inline = new InlineSealer(ring, options.seal, options.maxSessionBytes, gate, LARGE_OPEN_BYTES)
  if (choice.kind === 'inline') return inline
  const pool = choice.kind === 'owned' ? openPool(choice.settings, workerFile) : choice.pool
  return new PooledSealer({
    inline,
    pool,
    ownsPool: choice.kind === 'owned',
    ringId: registerRing(poolParts(pool).registry, masters),
    seal: options.seal,
    maxBytes: options.maxSessionBytes,
    offloadThreshold,
    gate,
  })
}
