/**
 * A FIFO admission queue in front of Piscina. Tasks are handed to Piscina only when a worker is
 * free, so its own queue stays empty: Piscina 5 re-queues a task at the tail when its worker is
 * busy and orders tasks that carry an AbortSignal apart from the rest, which starved some
 * operations for seconds under load. Waiting is bounded by `maxQueue`.
 */
export class TaskSlots {
  #running = 0
  readonly #waiting: (() => void)[] = []

  constructor(
    readonly capacity: number,
    readonly maxQueue: number,
  ) {}

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.#waiting.length
  }

  /** A promise that resolves once a slot is held, or undefined when the queue is full. */
  acquire(): Promise<void> | undefined {
    if (this.#running < this.capacity) {
      this.#running++
      return Promise.resolve()
    }
    if (this.#waiting.length >= this.maxQueue) return undefined
    return new Promise((resolve) => this.#waiting.push(resolve))
  }

  /** Frees a slot, handing it straight to the oldest waiter. */
  release(): void {
    const next = this.#waiting.shift()
    if (next) next()
    else this.#running--
  }
}
