/** The code of the process warning for repeated worker failures (`process.on('warning')`). */
export const POOL_FAILURE_WARNING = 'CONNECT_REDIS_SEALED_POOL_FAILURES'
/** Worker failures within {@link POOL_FAILURE_WINDOW_MS} that make a warning. */
export const POOL_FAILURES_TO_WARN = 10
/** The window of that rate, and the least time between two warnings of one store, ms (one minute). */
export const POOL_FAILURE_WINDOW_MS = 60_000

/** What a warning may say of an error: its name and code, never its message (it could quote a task). */
function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return typeof error
  const { name, code } = error as { name?: unknown; code?: unknown }
  return [typeof name === 'string' ? name : 'Error', typeof code === 'string' ? code : undefined].filter(Boolean).join(' ')
}

/**
 * Makes repeated worker failures visible. Each failed task is redone inline, so no request
 * fails and `stats().workerFailures` is the only trace; a pool that fails every task (a crash
 * loop, a `pool.taskTimeout` too short for the work) would otherwise cost its overhead and give
 * nothing, unnoticed. Once {@link POOL_FAILURES_TO_WARN} failures fall within
 * {@link POOL_FAILURE_WINDOW_MS}, one process warning ({@link POOL_FAILURE_WARNING}) says so, at
 * most once per window.
 */
export class FailureAlarm {
  readonly #times: number[] = []
  #warnedAt = Number.NEGATIVE_INFINITY

  constructor(
    private readonly warn: (message: string, code: string) => void = (message, code) => process.emitWarning(message, { code }),
    private readonly now: () => number = () => performance.now(),
  ) {}

  failed(error: unknown): void {
    const at = this.now()
    const times = this.#times
    times.push(at)
    if (times.length > POOL_FAILURES_TO_WARN) times.shift()
    if (times.length < POOL_FAILURES_TO_WARN || at - (times[0] as number) > POOL_FAILURE_WINDOW_MS) return
    if (at - this.#warnedAt < POOL_FAILURE_WINDOW_MS) return
    this.#warnedAt = at
    this.warn(
      `connect-redis-sealed: ${POOL_FAILURES_TO_WARN} pooled tasks failed within ${Math.ceil((at - (times[0] as number)) / 1000)} s (last: ${describeError(error)}). ` +
        'Each was redone inline, so no request failed, but the pool is not helping: check pool.taskTimeout and the workers. stats().workerFailures counts them.',
      POOL_FAILURE_WARNING,
    )
  }
}
