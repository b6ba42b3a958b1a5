import type { MasterKey } from '../codec/keyring.js'
import { SealedError } from '../errors.js'

/**
 * Master keys shared with the workers through one SharedArrayBuffer handed over in
 * `workerData`, so keys cross to a worker once and never ride along with a task. Only the main
 * thread writes. Entries form a chain from byte 16 to `end`; a closed ring's entry is zeroed and
 * reused by a later ring (split when larger, merged with a free neighbour), so stores may open
 * and close on one pool forever. Readers use a sequence lock: the main thread makes `version`
 * odd while it writes and even after, and a reader retries when the version moved under it.
 *
 *   int32 [0]  end of the entry chain (bytes)
 *   int32 [1]  the last ring id handed out (ids are never reused)
 *   int32 [2]  version: odd while the main thread writes
 *   entry      ringId u32 (0: free) | capacity u32 | count u32 | 24 zero bytes | capacity × (keyId u32 | key 32 bytes)
 */
const HEAD = 16
const KEY_BYTES = 32
const SLOT_BYTES = 4 + KEY_BYTES
// An entry's header takes one slot's bytes, so entries split and merge in whole slots.
const ENTRY_HEAD = SLOT_BYTES
export const REGISTRY_BYTES = 64 * 1024

const END = 0
const LAST_ID = 1
const VERSION = 2

export function createRegistry(): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(REGISTRY_BYTES)
  new Int32Array(buffer, 0, 3)[END] = HEAD
  return buffer
}

const entryBytes = (capacity: number): number => ENTRY_HEAD + capacity * SLOT_BYTES

function write<T>(registry: SharedArrayBuffer, change: (view: DataView, counters: Int32Array) => T): T {
  const counters = new Int32Array(registry, 0, 3)
  Atomics.add(counters, VERSION, 1)
  try {
    return change(new DataView(registry), counters)
  } finally {
    Atomics.add(counters, VERSION, 1)
    // Wakes the workers' watchers (see onRegistryChange), so a closed ring's keys go at once.
    Atomics.notify(counters, VERSION)
  }
}

/** A free entry of at least `capacity` slots (the smallest such), splitting off what is left over. */
function takeFree(view: DataView, end: number, capacity: number): number | undefined {
  let best: number | undefined
  for (let at = HEAD; at < end; at += entryBytes(view.getUint32(at + 4))) {
    const cap = view.getUint32(at + 4)
    if (view.getUint32(at) === 0 && cap >= capacity && (best === undefined || cap < view.getUint32(best + 4))) best = at
  }
  if (best === undefined) return undefined
  const spare = view.getUint32(best + 4) - capacity
  if (spare > 0) {
    const rest = best + entryBytes(capacity)
    view.setUint32(rest, 0)
    view.setUint32(rest + 4, spare - 1)
    view.setUint32(rest + 8, 0)
    view.setUint32(best + 4, capacity)
  }
  return best
}

/** Writes a ring's keys and returns its id. Throws a SealedError when no room is left. */
export function registerRing(registry: SharedArrayBuffer, masters: readonly MasterKey[]): number {
  return write(registry, (view, counters) => {
    const end = counters[END] as number
    let at = takeFree(view, end, masters.length)
    if (at === undefined) {
      if (end + entryBytes(masters.length) > registry.byteLength) {
        throw new SealedError('ERR_SEALED_POOL_FULL', 'connect-redis-sealed: the shared pool holds too many open stores\' keys; close some or give this store a pool of its own')
      }
      at = end
      view.setUint32(at + 4, masters.length)
      counters[END] = end + entryBytes(masters.length)
    }
    view.setUint32(at + 8, masters.length)
    masters.forEach((master, i) => {
      const slot = at + ENTRY_HEAD + i * SLOT_BYTES
      view.setUint32(slot, master.id)
      new Uint8Array(registry, slot + 4, KEY_BYTES).set(master.key)
    })
    const ringId = (counters[LAST_ID] as number) + 1
    counters[LAST_ID] = ringId
    view.setUint32(at, ringId)
    return ringId
  })
}

