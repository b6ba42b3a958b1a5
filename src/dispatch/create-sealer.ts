import type { KeyRing, MasterKey } from '../codec/keyring.js'
import { buildPool } from './pool.js'
import { registerRing } from './key-registry.js'
import { PooledSealer } from './pooled-sealer.js'
import type { ResolvedOptions } from '../options/resolve.js'
import { InlineSealer, type Sealer } from './sealer.js'
import { TurnGate } from './turn-gate.js'

/** The sealer the options ask for: inline only, or inline for small payloads and a worker pool for large ones. */
export function createSealer(ring: KeyRing, masters: readonly MasterKey[], options: ResolvedOptions): Sealer {
  const gate = new TurnGate()
  const { offloadThreshold, pool: plan } = options
  const inline = new InlineSealer(ring, options.seal, options.maxSessionBytes, gate, offloadThreshold)
  if (plan.kind === 'inline') return inline
  const pool = plan.kind === 'owned' ? buildPool(plan.settings) : plan.pool
  return new PooledSealer({
    inline,
    pool,
    ownsPool: plan.kind === 'owned',
    ringId: registerRing(pool.registry, masters),
    seal: options.seal,
    maxBytes: options.maxSessionBytes,
    offloadThreshold,
    gate,
  })
}
