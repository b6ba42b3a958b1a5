/**
 * Section 2, store level: many get+set operations in flight against one Redis, every contender
 * in the same process, interleaved round by round, each run preceded by a warm-up.
 * One operation is a read-modify-write: get the session, bump a counter, set it back.
 */
import type { SessionData, Store } from 'express-session'
import { createClient } from 'redis'
import { clearBenchKeys, dispatchDelta, dispatchOf, openStore, storeGet, storeSet, STORE_CONTENDERS, type BenchSecrets, type Dispatch, type StoreContender } from './contenders.js'
import { percentiles, startCostMeter, startLoopDelay, type LoopDelay, type Percentiles } from './measure.js'
import { makeSession, sizeLabel, type BenchSession } from './session-data.js'

export type LoadContender = 'raw' | StoreContender
const OURS: readonly StoreContender[] = ['inline', 'pooled', 'auto', 'inline+gzip', 'auto+gzip']
const KB = 1024

export interface StoreLoadRow {
  size: number
  concurrency: number
  contender: LoadContender
  /** Operations completed over all rounds and the seconds they took. */
  ops: number
  seconds: number
  opsPerSec: number
  /** Latency of one get+set, ms. */
  latency: Percentiles
  /** Event-loop delay during the runs, ms (worst round for max, median round for p50/p99). */
  loopDelay: LoopDelay
  /** Share of wall time the event loop was busy (ELU). */
  utilization: number
  /** Main-thread ms per operation (see MAIN_THREAD_CLOCK). */
  mainMsPerOp: number
  /** Process CPU ms per operation, all threads. */
  cpuMsPerOp: number
  errors: number
  /** Bytes of one stored record in Redis. */
  recordBytes: number
  /** Ours only: where the seals and opens of the measured runs ran. */
  dispatch?: Dispatch
  /** Fewest and most operations one in-flight slot completed in a run (worst run): a wide gap means some requests starve. */
  slotOps: { min: number; max: number }
}

interface Scenario {
  size: number
  concurrency: number
  contenders: readonly LoadContender[]
}

interface RunFigures {
  ops: number
  errors: number
  seconds: number
  latencies: number[]
  loopDelay: LoopDelay
  utilization: number
  mainMs: number
  cpuMs: number
  dispatch?: Dispatch
  slotOps: { min: number; max: number }
}

type Operation = (slot: number) => Promise<void>

/** Runs `op` from `concurrency` loops until `ms` have passed, then lets the operations in flight finish. */
async function drive(op: Operation, concurrency: number, ms: number, measure: boolean): Promise<RunFigures> {
  const latencies: number[] = []
  const perSlot = new Array<number>(concurrency).fill(0)
  let errors = 0
  const delay = measure ? startLoopDelay() : undefined
  const meter = startCostMeter()
  const deadline = performance.now() + ms
  await Promise.all(
    Array.from({ length: concurrency }, async (_, slot) => {
      while (performance.now() < deadline) {
        const t0 = performance.now()
        try {
          await op(slot)
          latencies.push(performance.now() - t0)
          perSlot[slot] = (perSlot[slot] ?? 0) + 1
        } catch {
          errors++
        }
      }
    }),
  )
  const cost = meter.stop()
  const loopDelay = delay ? delay.stop() : { p50: 0, p99: 0, max: 0, samples: 0 }
  return {
    ops: latencies.length,
    errors,
    seconds: cost.wallMs / 1000,
    latencies,
    loopDelay,
    utilization: cost.utilization,
    mainMs: cost.mainMs,
    cpuMs: cost.cpuMs,
    slotOps: { min: Math.min(...perSlot), max: Math.max(...perSlot) },
  }
}

interface Subject {
  op: Operation
  dispatch(): Dispatch | undefined
  close(): Promise<void>
  seed(session: BenchSession, slots: number): Promise<void>
  key(slot: number): string
}

const sid = (slot: number) => `load-${slot}`

async function rawSubject(url: string, bytes: () => Buffer): Promise<Subject> {
  const client = createClient({ url })
  client.on('error', () => {})
  await client.connect()
  const buffers = client.withTypeMapping({ 36: Buffer })
  const key = (slot: number) => `raw:${sid(slot)}`
  return {
    key,
    dispatch: () => undefined,
    async op(slot) {
      await buffers.get(key(slot))
      await client.set(key(slot), bytes(), { expiration: { type: 'EX', value: 86_400 } })
    },
    async seed(_session, slots) {
      for (let slot = 0; slot < slots; slot++) await client.set(key(slot), bytes(), { expiration: { type: 'EX', value: 86_400 } })
    },
    close: async () => void (await client.close()),
  }
}

async function storeSubject(name: StoreContender, url: string, secrets: BenchSecrets): Promise<Subject> {
  const opened = await openStore(name, url, secrets)
  const store: Store = opened.store
  return {
    key: (slot) => `${name}:${sid(slot)}`,
    dispatch: () => dispatchOf(store),
    async op(slot) {
      const session = (await storeGet(store, sid(slot))) as (SessionData & { views: number }) | null | undefined
      if (!session) throw new Error('session missing')
      session.views++
      await storeSet(store, sid(slot), session)
    },
    async seed(session, slots) {
      for (let slot = 0; slot < slots; slot++) await storeSet(store, sid(slot), session as unknown as SessionData)
    },
    close: () => opened.close(),
  }
}

