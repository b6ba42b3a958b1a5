/**
 * The soak: virtual users run get/set/touch/destroy on a shared set of session ids through one
 * store (worker pool on) while connections are killed and Redis is paused. A model of each id
 * knows which values a read may return; every acknowledged write must be readable. The heap is
 * sampled after forced GC. Used by test/hardening/soak.test.ts (seconds) and bench/soak.ts (minutes).
 */
import type { SessionData } from 'express-session'
import { ask, startRedis } from '../../scripts/local-redis.js'
import { RedisStore } from '../../src/index.js'
import { connectClient, type ClientName } from './clients.js'

export interface SoakOptions {
  seconds: number
  /** Distinct session ids, shared by all users. */
  ids: number
  users: number
  kind: ClientName
  /** Seconds between CLIENT KILLs of the store's connection (0: none). */
  killEvery: number
  /** Seconds between CLIENT PAUSEs longer than the store timeout (0: none). */
  pauseEvery: number
  /** Forces a full GC (needs --expose-gc or v8.setFlagsFromString). */
  gc: () => void
  heapSamples: number
  onSample?: (sample: HeapSample) => void
}

export interface HeapSample {
  readonly atSeconds: number
  readonly heapUsedBytes: number
}

export interface SoakReport {
  ops: Record<'get' | 'set' | 'touch' | 'destroy' | 'verify', number>
  acknowledgedWrites: number
  failedOps: number
  faults: { kills: number; pauses: number }
  /** Errors outside any fault window: must be none. */
  unexpectedErrors: string[]
  /** Reads that returned a value the model rules out (another id's data, a value never written, a stale one). */
  violations: string[]
  /** Acknowledged writes not readable afterwards. */
  lostWrites: number
  finalChecked: number
  heap: HeapSample[]
  /** Heap after GC at the end minus at the first sample after warm-up, in bytes. */
  heapGrowthBytes: number
  /** Least-squares slope of heap after GC over the samples after warm-up, in bytes per minute. */
  heapSlopeBytesPerMinute: number
  store: ReturnType<RedisStore['stats']>
}

const ABSENT = 0
const TIMEOUT = 500

interface IdModel {
  /** Values a read may return now (ABSENT or a version); one value after an acknowledged write. */
  allowed: Set<number>
  /** Values written (or being written) since the oldest read in flight started. */
  recent: number[]
  readers: number
  /** The value of the write in flight, if any (writes to one id are serialized). */
  pending: number | undefined
  lock: Promise<void>
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const redis = await startRedis()
  const client = await connectClient(options.kind, redis.port)
  const store = new RedisStore({ client: client.client, secret: Buffer.alloc(32, 0x2b), timeout: TIMEOUT, pool: { maxThreads: 1 }, offloadThreshold: 16 * 1024 })
  const models: IdModel[] = Array.from({ length: options.ids }, () => ({ allowed: new Set([ABSENT]), recent: [], readers: 0, pending: undefined, lock: Promise.resolve() }))
  const report: SoakReport = {
    ops: { get: 0, set: 0, touch: 0, destroy: 0, verify: 0 },
    acknowledgedWrites: 0,
    failedOps: 0,
    faults: { kills: 0, pauses: 0 },
    unexpectedErrors: [],
    violations: [],
    lostWrites: 0,
    finalChecked: 0,
    heap: [],
    heapGrowthBytes: 0,
    heapSlopeBytesPerMinute: 0,
    store: store.stats(),
  }
  const faultWindows: [number, number][] = []
  const inFault = (from: number, to: number) => faultWindows.some(([a, b]) => from <= b && to >= a)
  let version = 0
  const t0 = performance.now()
  const endAt = t0 + options.seconds * 1000

