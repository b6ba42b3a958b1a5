import { availableParallelism } from 'node:os'
import type { SealSettings } from '../codec/seal.js'
import { place, type Machine, type Placement, type Work } from './cost-model.js'
import type { OpenedText } from '../codec/text.js'
import type { DispatchStats, InlineSealer, Sealer } from './sealer.js'
import type { SealedPool } from './pool.js'
import { wipeRing } from './key-registry.js'
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
   * A user's explicit `offloadThreshold`: payloads of at least this many bytes always go to the
   * pool, smaller ones run inline. Undefined: the cost model decides per operation.
   */
  readonly threshold: number | undefined
  /** Lets one large result per event-loop turn be finished on the main thread. */
  readonly gate: TurnGate
}

const NOT_RUN = Symbol('not run')
/** How often the main thread's event-loop utilisation is resampled for the cost model, ms. */
const ELU_SAMPLE_MS = 100

/** The UTF-8 size of `text`, computed only when its length alone cannot place it against `limit`. */
function utf8Bytes(text: string, limit: number): number {
  if (text.length >= limit || text.length * 3 < limit) return text.length
  return Buffer.byteLength(text, 'utf8')
}

/**
 * Seals and opens large payloads on the pool and small ones inline. A full queue, a worker that
 * throws, dies or times out: each makes the operation run inline instead, so no request fails
 * because of the pool.
 */
export class PooledSealer implements Sealer {
  readonly #config: PooledSealerConfig
  #running = 0
  #drained: (() => void) | undefined
  readonly #counts = { pooled: 0, fallbacks: 0, workerFailures: 0 }
  readonly #cores = availableParallelism()
  #elu = performance.eventLoopUtilization()
  #eluAt = performance.now()
  #mainUtilization = 0

  constructor(config: PooledSealerConfig) {
    this.#config = config
  }

  /** The machine as the cost model sees it now; the main thread's ELU is resampled at most every 100 ms. */
  machine(): Machine {
    const now = performance.now()
    if (now - this.#eluAt >= ELU_SAMPLE_MS) {
      const elu = performance.eventLoopUtilization()
      this.#mainUtilization = performance.eventLoopUtilization(elu, this.#elu).utilization
      this.#elu = elu
      this.#eluAt = now
    }
    const { piscina, settings, slots } = this.#config.pool
    return { cores: this.#cores, workerUtilization: piscina.utilization, mainUtilization: this.#mainUtilization, queued: slots.queued, threads: settings.maxThreads }
  }

  #place(op: Work['op'], bytes: number): Placement {
    const { threshold, seal } = this.#config
    if (threshold !== undefined) return bytes >= threshold ? 'pool' : 'inline'
    // Below this nothing can pay for a round trip to a worker; skip sampling the machine.
    if (bytes < 8192) return 'inline'
    const work: Work = { op, bytes, compression: seal.compression, mac: seal.scheme.hash !== undefined, encoding: seal.encoding }
    return place(work, this.machine())
  }

  seal(text: string, redisKey: string): Buffer | string | Promise<Buffer | string> {
    const { threshold } = this.#config
    const bytes = threshold === undefined ? text.length : utf8Bytes(text, threshold)
    if (this.#place('seal', bytes) === 'inline') return this.#config.inline.seal(text, redisKey)
    return this.#sealPooled(text, redisKey)
  }

  async #sealPooled(text: string, redisKey: string): Promise<Buffer | string> {
    const { inline, ringId, seal } = this.#config
    const task: SealTask = { op: 'seal', ring: ringId, text, key: redisKey, scheme: seal.scheme.id, encoding: seal.encoding, compression: seal.compression }
    const result = await this.#run(task, [])
    if (result === NOT_RUN) return inline.seal(text, redisKey)
    if (typeof result === 'string') return result
    const bytes = result as Uint8Array
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  open(stored: Buffer, redisKey: string): OpenedText | Promise<OpenedText> {
    if (this.#place('open', stored.length) === 'inline') return this.#config.inline.open(stored, redisKey)
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
    const { piscina, settings, slots } = this.#config.pool
    const slot = slots.acquire()
    if (!slot) {
      this.#counts.fallbacks++
      return NOT_RUN
    }
    this.#running++
    try {
      await slot
      return await this.#runInSlot(piscina, settings.taskTimeout, task, transferList)
    } finally {
      if (--this.#running === 0) this.#drained?.()
    }
  }

  async #runInSlot(piscina: SealedPool['piscina'], taskTimeout: number, task: Task, transferList: ArrayBuffer[]): Promise<unknown> {
    const { slots } = this.#config.pool
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), taskTimeout)
    try {
      const result = await piscina.run(task, { transferList, signal: abort.signal })
      this.#counts.pooled++
      return result
    } catch {
      this.#counts.workerFailures++
      return NOT_RUN
    } finally {
      clearTimeout(timer)
      slots.release()
    }
  }

  stats(): DispatchStats {
    const { piscina } = this.#config.pool
    return {
      ...this.#counts,
      inline: this.#config.inline.stats().inline,
      queue: this.#config.pool.slots.queued,
      utilization: piscina.utilization,
      threads: piscina.threads.length,
    }
  }

  async close(): Promise<void> {
    if (this.#running > 0) await new Promise<void>((resolve) => (this.#drained = resolve))
    const { pool, ownsPool, ringId } = this.#config
    if (ownsPool) await pool.piscina.destroy()
    else wipeRing(pool.registry, ringId)
  }
}
