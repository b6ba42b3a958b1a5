/** A Node-style callback. */
export type Callback<T> = (err: unknown, value?: T) => void

/**
 * Runs `work` and reports its outcome exactly once: to `callback` when one is given (the
 * returned promise then never rejects), else through the returned promise.
 */
export function settle<T>(callback: Callback<T> | undefined, work: () => Promise<T>): Promise<T | undefined> {
  const result = work()
  if (typeof callback !== 'function') return result
  return result.then(
    (value) => {
      callback(null, value)
      return value
    },
    (error: unknown) => {
      callback(error)
      return undefined
    },
  )
}