  const sessionFor = (sid: string, v: number): SessionData => {
    const big = v % 10 === 0
    return { cookie: { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000) }, sid, v, pad: big ? 'b'.repeat(20_000 + (v % 7) * 3000) : 's'.repeat(v % 400) } as unknown as SessionData
  }
  const valueOf = (session: SessionData | null | undefined, sid: string): number | string => {
    if (!session) return ABSENT
    const s = session as unknown as { sid?: string; v?: number }
    return s.sid === sid && typeof s.v === 'number' ? s.v : `foreign data ${JSON.stringify(session).slice(0, 60)}`
  }
  const failure = (what: string, started: number, error: unknown) => {
    report.failedOps++
    if (!inFault(started, performance.now())) report.unexpectedErrors.push(`${what}: ${(error as Error).message}`)
  }

  async function read(i: number): Promise<void> {
    const model = models[i] as IdModel
    const sid = `soak-${i}`
    const allowed = new Set(model.allowed)
    if (model.pending !== undefined) allowed.add(model.pending)
    const seen = model.recent.length
    model.readers++
    const started = performance.now()
    try {
      const got = valueOf(await store.get(sid), sid)
      model.recent.slice(seen).forEach((v) => allowed.add(v))
      if (typeof got === 'string' || !allowed.has(got)) report.violations.push(`get ${sid}: ${got} not in {${[...allowed]}}`)
    } catch (error) {
      failure('get', started, error)
    } finally {
      if (--model.readers === 0) model.recent = []
    }
  }

  async function write(i: number, kind: 'set' | 'destroy'): Promise<void> {
    const model = models[i] as IdModel
    const sid = `soak-${i}`
    const previous = model.lock
    let release!: () => void
    model.lock = new Promise((resolve) => (release = resolve))
    await previous
    const v = kind === 'set' ? ++version : ABSENT
    model.pending = v
    if (model.readers > 0) model.recent.push(v)
    const started = performance.now()
    try {
      await (kind === 'set' ? store.set(sid, sessionFor(sid, v)) : store.destroy(sid))
      model.allowed = new Set([v])
      report.acknowledgedWrites++
    } catch (error) {
      // Failed, but it may still have been applied (or be applied later, in order, on the same connection).
      model.allowed.add(v)
      failure(kind, started, error)
    }
    model.pending = undefined
    if (kind === 'set' && v % 5 === 1 && model.allowed.size === 1) {
      report.ops.verify++
      const verifyStarted = performance.now()
      try {
        if (valueOf(await store.get(sid), sid) !== v) report.lostWrites++
      } catch (error) {
        failure('verify', verifyStarted, error)
      }
    }
    release()
  }

  async function touch(i: number): Promise<void> {
    const started = performance.now()
    try {
      await store.touch(`soak-${i}`, sessionFor(`soak-${i}`, 1))
    } catch (error) {
      failure('touch', started, error)
    }
  }

  async function user(u: number): Promise<void> {
    let n = u * 7919
    while (performance.now() < endAt) {
      n = (n * 1103515245 + 12345) % 2 ** 31
      const i = n % options.ids
      const pick = (n >> 8) % 100
      const op = pick < 50 ? 'get' : pick < 80 ? 'set' : pick < 92 ? 'touch' : 'destroy'
      report.ops[op]++
      await (op === 'get' ? read(i) : op === 'touch' ? touch(i) : write(i, op))
    }
  }

  async function faults(): Promise<void> {
    let nextKill = options.killEvery > 0 ? t0 + options.killEvery * 1000 : Infinity
    let nextPause = options.pauseEvery > 0 ? t0 + (options.pauseEvery * 1000) / 2 : Infinity
    while (performance.now() < endAt - 2000) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      const now = performance.now()
      if (now >= nextKill) {
        faultWindows.push([now - 5, now + TIMEOUT * 2 + 2500])
        // A kill that falls in a pause is answered only when the pause ends (TIMEOUT * 2 ms), more on a busy host.
        await ask(redis.port, 'CLIENT KILL TYPE normal', TIMEOUT * 2 + 5000)
        report.faults.kills++
        nextKill = now + options.killEvery * 1000
      } else if (now >= nextPause) {
        faultWindows.push([now - 5, now + TIMEOUT * 3 + 1000])
        await ask(redis.port, `CLIENT PAUSE ${TIMEOUT * 2} ALL`, TIMEOUT * 2 + 5000)
        report.faults.pauses++
        nextPause = now + options.pauseEvery * 1000
      }
    }
  }

  async function sampleHeap(): Promise<void> {
    const every = (options.seconds * 1000) / options.heapSamples
    for (let k = 1; k <= options.heapSamples; k++) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + k * every - performance.now() - 100)))
      options.gc()
      const sample = { atSeconds: (performance.now() - t0) / 1000, heapUsedBytes: process.memoryUsage().heapUsed }
      report.heap.push(sample)
      options.onSample?.(sample)
    }
  }

  try {
    await Promise.all([...Array.from({ length: options.users }, (_, u) => user(u)), faults(), sampleHeap()])
    for (const model of models) await model.lock
    for (let i = 0; i < options.ids; i++) {
      const sid = `soak-${i}`
      const model = models[i] as IdModel
      let got: number | string | undefined
      for (let attempt = 0; got === undefined && attempt < 20; attempt++) got = await store.get(sid).then((s) => valueOf(s, sid), () => undefined)
      report.finalChecked++
      if (got === undefined || typeof got === 'string' || !model.allowed.has(got)) {
        if (model.allowed.size === 1) report.lostWrites++
        else report.violations.push(`final ${sid}: ${got} not in {${[...model.allowed]}}`)
      }
    }
  } finally {
    report.store = store.stats()
    await store.close()
    await client.close()
    await redis.stop()
  }
  const warm = report.heap[Math.min(1, report.heap.length - 1)]
  const last = report.heap[report.heap.length - 1]
  report.heapGrowthBytes = warm && last ? last.heapUsedBytes - warm.heapUsedBytes : 0
  report.heapSlopeBytesPerMinute = slopePerMinute(report.heap.slice(1))
  return report
}

function slopePerMinute(samples: readonly HeapSample[]): number {
  if (samples.length < 2) return 0
  const xs = samples.map((s) => s.atSeconds / 60)
  const ys = samples.map((s) => s.heapUsedBytes)
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length
  const [mx, my] = [mean(xs), mean(ys)]
  const sxy = xs.reduce((acc, x, i) => acc + (x - mx) * ((ys[i] as number) - my), 0)
  const sxx = xs.reduce((acc, x) => acc + (x - mx) ** 2, 0)
  return sxx === 0 ? 0 : sxy / sxx
}
