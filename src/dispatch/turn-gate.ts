/**
 * Lets one large piece of main-thread work run per event-loop turn. Pooled results that arrive
 * together would otherwise be parsed back to back in one turn, stalling the loop for their sum.
 */
export class TurnGate {
  #busy = false
  readonly #waiting: (() => void)[] = []

  /** Resolves now if this turn has had no large work yet, else in a later turn. */
  enter(): Promise<void> | undefined {
    if (!this.#busy) {
      this.#busy = true
      setImmediate(this.#release)
      return undefined
    }
    return new Promise((resolve) => this.#waiting.push(resolve))
  }

  readonly #release = (): void => {
    const next = this.#waiting.shift()
    if (!next) {
      this.#busy = false
      return
    }
    setImmediate(this.#release)
    next()
  }
}
