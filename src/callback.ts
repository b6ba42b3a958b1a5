/** A Node-style callback. */
export type Callback<T> = (err: unknown, value?: T) => void

const nothing = (): void => {}

/**
 * Runs `work` and reports its outcome exactly once: to `callback` when one is given (the
 * returned promise then never rejects), else through the returned promise. `after` runs once the
 * outcome is reported, in the same reaction (no promise of its own).
 */
export function settle<T>(callback: Callback<T> | undefined, work: () => Promise<T>, after: () => void = nothing): Promise<T | undefined> {
  const result = work()
  if (typeof callback !== 'function') {
    result.then(after, after)
    return result
  }
  return result.then(
    (value) => {
      call(callback, null, value)
      after()
      return value
    },
    (error: unknown) => {
      call(callback, error)
      after()
      return undefined
    },
  )
}

/** An exception thrown by the caller's callback is theirs: rethrown outside our promise, it becomes an `uncaughtException`. */
function call<T>(callback: Callback<T>, err: unknown, value?: T): void {
  try {
    callback(err, value)
  } catch (thrown) {
    process.nextTick(() => {
      throw thrown
    })
  }
}
