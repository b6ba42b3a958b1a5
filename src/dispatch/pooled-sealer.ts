import type { SealSettings, SealTimes } from '../codec/seal.js'
import type { OpenedText } from '../codec/text.js'
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
  /** Payloads of fewer plaintext bytes run inline (see plaintextBytesOf for a stored record). */
  readonly offloadThreshold: number
  /** Lets one large result per event-loop turn be finished on the main thread. */
  readonly gate: TurnGate
}

const NOT_RUN = Symbol('not run')

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
  readonly #parts: PoolParts
  readonly #inflight = new Set<Promise<unknown>>()
  readonly #counts = { pooled: 0, fallbacks: 0, workerFailures: 0 }

  constructor(config: PooledSealerConfig) {
    this.#config = config
    this.#parts = poolParts(config.pool)
  }

  async seal(text: string, redisKey: string, times?: SealTimes): Promise<Buffer | string> {
    const { inline, ringId, seal, offloadThreshold } = this.#config
    if (utf8Bytes(text, offloadThreshold) < offloadThreshold) return inline.seal(text, redisKey, times)
    const task: SealTask = { op: 'seal', ring: ringId, text, key: redisKey, scheme: seal.scheme.id, encoding: seal.encoding, compression: seal.compression, times }
    const result = await this.#run(task, [])
    if (result === NOT_RUN) return inline.seal(text, redisKey, times)
    if (typeof result === 'string') return result
    const bytes = result as Uint8Array
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  async open(stored: Buffer, redisKey: string): Promise<OpenedText> {
    const { inline, ringId, maxBytes, offloadThreshold } = this.#config
    if (plaintextBytesOf(stored) < offloadThreshold) return inline.open(stored, redisKey)
    // Redis replies are views into a larger socket buffer; transferring one would move (or clone) all of it.
    const own = new Uint8Array(stored.length)
    own.set(stored)
    const task: OpenTask = { op: 'open', ring: ringId, stored: own, key: redisKey, maxBytes }
    const result = await this.#run(task, [own.buffer])
    if (result === NOT_RUN) return inline.open(stored, redisKey)
    await this.#config.gate.enter()
    return result as OpenedText
  }

  #run(task: Task, transferList: ArrayBuffer[]): Promise<unknown> {
    const running = this.#runWhenFree(task, transferList)
    this.#inflight.add(running)
    return running.finally(() => this.#inflight.delete(running))
  }

  async #runWhenFree(task: Task, transferList: ArrayBuffer[]): Promise<unknown> {
    const { piscina, settings, slots } = this.#parts
    const slot = slots.acquire()
    if (!slot) {
      this.#counts.fallbacks++
      return NOT_RUN
    }
    await slot
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), settings.taskTimeout)
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
    await Promise.allSettled([...this.#inflight])
    const { pool, ownsPool, ringId } = this.#config
    wipeRing(this.#parts.registry, ringId)
    if (ownsPool) await pool.destroy()
  }
}