function find(view: DataView, end: number, ringId: number): number | undefined {
  for (let at = HEAD; at + ENTRY_HEAD <= end; at += entryBytes(view.getUint32(at + 4))) {
    if (view.getUint32(at) === ringId) return at
  }
  return undefined
}

/** Runs `read` until no write overlapped it. */
function consistent<T>(registry: SharedArrayBuffer, read: (view: DataView, end: number) => T): T {
  const counters = new Int32Array(registry, 0, 3)
  for (;;) {
    const before = Atomics.load(counters, VERSION)
    if (before % 2 === 0) {
      let result: T
      try {
        result = read(new DataView(registry), Math.min(Atomics.load(counters, END), registry.byteLength))
      } catch (error) {
        // A read torn by a concurrent write can run past the buffer; only then is it retried.
        if (Atomics.load(counters, VERSION) === before) throw error
        continue
      }
      if (Atomics.load(counters, VERSION) === before) return result
    }
  }
}

/** The registry's version: it changes whenever a ring is added or wiped. */
export function registryVersion(registry: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(registry, 0, 3), VERSION)
}

/** `Atomics.waitAsync` (Node 16+; typed from lib ES2024 on, beyond this package's ES2023). */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> }
}).waitAsync

/**
 * Calls `changed` after every change to the registry (a ring added or wiped), on the calling
 * thread's event loop, without a task or a timer: `Atomics.waitAsync` on the version that every
 * write bumps and notifies. The wait holds no handle, so it never keeps a thread alive.
 */
export function onRegistryChange(registry: SharedArrayBuffer, changed: () => void): void {
  const counters = new Int32Array(registry, 0, 3)
  const wait = (): void => {
    const result = waitAsync(counters, VERSION, Atomics.load(counters, VERSION))
    if (result.async) {
      void result.value.then(() => {
        changed()
        wait()
      })
    } else {
      changed()
      queueMicrotask(wait)
    }
  }
  wait()
}

/** Whether a ring is still registered (its store has not closed). */
export function ringIsLive(registry: SharedArrayBuffer, ringId: number): boolean {
  return consistent(registry, (view, end) => find(view, end, ringId) !== undefined)
}

/** The keys of a ring, copied out of shared memory; undefined if the ring is unknown or wiped. */
export function readRing(registry: SharedArrayBuffer, ringId: number): MasterKey[] | undefined {
  return consistent(registry, (view, end) => {
    const at = find(view, end, ringId)
    if (at === undefined) return undefined
    const keys: MasterKey[] = []
    for (let i = 0; i < view.getUint32(at + 8); i++) {
      const slot = at + ENTRY_HEAD + i * SLOT_BYTES
      keys.push({ id: view.getUint32(slot), key: new Uint8Array(registry.slice(slot + 4, slot + 4 + KEY_BYTES)) })
    }
    return keys
  })
}

/** Zeroes a ring's entry when its store closes and frees it for reuse, merged with a free neighbour. */
export function wipeRing(registry: SharedArrayBuffer, ringId: number): void {
  write(registry, (view, counters) => {
    const end = counters[END] as number
    let previousFree: number | undefined
    for (let at = HEAD; at < end; at += entryBytes(view.getUint32(at + 4))) {
      const id = view.getUint32(at)
      if (id === ringId) {
        let capacity = view.getUint32(at + 4)
        const next = at + entryBytes(capacity)
        if (next < end && view.getUint32(next) === 0) capacity += 1 + view.getUint32(next + 4)
        let start = at
        if (previousFree !== undefined) {
          capacity += 1 + view.getUint32(previousFree + 4)
          start = previousFree
        }
        new Uint8Array(registry, start, entryBytes(capacity)).fill(0)
        if (start + entryBytes(capacity) >= end) counters[END] = start
        else view.setUint32(start + 4, capacity)
        return
      }
      previousFree = id === 0 ? at : undefined
    }
  })
}

/** Zeroes every entry, when the pool itself is destroyed. */
export function wipeAll(registry: SharedArrayBuffer): void {
  write(registry, (_view, counters) => {
    new Uint8Array(registry, HEAD).fill(0)
    counters[END] = HEAD
  })
}
