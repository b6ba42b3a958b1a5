/**
 * Bounds the PBKDF2 work that connect-redis-crypto records cost. Each record carries its own salt,
 * so anyone who can write to Redis can make every read derive a fresh key (about 13 ms of CPU):
 * at most `perSecond` derivations start per second (a token bucket holding one second's worth),
 * at most `concurrency` run at once (libuv's thread pool also serves fs and dns), and at most
 * `perSecond` wait in line; a read beyond that is refused rather than queued without bound.
 */
export const REFUSED: unique symbol = Symbol('refused')

export interface DerivationBound {
  /** Derivations started per second at most; `Infinity` for no rate bound. */
  readonly perSecond: number
  /** Derivations running at once at most. */
  readonly concurrency: number
}

export class DerivationLimiter {
  readonly #bound: DerivationBound
  #tokens: number
  #refilledAt = performance.now()
  #running = 0
  readonly #waiting: (() => void)[] = []
  #timer: NodeJS.Timeout | undefined
  /** Derivations started so far. */
  started = 0

  constructor(bound: DerivationBound) {
    this.#bound = bound
    this.#tokens = bound.perSecond
  }

  /** Runs `work` within the bound, or resolves with {@link REFUSED} when the line is full. */
  async run<T>(work: () => Promise<T>): Promise<T | typeof REFUSED> {
    if (this.#waiting.length > 0 || !this.#take()) {
      if (this.#waiting.length >= this.#bound.perSecond) return REFUSED
      await new Promise<void>((resolve) => {
        this.#waiting.push(resolve)
        this.#schedule()
      })
    }
    try {
      return await work()
    } finally {
      this.#running--
      this.#drain()
    }
  }

  #take(): boolean {
    const { perSecond, concurrency } = this.#bound
    if (perSecond !== Infinity) {
      const now = performance.now()
      this.#tokens = Math.min(perSecond, this.#tokens + ((now - this.#refilledAt) * perSecond) / 1000)
      this.#refilledAt = now
    }
    if (this.#running >= concurrency || this.#tokens < 1) return false
    this.#tokens--
    this.#running++
    this.started++
    return true
  }

  #drain(): void {
    while (this.#waiting.length > 0 && this.#take()) this.#waiting.shift()?.()
    this.#schedule()
  }

  /** Wakes the line when the next token is due (a finishing derivation wakes it otherwise). */
  #schedule(): void {
    if (this.#timer || this.#waiting.length === 0 || this.#running >= this.#bound.concurrency) return
    const dueMs = Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / this.#bound.perSecond))
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#drain()
    }, dueMs)
  }
}
