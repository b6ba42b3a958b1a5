import type { KeyRing } from './codec/keyring.js'
import type { ResolvedOptions } from './resolve-options.js'
import { InlineSealer, type Sealer } from './sealer.js'

/** The sealer the options ask for: inline only, or inline plus a worker pool. */
export async function createSealer(ring: KeyRing, options: ResolvedOptions): Promise<Sealer> {
  return new InlineSealer(ring, options.seal, options.maxSessionBytes)
}
