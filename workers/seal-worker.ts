/**
 * The Piscina worker: pure functions over bytes, importing the same codec as the main thread so
 * both produce and accept identical records. No Redis, no express, no session objects.
 */
import { isMainThread, workerData } from 'node:worker_threads'
import { move } from 'piscina'
import { schemeById, type Scheme } from '../src/codec/format.js'
import { KeyRing } from '../src/codec/keyring.js'
import { openText, sealText, type OpenedText } from '../src/codec/text.js'
import { readRing, registryVersion, ringIsLive } from '../src/dispatch/key-registry.js'
import type { SealWorkerData, Task } from '../src/dispatch/tasks.js'

const { registry } = (isMainThread ? { registry: undefined } : workerData) as Partial<SealWorkerData>
const rings = new Map<number, { ring: KeyRing; masters: Uint8Array[] }>()
let seenVersion = -1

/** Drops (and zeroes the copied keys of) every cached ring whose store has closed since the last task. */
function forgetClosed(shared: SharedArrayBuffer): void {
  const version = registryVersion(shared)
  if (version === seenVersion) return
  seenVersion = version
  for (const [id, cached] of rings) {
    if (ringIsLive(shared, id)) continue
    for (const key of cached.masters) key.fill(0)
    rings.delete(id)
  }
}

function ringFor(id: number): KeyRing {
  if (!registry) throw new Error('no key registry')
  forgetClosed(registry)
  const cached = rings.get(id)
  if (cached) return cached.ring
  const keys = readRing(registry, id)
  if (!keys) throw new Error(`unknown key ring ${id}`)
  const ring = new KeyRing(keys)
  rings.set(id, { ring, masters: keys.map((k) => k.key) })
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
