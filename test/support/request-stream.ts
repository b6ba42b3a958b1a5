/**
 * A steady stream of store requests that records how each one ended and how long it took, for
 * the failover tests. A request that outlives `hangAfterMs` is counted as hung (and the stream
 * moves on) rather than stalling the test.
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { RedisStore } from '../../src/store.js'
import { sessionWith } from './sessions.js'

export interface StreamReport {
  readonly requests: number
  readonly errors: number
  readonly hung: number
  readonly maxLatencyMs: number
  /** Sessions whose `set` resolved: the value written and when it was acknowledged (`performance.now()`). */
  readonly acknowledged: ReadonlyMap<string, { readonly n: number; readonly at: number }>
  /** Successes in a row at the end of the stream. */
  readonly trailingSuccesses: number
  readonly firstErrors: readonly string[]
}

export interface RequestStream {
  /** Keeps going until `trailingSuccesses` requests in a row have succeeded (or `timeoutMs` passes), then stops. */
  finish(trailingSuccesses: number, timeoutMs: number): Promise<StreamReport>
}

/**
 * Runs `loops` concurrent request loops: each writes a fresh session, reads it back and reads one
 * of `readable` (sessions written before), pausing `paceMs` between requests.
 */
export function startRequestStream(store: RedisStore, readable: readonly string[], tag: string, loops = 3, paceMs = 4, hangAfterMs = 15_000): RequestStream {
  const acknowledged = new Map<string, { n: number; at: number }>()
  const firstErrors: string[] = []
  let requests = 0
  let errors = 0
  let hung = 0
  let maxLatencyMs = 0
  let inARow = 0
  let stopping = false
  let wanted = Number.POSITIVE_INFINITY
  let reachedWanted: () => void = () => {}
  const enough = new Promise<void>((resolve) => (reachedWanted = resolve))

  async function timed(request: () => Promise<unknown>): Promise<boolean> {
    const started = performance.now()
    let timer: NodeJS.Timeout | undefined
    const watchdog = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), hangAfterMs)))
    let ok = false
    try {
      const outcome = await Promise.race([request().then(() => 'ok' as const), watchdog])
      if (outcome === 'hung') hung++
      ok = outcome === 'ok'
    } catch (error) {
      errors++
      if (firstErrors.length < 5) firstErrors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error))
    } finally {
      clearTimeout(timer)
    }
    requests++
    maxLatencyMs = Math.max(maxLatencyMs, performance.now() - started)
    inARow = ok ? inARow + 1 : 0
    if (inARow >= wanted) reachedWanted()
    return ok
  }

  async function loop(loopId: number): Promise<void> {
    for (let i = 0; !stopping; i++) {
      const sid = `${tag}-${loopId}-${i}`
      if (await timed(() => store.set(sid, sessionWith({ n: i })))) acknowledged.set(sid, { n: i, at: performance.now() })
      await timed(async () => {
        const got = (await store.get(sid)) as { n?: number } | null
        if (acknowledged.has(sid) && got?.n !== i) throw new Error(`read ${sid} back as ${JSON.stringify(got)}`)
      })
      await timed(() => store.get(readable[(loopId * 7919 + i) % readable.length] as string))
      await delay(paceMs)
    }
  }
  const running = Array.from({ length: loops }, (_, id) => loop(id))

  return {
    async finish(trailingSuccesses, timeoutMs) {
      wanted = trailingSuccesses
      if (inARow >= wanted) reachedWanted()
      let timer: NodeJS.Timeout | undefined
      await Promise.race([enough, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))])
      clearTimeout(timer)
      stopping = true
      await Promise.all(running)
      return { requests, errors, hung, maxLatencyMs, acknowledged, trailingSuccesses: inARow, firstErrors }
    },
  }
}
