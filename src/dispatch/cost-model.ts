import type { CompressionSettings, Encoding } from '../codec/seal.js'

/**
 * Where one seal or open runs. The default dispatcher estimates, from what the operation would
 * do, how much main-thread time the pool takes away and how much CPU it adds in all, then weighs
 * that against the machine as it runs. No fixed byte threshold: AES-GCM and UTF-8 work cost the
 * main thread about as much as the structured clone that sending them to a worker costs, so only
 * compression (and, with a spare core, the HMAC modes and very large payloads) is worth a worker.
 */
export type Placement = 'inline' | 'pool'

/** What an operation would do. */
export interface Work {
  readonly op: 'seal' | 'open'
  /** Plaintext bytes for a seal; stored bytes for an open. */
  readonly bytes: number
  /** The compression applied (seal) or to undo (open), if any. */
  readonly compression: Pick<CompressionSettings, 'algorithm' | 'level'> | undefined
  /** `true` for AES-CBC/CTR + HMAC (encrypt-then-MAC), `false` for an AEAD. */
  readonly mac: boolean
  readonly encoding: Encoding
}

/** The machine as it runs, sampled by the caller. */
export interface Machine {
  /** `os.availableParallelism()`. */
  readonly cores: number
  /** The pool's busy share, 0-1 (Piscina's `utilization`). */
  readonly workerUtilization: number
  /** The main thread's event-loop utilisation over the last sample, 0-1. */
  readonly mainUtilization: number
  /** Tasks waiting for a worker and the number of workers. */
  readonly queued: number
  readonly threads: number
}

/** Nanoseconds per byte of main-thread (or worker) work, measured on x86-64 with AES-NI, Node 20-24. */
const NS_PER_BYTE = {
  /** UTF-8 encode (seal) or decode (open) of session JSON with some non-ASCII text. */
  utf8: 1.5,
  aead: 0.6,
  mac: 3,
  /** base64/hex encode or decode. */
  text: 1.5,
  /** Structured clone of the text to (seal) or from (open) a worker, on the main thread. */
  clone: 1.2,
  gunzip: 3,
  unbrotli: 3,
} as const
/** Compression, by level, ns per plaintext byte. */
const GZIP_NS = [0, 8, 9, 10, 12, 14, 18, 24, 35, 45]
const BROTLI_NS = [3, 4, 6, 8, 11, 14, 20, 35, 50, 70, 200, 800]
/** A stored record inflates to about this many times its size when it was compressed. */
const INFLATION = 4
/** Main-thread µs of posting a task and taking its result back (Piscina, promises, gate). */
const TASK_US = 45
/** The least main-thread µs a pooled operation must save: with a spare core, and without one. */
const MIN_SAVED_US = 100
/**
 * Without a spare core a worker competes with the main thread, Redis and the clients for the
 * same CPU. In the paired HTTP run (2 cores) gzip seals of 64 KB sessions sent to the pool made
 * requests cost the main thread 1.1-1.3x more, not less; 256 KB and larger ones saved it time.
 * The estimate for a 64 KB gzip seal is about 1.2 ms saved, for 256 KB about 5 ms.
 */
const MIN_SAVED_US_NO_SPARE_CORE = 2000

export interface Estimate {
  /** Main-thread µs if run inline. */
  readonly inlineUs: number
  /** Main-thread µs if pooled (posting, cloning, taking the result). */
  readonly pooledMainUs: number
  /** Worker µs if pooled. */
  readonly workerUs: number
}

function compressionNs(work: Work): number {
  const c = work.compression
  if (!c) return 0
  if (work.op === 'open') return (c.algorithm === 'gzip' ? NS_PER_BYTE.gunzip : NS_PER_BYTE.unbrotli) * INFLATION
  const table = c.algorithm === 'gzip' ? GZIP_NS : BROTLI_NS
  return table[Math.min(table.length - 1, Math.max(0, c.level))] ?? 0
}

/** Main-thread and worker time of one operation, inline and pooled. */
export function estimate(work: Work): Estimate {
  const plainBytes = work.op === 'open' && work.compression ? work.bytes * INFLATION : work.bytes
  const cipherNs = work.mac ? NS_PER_BYTE.mac : NS_PER_BYTE.aead
  const encodingNs = work.encoding === 'binary' ? 0 : NS_PER_BYTE.text
  const perOpNs = plainBytes * NS_PER_BYTE.utf8 + work.bytes * (cipherNs + encodingNs) + work.bytes * compressionNs(work)
  const inlineUs = 10 + perOpNs / 1000
  const pooledMainUs = TASK_US + (plainBytes * NS_PER_BYTE.clone) / 1000
  return { inlineUs, pooledMainUs, workerUs: inlineUs + (plainBytes * NS_PER_BYTE.clone) / 1000 }
}

/** More cores than the main thread plus the workers. */
function hasSpareCore(machine: Machine): boolean {
  return machine.cores - 1 - machine.threads >= 1
}

/**
 * How many times more main-thread time the pool must take away than the CPU it adds in all.
 * With a core to spare the worker's time is free; without one it is taken from the main thread,
 * Redis and the clients, so the worker must have real work.
 */
function requiredGain(machine: Machine): number {
  if (hasSpareCore(machine)) return 0
  // A saturated main thread makes every microsecond it sheds worth more.
  return machine.mainUtilization > 0.9 ? 2 : 4
}

/**
 * The default placement of one operation. Deterministic in its inputs, so it can be tested
 * without timing. A worker already busy with a backlog gets nothing more: its queue would only
 * add latency.
 */
export function place(work: Work, machine: Machine): Placement {
  if (machine.threads < 1 && machine.cores < 2) return 'inline'
  if (machine.queued >= Math.max(1, machine.threads) || machine.workerUtilization > 0.95) return 'inline'
  const { inlineUs, pooledMainUs, workerUs } = estimate(work)
  const saved = inlineUs - pooledMainUs
  if (saved < (hasSpareCore(machine) ? MIN_SAVED_US : MIN_SAVED_US_NO_SPARE_CORE)) return 'inline'
  const added = pooledMainUs + workerUs - inlineUs
  return saved >= requiredGain(machine) * added ? 'pool' : 'inline'
}
