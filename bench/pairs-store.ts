/**
 * Store level for the paired bench: get + set of a 1 KB session from `inFlight` loops against
 * one Redis, in this process, for ours (defaults) and connect-redis 9, each on its own client.
 */
import type { SessionData, Store } from 'express-session'
import type { RedisStoreOptions } from '../src/index.js'
import { openStore, storeGet, storeSet, type OpenedStore, type StoreContender } from './contenders.js'
import { startCostMeter } from './measure.js'
import { makeSession } from './session-data.js'

export interface StoreRun {
  opsPerSec: number
  /** Main-thread µs per get + set (schedstat on-CPU time where available). */
  mainUsPerOp: number
  errors: number
}

export interface StoreSubject {
  run(ms: number): Promise<StoreRun>
  close(): Promise<void>
}

export async function storeSubject(name: StoreContender, url: string, secret: string, size: number, inFlight: number, extra?: { label: string; options: Partial<RedisStoreOptions> }): Promise<StoreSubject> {
  const opened: OpenedStore = await openStore(name, url, secret, `pairs-${extra?.label ?? name}:`, extra?.options)
  const store: Store = opened.store
  const session = makeSession(size) as unknown as SessionData
  for (let slot = 0; slot < inFlight; slot++) await storeSet(store, `s${slot}`, session)
  const drive = async (ms: number): Promise<{ ops: number; errors: number }> => {
    let ops = 0
    let errors = 0
    const end = performance.now() + ms
    await Promise.all(
      Array.from({ length: inFlight }, async (_, slot) => {
        while (performance.now() < end) {
          try {
            const s = (await storeGet(store, `s${slot}`)) as (SessionData & { views: number }) | null | undefined
            if (!s) throw new Error('session missing')
            s.views++
            await storeSet(store, `s${slot}`, s)
            ops++
          } catch {
            errors++
          }
        }
      }),
    )
    return { ops, errors }
  }
  return {
    async run(ms) {
      await drive(Math.min(300, ms / 4))
      const meter = startCostMeter()
      const { ops, errors } = await drive(ms)
      const cost = meter.stop()
      return { opsPerSec: ops / (cost.wallMs / 1000), mainUsPerOp: (cost.mainMs * 1000) / Math.max(1, ops), errors }
    },
    close: () => opened.close(),
  }
}
