import { availableParallelism } from 'node:os'
import type { SealSettings, SealTimes } from '../codec/seal.js'
import type { OpenedText } from '../codec/text.js'
import { place, type Machine, type Placement, type Work } from './cost-model.js'
import { FailureAlarm } from './failure-alarm.js'
import type { DispatchStats, InlineSealer, Sealer } from './sealer.js'
import { poolParts, type PoolParts, type SealedPool } from './sealed-pool.js'
import { wipeRing } from './key-registry.js'
import { plaintextBytesOf } from './plaintext-size.js'
import type { OpenTask, SealTask, Task } from './tasks.js'
import type { TurnGate } from './turn-gate.js'

export interface PooledSealerConfig {
  readonly inline: InlineSealer
  readonly pool: SealedPool
  /** Whether this sealer destroys the pool on close (false for a shared pool). */
  readonly ownsPool: boolean
  readonly ringId: number
  readonly seal: SealSettings
  readonly maxBytes: number
  /**
   * A user's explicit `offloadThreshold`: payloads of at least this many plaintext bytes always go
   * to the pool (see plaintextBytesOf for a stored record), smaller ones run inline. Undefined: the
   * cost model decides per operation.
   */
  readonly offloadThreshold: number | undefined
  /** Lets one large result per event-loop turn be finished on the main thread. */
  readonly gate: TurnGate
}

const NOT_RUN = Symbol('not run')
/** How often the main thread's event-loop utilisation and the pool's are resampled for the cost model, ms. */
const ELU_SAMPLE_MS = 100
/** Below this many bytes nothing can pay for a round trip to a worker; the machine is not sampled. */
const NEVER_POOLED_BYTES = 8192

/** The UTF-8 size of `text`, computed only when its length alone cannot place it against `limit`. */
function utf8Bytes(text: string, limit: number): number {
  if (text.length >= limit || text.length * 3 < limit) return text.length
  return Buffer.byteLength(text, 'utf8')
}

/**
 * Seals and opens on the pool what the cost model (or an explicit `offloadThreshold`) places
 * there, the rest inline. A full queue, a worker that throws, dies or times out: each makes the
 * operation run inline instead, so no request fails because of the pool; repeated worker
 * failures raise a process warning (see failure-alarm.ts).
 */
export class PooledSealer implements Sealer {
  readonly #config: PooledSealerConfig
  readonly #parts: PoolParts
  #running = 0
  #drained: (() => void) | undefined
  readonly #counts = { pooled: 0, fallbacks: 0, workerFailures: 0 }
  readonly #alarm = new FailureAlarm()
  readonly #cores = availableParallelism()
  #elu = performance.eventLoopUtilization()
  #eluAt = performance.now()
  #mainUtilization = 0
  /** Piscina's `utilization` getter costs about 0.2 ms (it walks every task's run time): sampled, never read per operation. */
  #workerUtilization = 0

  constructor(config: PooledSealerConfig) {
    this.#config = config
    this.#parts = poolParts(config.pool)
  }

  /** The machine as the cost model sees it now; the main thread's ELU and the pool's utilisation are resampled at most every 100 ms. */
  machine(): Machine {
    const now = performance.now()
    const { piscina, settings, slots } = this.#parts
    if (now - this.#eluAt >= ELU_SAMPLE_MS) {
      const elu = performance.eventLoopUtilization()
      this.#mainUtilization = performance.eventLoopUtilization(elu, this.#elu).utilization
      this.#workerUtilization = piscina.utilization
      this.#elu = elu
      this.#eluAt = now
    }
    return { cores: this.#cores, workerUtilization: this.#workerUtilization, mainUtilization: this.#mainUtilization, queued: slots.queued, threads: settings.maxThreads }
  }

  #place(op: Work['op'], bytes: number, plaintextBytes: () => number): Placement {
    const { offloadThreshold, seal } = this.#config
    if (offloadThreshold !== undefined) return plaintextBytes() >= offloadThreshold ? 'pool' : 'inline'
    if (bytes < NEVER_POOLED_BYTES) return 'inline'
    const work: Work = { op, bytes, compression: seal.compression, mac: seal.scheme.hash !== undefined, encoding: seal.encoding }
    return place(work, this.machine())
  }

  seal(text: string, redisKey: string, times?: SealTimes): Buffer | string | Promise<Buffer | string> {
    const threshold = this.#config.offloadThreshold
    const placement = this.#place('seal', text.length, () => utf8Bytes(text, threshold ?? 0))
    if (placement === 'inline') return this.#config.inline.seal(text, redisKey, times)
    return this.#sealPooled(text, redisKey, times)
  }

  async #sealPooled(text: string, redisKey: string, times: SealTimes | undefined): Promise<Buffer | string> {
    const { inline, ringId, seal } = this.#config
    const task: SealTask = { op: 'seal', ring: ringId, text, key: redisKey, scheme: seal.scheme.id, encoding: seal.encoding, compression: seal.compression, times }
    const result = await this.#run(task, [])
    if (result === NOT_RUN) return inline.seal(text, redisKey, times)
    if (typeof result === 'string') return result
    const bytes = result as Uint8Array
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  open(stored: Buffer, redisKey: string): OpenedText | Promise<OpenedText> {
    if (this.#place('open', stored.length, () => plaintextBytesOf(stored)) === 'inline') return this.#config.inline.open(stored, redisKey)
    return this.#openPooled(stored, redisKey)
  }

  async #openPooled(stored: Buffer, redisKey: string): Promise<OpenedText> {
    const { inline, ringId, maxBytes } = this.#config
    // Redis replies are views into a larger socket buffer; transferring one would move (or clone) all of it.
    const own = new Uint8Array(stored.length)
    own.set(stored)
    const task: OpenTask = { op: 'open', ring: ringId, stored: own, key: redisKey, maxBytes }
    const result = await this.#run(task, [own.buffer])
    if (result === NOT_RUN) return inline.open(stored, redisKey)
    await this.#config.gate.enter()
    return result as OpenedText
  }

  async #run(task: Task, transferList: ArrayBuffer[]): Promise<unknown> {
    const { slots } = this.#parts
    const slot = slots.acquire()
    if (!slot) {
      this.#counts.fallbacks++
      return NOT_RUN
    }
    this.#running++
    try {
      await slot
      return await this.#runInSlot(task, transferList)
    } finally {
      if (--this.#running === 0) this.#drained?.()
    }
  }

  async #runInSlot(task: Task, transferList: ArrayBuffer[]): Promise<unknown> {
    const { piscina, settings, slots } = this.#parts
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), settings.taskTimeout)
    try {
      const result = await piscina.run(task, { transferList, signal: abort.signal })
      this.#counts.pooled++
      return result
    } catch (error) {
      this.#counts.workerFailures++
      this.#alarm.failed(error)
      return NOT_RUN
    } finally {
      clearTimeout(timer)
      slots.release()
    }
  }

  stats(): DispatchStats {
    const { piscina, slots } = this.#parts
    return {
      ...this.#counts,
      inline: this.#config.inline.stats().inline,
      queue: slots.queued,
      utilization: piscina.utilization,
      threads: piscina.threads.length,
    }
  }

  async close(): Promise<void> {
    if (this.#running > 0) await new Promise<void>((resolve) => (this.#drained = resolve))
    const { pool, ownsPool, ringId } = this.#config
    wipeRing(this.#parts.registry, ringId)
    if (ownsPool) await pool.destroy()
  }
}
