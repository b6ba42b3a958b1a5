import type { KeyRing } from '../codec/keyring.js'
import type { SealSettings, SealTimes } from '../codec/seal.js'
import { openText, sealText, type OpenedText } from '../codec/text.js'
import { plaintextBytesOf } from './plaintext-size.js'
import type { TurnGate } from './turn-gate.js'

/** Counters of where seal and open operations ran. */
export interface DispatchStats {
  /** Operations run on the main thread. */
  inline: number
  /** Operations run on a worker. */
  pooled: number
  /** Operations meant for the pool that ran inline because its queue was full. */
  fallbacks: number
  /** Pooled operations whose worker threw, crashed or timed out, then redone inline. */
  workerFailures: number
  /** Tasks waiting for a worker right now. */
  queue: number
  /** Share of the pool's capacity in use, 0 to 1 (0 without a pool). */
  utilization: number
  /** Worker threads alive right now. */
  threads: number
}

/** Dispatch counters, zero where not given. */
export function dispatchStats(counts: Partial<DispatchStats> = {}): DispatchStats {
  return { inline: 0, pooled: 0, fallbacks: 0, workerFailures: 0, queue: 0, utilization: 0, threads: 0, ...counts }
}

/** Runs seal and open, inline or elsewhere. Both kinds produce and accept the same bytes. */
export interface Sealer {
  /** Inline work returns its result directly; only work that waits (a worker, a turn) returns a promise. */
  seal(text: string, redisKey: string, times?: SealTimes): Buffer | string | Promise<Buffer | string>
  open(stored: Buffer, redisKey: string): OpenedText | Promise<OpenedText>
  stats(): DispatchStats
  close(): Promise<void>
}

/** Everything on the calling thread. */
export class InlineSealer implements Sealer {
  #ops = 0

  /**
   * @param gate when given, an open of at least `largeOpenBytes` of plaintext waits for a turn of its own, so several
   *   large reads finishing together do not stall the event loop for their sum.
   */
  constructor(
    private readonly ring: KeyRing,
    private readonly settings: SealSettings,
    private readonly maxBytes: number,
    private readonly gate?: TurnGate,
    private readonly largeOpenBytes = Infinity,
  ) {}

  seal(text: string, redisKey: string, times?: SealTimes): Buffer | string {
    this.#ops++
    return sealText(text, redisKey, this.ring, this.settings, times)
  }

  open(stored: Buffer, redisKey: string): OpenedText | Promise<OpenedText> {
    const turn = this.gate && plaintextBytesOf(stored) >= this.largeOpenBytes ? this.gate.enter() : undefined
    return turn ? turn.then(() => this.#open(stored, redisKey)) : this.#open(stored, redisKey)
  }

  #open(stored: Buffer, redisKey: string): OpenedText {
    this.#ops++
    return openText(stored, redisKey, this.ring, this.maxBytes)
  }

  stats(): DispatchStats {
    return dispatchStats({ inline: this.#ops })
  }

  async close(): Promise<void> {}
}
