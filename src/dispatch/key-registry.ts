import type { MasterKey } from '../codec/keyring.js'
import { SealedError } from '../errors.js'

/**
 * Master keys shared with the workers through one SharedArrayBuffer handed over in
 * `workerData`, so keys cross to a worker once and never ride along with a task. Only the main
 * thread writes; an entry is published by advancing the `used` counter last.
 *
 *   int32 [0]  bytes used (entries start at byte 8)
 *   int32 [1]  the last ring id handed out
 *   entry      ringId u32 | count u32 | count × (keyId u32 | key 32 bytes)
 */
const HEAD = 8
const KEY_BYTES = 32
export const REGISTRY_BYTES = 64 * 1024

export function createRegistry(): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(REGISTRY_BYTES)
  new Int32Array(buffer, 0, 2)[0] = HEAD
  return buffer
}

/** Writes a ring's keys and returns its id. Throws when the registry is full. */
export function registerRing(registry: SharedArrayBuffer, masters: readonly MasterKey[]): number {
  const counters = new Int32Array(registry, 0, 2)
  const view = new DataView(registry)
  const start = Atomics.load(counters, 0)
  const size = 8 + masters.length * (4 + KEY_BYTES)
  if (start + size > registry.byteLength) throw new SealedError('ERR_SEALED_POOL_FULL', 'the shared pool holds too many keys; give this store a pool of its own')
  const ringId = Atomics.add(counters, 1, 1) + 1
  view.setUint32(start, ringId)
  view.setUint32(start + 4, masters.length)
  masters.forEach((master, i) => {
    const at = start + 8 + i * (4 + KEY_BYTES)
    view.setUint32(at, master.id)
    new Uint8Array(registry, at + 4, KEY_BYTES).set(master.key)
  })
  Atomics.store(counters, 0, start + size)
  return ringId
}

function find(registry: SharedArrayBuffer, ringId: number): { at: number; count: number } | undefined {
  const view = new DataView(registry)
  const used = Atomics.load(new Int32Array(registry, 0, 2), 0)
  for (let at = HEAD; at < used; ) {
    const count = view.getUint32(at + 4)
    if (view.getUint32(at) === ringId) return { at, count }
    at += 8 + count * (4 + KEY_BYTES)
  }
  return undefined
}

/** The keys of a ring, copied out of shared memory; undefined if the ring is unknown or wiped. */
export function readRing(registry: SharedArrayBuffer, ringId: number): MasterKey[] | undefined {
  const entry = find(registry, ringId)
  if (!entry) return undefined
  const view = new DataView(registry)
  const keys: MasterKey[] = []
  for (let i = 0; i < entry.count; i++) {
    const at = entry.at + 8 + i * (4 + KEY_BYTES)
    keys.push({ id: view.getUint32(at), key: new Uint8Array(registry.slice(at + 4, at + 4 + KEY_BYTES)) })
  }
  return keys.some((k) => k.key.some((b) => b !== 0)) ? keys : undefined
}

/** Overwrites a ring's key bytes with zeros when its store closes. */
export function wipeRing(registry: SharedArrayBuffer, ringId: number): void {
  const entry = find(registry, ringId)
  if (entry) new Uint8Array(registry, entry.at + 8, entry.count * (4 + KEY_BYTES)).fill(0)
}
