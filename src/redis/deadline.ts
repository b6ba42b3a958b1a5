import { SealedError } from '../errors.js'
import type { RedisAdapter } from './client.js'

interface Pending {
  readonly at: number
  readonly what: string
  reject: ((error: Error) => void) | undefined
}

/**
 * Bounds commands by one shared timer instead of a `setTimeout` and a `Promise.race` each. All
 * commands of a sweep share one `ms`, so they expire in the order they started: a FIFO queue
 * whose head is the next to expire. The timer is armed for the oldest unfinished command only,
 * and finished commands are dropped from the head as new ones arrive, so the queue holds about
 * as many entries as there are commands in flight.
 */
export class DeadlineSweep {
  readonly #ms: number
  #queue: Pending[] = []
  #head = 0
  #timer: NodeJS.Timeout | undefined
  #live = 0

  constructor(ms: number) {
    // Node fires a longer timer after 1 ms; the options are capped, a sum of them is capped here.
    this.#ms = Math.min(ms, 2 ** 31 - 1)
  }

  /** Commands started and not yet settled or expired (for tests). */
  get pending(): number {
    return this.#live
  }

  /** Whether the shared timer is armed (for tests: it must not outlive the last command). */
  get armed(): boolean {
    return this.#timer !== undefined
  }

  /**
   * Settles like `work`, or rejects with ERR_SEALED_TIMEOUT once `ms` have passed. The command
   * itself is not cancelled: a command stuck in a client's offline queue while Redis is down
   * would otherwise hold the request forever; its late outcome is ignored.
   */
  bound<T>(work: Promise<T>, what: string): Promise<T> {
    this.#dropSettled()
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { at: performance.now() + this.#ms, what, reject }
      this.#queue.push(entry)
      this.#live++
      this.#timer ??= setTimeout(this.#sweep, this.#ms)
      work.then(
        (value) => {
          if (entry.reject) this.#settled(entry)
          resolve(value)
        },
        (error: unknown) => {
          if (entry.reject) this.#settled(entry)
          reject(error)
        },
      )
    })
  }

  /** Marks a command done; the last one out disarms the timer, so an idle process can exit. */
  #settled(entry: Pending): void {
    entry.reject = undefined
    if (--this.#live > 0) return
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#queue.length = 0
    this.#head = 0
  }

  #dropSettled(): void {
    const queue = this.#queue
    while (this.#head < queue.length && (queue[this.#head] as Pending).reject === undefined) this.#head++
    if (this.#head === queue.length) {
      queue.length = 0
      this.#head = 0
    } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head)
      this.#head = 0
    }
  }

  readonly #sweep = (): void => {
    this.#timer = undefined
    const now = performance.now()
    for (;;) {
      this.#dropSettled()
      const first = this.#queue[this.#head]
      if (first === undefined) return
      if (first.at > now) {
        // At least 1 ms: timers may fire a little early, and this must not spin.
        this.#timer = setTimeout(this.#sweep, Math.max(1, Math.ceil(first.at - now)))
        return
      }
      const reject = first.reject as (error: Error) => void
      this.#settled(first)
      reject(new SealedError('ERR_SEALED_TIMEOUT', `Redis did not answer ${first.what} within ${this.#ms} ms`))
    }
  }
}

/** The same adapter with every command bounded by `ms` milliseconds, all through one {@link DeadlineSweep}. */
export function withDeadline(redis: RedisAdapter, ms: number): RedisAdapter {
  const sweep = new DeadlineSweep(ms)
  return {
    cluster: redis.cluster,
    get: (key) => sweep.bound(redis.get(key), 'GET'),
    mget: (keys) => sweep.bound(redis.mget(keys), 'MGET'),
    set: (key, value, ttl) => sweep.bound(redis.set(key, value, ttl), 'SET'),
    expire: (key, ttl) => sweep.bound(redis.expire(key, ttl), 'EXPIRE'),
    del: (keys) => sweep.bound(redis.del(keys), 'DEL'),
    eval: (script, keys, args) => sweep.bound(redis.eval(script, keys, args), 'EVAL'),
    async *scan(match, count) {
      const batches = redis.scan(match, count)[Symbol.asyncIterator]()
      for (;;) {
        const next = await sweep.bound(batches.next(), 'SCAN')
        if (next.done) return
        yield next.value
      }
    },
  }
}
