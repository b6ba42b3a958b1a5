/**
 * The Piscina worker: pure functions over bytes, importing the same codec as the main thread so
 * both produce and accept identical records. No Redis, no express, no session objects.
 */
import { isMainThread, workerData } from 'node:worker_threads'
import { move } from 'piscina'
import { schemeById, type Scheme } from '../src/codec/format.js'
import { KeyRing } from '../src/codec/keyring.js'
import { openText, sealText, type OpenedText } from '../src/codec/text.js'
import { onRegistryChange, readRing, registryVersion, ringIsLive } from '../src/dispatch/key-registry.js'
import type { SealWorkerData, Task } from '../src/dispatch/tasks.js'

const { registry } = (isMainThread ? { registry: undefined } : workerData) as Partial<SealWorkerData>
const rings = new Map<number, KeyRing>()
let seenVersion = -1

/**
 * Drops every cached ring whose store has closed, zeroing its copied master keys and the subkeys
 * derived from them. Runs as soon as the registry changes (a store's close wakes this thread),
 * and before each task in case a wake-up was missed.
 */
function forgetClosed(shared: SharedArrayBuffer): void {
  const version = registryVersion(shared)
  if (version === seenVersion) return
  seenVersion = version
  for (const [id, ring] of rings) {
    if (ringIsLive(shared, id)) continue
    ring.wipe()
    rings.delete(id)
  }
}

if (registry) onRegistryChange(registry, () => forgetClosed(registry))

/** The ids of the rings this worker holds keys of (for tests). */
export function heldRings(): number[] {
  return [...rings.keys()]
}

function ringFor(id: number): KeyRing {
  if (!registry) throw new Error('no key registry')
  forgetClosed(registry)
  const cached = rings.get(id)
  if (cached) return cached
  const keys = readRing(registry, id)
  if (!keys) throw new Error(`unknown key ring ${id}`)
  const ring = new KeyRing(keys)
  rings.set(id, ring)
  return ring
}

/** A Buffer that owns its whole ArrayBuffer, so transferring it moves exactly its bytes. */
function exact(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) return bytes
  const copy = Buffer.allocUnsafeSlow(bytes.length)
  bytes.copy(copy)
  return copy
}

export default function run(task: Task): unknown {
  const ring = ringFor(task.ring)
  if (task.op === 'seal') {
    const scheme = schemeById(task.scheme) as Scheme
    const sealed = sealText(task.text, task.key, ring, { scheme, encoding: task.encoding, compression: task.compression }, task.times)
    return typeof sealed === 'string' ? sealed : move(exact(sealed))
  }
  const opened: OpenedText = openText(task.stored, task.key, ring, task.maxBytes)
  return opened
}
