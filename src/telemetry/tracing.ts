import diagnostics_channel, { type TracingChannel } from 'node:diagnostics_channel'

/** The store operations published on `node:diagnostics_channel` tracing channels. */
export type TracedOperation = 'get' | 'set' | 'destroy'

/**
 * What subscribers of `connect-redis-sealed:<operation>` receive. Never the session, its
 * record or any key: `result` is always `undefined`; `error` is set when the operation fails.
 */
export interface StoreTraceContext {
  readonly operation: TracedOperation
  /** The session id. It is the session's bearer credential: keep it out of shared traces. */
  readonly sid: string
  result?: undefined
  error?: unknown
}

type Channel = TracingChannel<unknown, StoreTraceContext>

const channels: Record<TracedOperation, Channel> = {
  get: diagnostics_channel.tracingChannel('connect-redis-sealed:get'),
  set: diagnostics_channel.tracingChannel('connect-redis-sealed:set'),
  destroy: diagnostics_channel.tracingChannel('connect-redis-sealed:destroy'),
}

let contextsMade = 0

/** How many trace contexts were made in this process (tests check that none are made unobserved). */
export function traceContextsMade(): number {
  return contextsMade
}

// TracingChannel#hasSubscribers arrived in Node 20.13; this works on every Node 20.
function observed(channel: Channel): boolean {
  return channel.start.hasSubscribers || channel.end.hasSubscribers || channel.asyncStart.hasSubscribers || channel.asyncEnd.hasSubscribers || channel.error.hasSubscribers
}

/**
 * `work` itself when nobody listens (nothing is allocated), else `work` wrapped in the
 * operation's tracing channel: start/end around the call, asyncStart/asyncEnd when it settles,
 * error on rejection.
 */
export function traced<T>(operation: TracedOperation | undefined, sid: string | undefined, work: () => Promise<T>): () => Promise<T> {
  if (operation === undefined) return work
  const channel = channels[operation]
  if (!observed(channel)) return work
  return () => {
    contextsMade++
    const context: StoreTraceContext = { operation, sid: String(sid) }
    let value: T
    // The channel sees a promise of undefined, so `context.result` never holds a session.
    const hidden = async (): Promise<void> => {
      value = await work()
    }
    return channel.tracePromise(hidden, context).then(() => value)
  }
}