export interface StoreLoadSettings {
  quick: boolean
  rounds: number
  warmupMs: number
  runMs: number
}

/**
 * A quick run (a smoke test under a minute) runs 1 KB with 64 in flight and 256 KB with 16 in
 * flight (the goals cover 16-64), and connect-redis-crypto at 1 KB only.
 */
function scenarios(quick: boolean): Scenario[] {
  const all: LoadContender[] = ['raw', ...STORE_CONTENDERS]
  if (quick) {
    return [
      { size: KB, concurrency: 64, contenders: all },
      { size: 256 * KB, concurrency: 16, contenders: all.filter((c) => c !== 'connect-redis-crypto') },
    ]
  }
  const list: Scenario[] = [KB, 32 * KB, 256 * KB, 1024 * KB].map((size) => ({ size, concurrency: 64, contenders: all }))
  list.push({ size: 256 * KB, concurrency: 16, contenders: OURS }, { size: 1024 * KB, concurrency: 16, contenders: OURS })
  return list
}

export async function runStoreLoad(url: string, secrets: BenchSecrets, settings: StoreLoadSettings, log: (line: string) => void): Promise<StoreLoadRow[]> {
  const admin = createClient({ url })
  admin.on('error', () => {})
  await admin.connect()
  let currentBytes = Buffer.alloc(0)
  const subjects = new Map<LoadContender, Subject>()
  const rows: StoreLoadRow[] = []
  try {
    subjects.set('raw', await rawSubject(url, () => currentBytes))
    for (const name of STORE_CONTENDERS) subjects.set(name, await storeSubject(name, url, secrets))
    for (const scenario of scenarios(settings.quick)) {
      const { size, concurrency, contenders } = scenario
      log(`store: ${sizeLabel(size)}, ${concurrency} in flight`)
      const session = makeSession(size)
      currentBytes = Buffer.from(JSON.stringify(session))
      const recordBytes = new Map<LoadContender, number>()
      for (const name of contenders) {
        const subject = subjects.get(name) as Subject
        await subject.seed(session, concurrency)
        recordBytes.set(name, await admin.strLen(subject.key(0)))
      }
      const runs = new Map<LoadContender, RunFigures[]>(contenders.map((c) => [c, []]))
      for (let round = 0; round < settings.rounds; round++) {
        const shift = round % contenders.length
        for (const name of [...contenders.slice(shift), ...contenders.slice(0, shift)]) {
          const subject = subjects.get(name) as Subject
          await drive(subject.op, Math.min(concurrency, 8), settings.warmupMs, false)
          const before = subject.dispatch()
          const figures = await drive(subject.op, concurrency, settings.runMs, true)
          runs.get(name)?.push({ ...figures, dispatch: dispatchDelta(subject.dispatch(), before) })
        }
      }
      for (const name of contenders) rows.push(summarize(scenario, name, runs.get(name) ?? [], recordBytes.get(name) ?? 0))
      await clearBenchKeys(admin)
    }
    return rows
  } finally {
    await Promise.all([...subjects.values()].map((s) => s.close()))
    await admin.close()
  }
}

function medianBy(runs: RunFigures[], pick: (r: RunFigures) => number): number {
  return percentiles(runs.map(pick)).p50
}

function summarize(scenario: Scenario, contender: LoadContender, runs: RunFigures[], recordBytes: number): StoreLoadRow {
  const ops = runs.reduce((s, r) => s + r.ops, 0)
  const seconds = runs.reduce((s, r) => s + r.seconds, 0)
  const mainMs = runs.reduce((s, r) => s + r.mainMs, 0)
  const cpuMs = runs.reduce((s, r) => s + r.cpuMs, 0)
  return {
    size: scenario.size,
    concurrency: scenario.concurrency,
    contender,
    ops,
    seconds,
    opsPerSec: ops / seconds,
    latency: percentiles(runs.flatMap((r) => r.latencies)),
    loopDelay: {
      p50: medianBy(runs, (r) => r.loopDelay.p50),
      p99: medianBy(runs, (r) => r.loopDelay.p99),
      max: Math.max(...runs.map((r) => r.loopDelay.max)),
      samples: runs.reduce((s, r) => s + r.loopDelay.samples, 0),
    },
    utilization: medianBy(runs, (r) => r.utilization),
    mainMsPerOp: mainMs / Math.max(1, ops),
    cpuMsPerOp: cpuMs / Math.max(1, ops),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    recordBytes,
    dispatch: runs.every((r) => r.dispatch) ? sumDispatch(runs.map((r) => r.dispatch as Dispatch)) : undefined,
    slotOps: runs.reduce((w, r) => (r.slotOps.max - r.slotOps.min > w.max - w.min ? r.slotOps : w), runs[0]?.slotOps ?? { min: 0, max: 0 }),
  }
}

function sumDispatch(list: Dispatch[]): Dispatch {
  return list.reduce((a, d) => ({ inline: a.inline + d.inline, pooled: a.pooled + d.pooled, fallbacks: a.fallbacks + d.fallbacks, workerFailures: a.workerFailures + d.workerFailures }), { inline: 0, pooled: 0, fallbacks: 0, workerFailures: 0 })
}
