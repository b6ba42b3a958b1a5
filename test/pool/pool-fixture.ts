/** Builds an inline sealer and a pooled one over the same keys, as the store would. */
import type { CompressionSettings, Encoding, SealSettings } from '../../src/codec/seal.js'
import { schemeFor, type CipherName, type HashName } from '../../src/codec/format.js'
import { KeyRing } from '../../src/codec/keyring.js'
import { buildPool, type SealedPool } from '../../src/dispatch/pool.js'
import { registerRing } from '../../src/dispatch/key-registry.js'
import { PooledSealer } from '../../src/dispatch/pooled-sealer.js'
import { resolvePoolSettings, type PoolSettings } from '../../src/options/pool.js'
import { InlineSealer } from '../../src/dispatch/sealer.js'
import { TurnGate } from '../../src/dispatch/turn-gate.js'
import { deriveMasterKeys } from '../../src/codec/secrets.js'

export interface SealerPair {
  readonly inline: InlineSealer
  readonly pooled: PooledSealer
}

export interface PairOptions {
  cipher?: CipherName
  hash?: HashName
  encoding?: Encoding
  compression?: CompressionSettings
  /** Settings for a pool of this pair's own; without them the pair uses one pool shared by the file. */
  pool?: PoolSettings
  offloadThreshold?: number
  maxBytes?: number
}

let shared: SealedPool | undefined

/** Destroys the pool shared by pairs made without their own pool settings. */
export async function closeSharedPool(): Promise<void> {
  await shared?.piscina.destroy()
  shared = undefined
}

export async function sealerPair(options: PairOptions = {}): Promise<SealerPair> {
  const masters = await deriveMasterKeys([Buffer.alloc(32, 0x5e)])
  const ring = new KeyRing(masters)
  const settings: SealSettings = {
    scheme: schemeFor(options.cipher ?? 'aes-256-gcm', options.hash ?? 'sha512'),
    encoding: options.encoding ?? 'binary',
    compression: options.compression,
  }
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024
  const inline = new InlineSealer(ring, settings, maxBytes)
  const ownsPool = options.pool !== undefined
  const pool = ownsPool ? buildPool(resolvePoolSettings({ minThreads: 1, maxThreads: 1, ...options.pool })) : (shared ??= buildPool(resolvePoolSettings({ minThreads: 1, maxThreads: 1 })))
  const pooled = new PooledSealer({
    inline,
    pool,
    ownsPool,
    ringId: registerRing(pool.registry, masters),
    seal: settings,
    maxBytes,
    offloadThreshold: options.offloadThreshold ?? 0,
    gate: new TurnGate(),
  })
  return { inline, pooled }
}

/** Deterministic session-like JSON text of about `bytes` bytes, with some non-ASCII. */
export function sessionText(bytes: number, seed = 1): string {
  const items: object[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const item = { id: i * seed, name: `Artikel ${i} – größe ${i % 9}`, price: (i * 7919) % 1000 / 100, tags: ['x', String(i % 13)] }
    size += JSON.stringify(item).length + 1
    items.push(item)
  }
  return JSON.stringify({ cookie: { originalMaxAge: 3_600_000, httpOnly: true, path: '/' }, user: 'zoë', items })
}
