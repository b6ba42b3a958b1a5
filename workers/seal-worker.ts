/**
 * The Piscina worker: pure functions over bytes, importing the same codec as the main thread so
 * both produce and accept identical records. No Redis, no express, no session objects.
 */
import { isMainThread, workerData } from 'node:worker_threads'
import { move } from 'piscina'
import { schemeById, type Scheme } from '../src/codec/format.js'
import { KeyRing } from '../src/codec/keyring.js'
import { openText, sealText, type OpenedText } from '../src/codec/text.js'
import { readRing } from '../src/dispatch/key-registry.js'
import type { Fault, SealWorkerData, Task } from '../src/dispatch/tasks.js'

const { registry } = (isMainThread ? { registry: undefined } : workerData) as Partial<SealWorkerData>
const rings = new Map<number, KeyRing>()
const faultsAllowed = process.env.CONNECT_REDIS_SEALED_TEST_FAULTS === '1'
const FAULT = /__fault_(throw|exit|hang)__/

function ringFor(id: number): KeyRing {
  let ring = rings.get(id)
  if (!ring) {
    const keys = registry && readRing(registry, id)
    if (!keys) throw new Error(`unknown key ring ${id}`)
    ring = new KeyRing(keys)
    rings.set(id, ring)
  }
  return ring
}

/** Tests poison a task by naming a fault in its Redis key, e.g. `sess:__fault_exit__1`. */
function injectFault(redisKey: string): Promise<never> | undefined {
  const fault = faultsAllowed ? (FAULT.exec(redisKey)?.[1] as Fault | undefined) : undefined
  if (fault === undefined) return undefined
  if (fault === 'exit') process.exit(1)
  if (fault === 'hang') return new Promise<never>(() => {})
  throw new Error('injected worker fault')
}

/** A Buffer that owns its whole ArrayBuffer, so transferring it moves exactly its bytes. */
function exact(bytes: Buffer): Buffer {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) return bytes
  const copy = Buffer.allocUnsafeSlow(bytes.length)
  bytes.copy(copy)
  return copy
}

export default function run(task: Task): unknown {
  const hang = injectFault(task.key)
  if (hang) return hang
  const ring = ringFor(task.ring)
  if (task.op === 'seal') {
    const scheme = schemeById(task.scheme) as Scheme
    const sealed = sealText(task.text, task.key, ring, { scheme, encoding: task.encoding, compression: task.compression }, task.times)
    return typeof sealed === 'string' ? sealed : move(exact(sealed))
  }
  const opened: OpenedText = openText(task.stored, task.key, ring, task.maxBytes)
  return opened
}
