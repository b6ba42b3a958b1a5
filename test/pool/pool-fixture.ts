/** Builds an inline sealer and a pooled one over the same keys with the store's own factory. */
import { fileURLToPath } from 'node:url'
import type { CompressionSettings, Encoding, SealSettings } from '../../src/codec/seal.js'
import { schemeFor, type CipherName, type HashName } from '../../src/codec/format.js'
import { KeyRing } from '../../src/codec/keyring.js'
import { createSealer } from '../../src/dispatch/create-sealer.js'
import { openPool } from '../../src/dispatch/pool.js'
import type { SealedPool } from '../../src/dispatch/sealed-pool.js'
import type { Sealer } from '../../src/dispatch/sealer.js'
import { resolvePool, resolvePoolSettings, type PoolSettings } from '../../src/options/pool.js'
import { deriveMasterKeys } from '../../src/codec/secrets.js'

/** The test worker: the real one, plus faults named in a task's Redis key (`sess:__fault_exit__`). */
export const FAULT_WORKER = fileURLToPath(new URL('../support/fault-worker.ts', import.meta.url))

export interface SealerPair {
  readonly inline: Sealer
  readonly pooled: Sealer
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
  await shared?.destroy()
  shared = undefined
}

export async function sealerPair(options: PairOptions = {}): Promise<SealerPair> {
  const masters = await deriveMasterKeys([Buffer.alloc(32, 0x5e)])
  const ring = new KeyRing(masters)
  const seal: SealSettings = {
    scheme: schemeFor(options.cipher ?? 'aes-256-gcm', options.hash ?? 'sha512'),
    encoding: options.encoding ?? 'binary',
    compression: options.compression,
  }
  const base = { seal, maxSessionBytes: options.maxBytes ?? 64 * 1024 * 1024, offloadThreshold: options.offloadThreshold ?? 0 }
  const pool = options.pool
    ? resolvePool({ minThreads: 1, maxThreads: 1, ...options.pool })
    : resolvePool((shared ??= openPool(resolvePoolSettings({ minThreads: 1, maxThreads: 1 }), FAULT_WORKER)))
  return {
    inline: createSealer(ring, masters, { ...base, pool: resolvePool(false) }),
    pooled: createSealer(ring, masters, { ...base, pool }, FAULT_WORKER),
  }
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
