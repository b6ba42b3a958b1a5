/**
 * Section 1, micro: the codec (seal, open) inline and on the pool for each algorithm and
 * compression; the main-thread cost of a whole set (stringify + seal) and get (open + parse)
 * against JSON alone; a size sweep that locates where the pool starts to pay; and the per-record
 * cost of connect-redis-crypto 4.0.5's kruptein at 1 KB.
 */
import { createHash, randomBytes } from 'node:crypto'
import kruptein from 'kruptein'
import { KeyRing } from '../src/codec/keyring.js'
import { createSealer } from '../src/dispatch/create-sealer.js'
import type { RedisStoreOptions } from '../src/options/types.js'
import { createSealedPool } from '../src/dispatch/pool.js'
import { resolveOptions } from '../src/options/resolve.js'
import { deriveMasterKeys } from '../src/codec/secrets.js'
import type { Sealer } from '../src/dispatch/sealer.js'
import { makeSession } from './session-data.js'
import { crossover, type Crossover } from './crossover.js'
import { batchFor, FULL_TINY, QUICK_TINY, runTiny, type TinyFigures, type TinyTask } from './tiny.js'

const KB = 1024
const CONFIGS: readonly { label: string; options: Partial<RedisStoreOptions>; quick: boolean }[] = [
  { label: 'aes-256-gcm', options: {}, quick: true },
  { label: 'chacha20-poly1305', options: { algorithm: 'chacha20-poly1305' }, quick: false },
  { label: 'aes-256-cbc+hmac-sha512', options: { algorithm: 'aes-256-cbc' }, quick: false },
  { label: 'aes-256-ctr+hmac-sha512', options: { algorithm: 'aes-256-ctr' }, quick: false },
  { label: 'aes-256-gcm+gzip', options: { compress: { algorithm: 'gzip' } }, quick: true },
  { label: 'aes-256-gcm+brotli', options: { compress: { algorithm: 'brotli' } }, quick: false },
]
const MODES = ['inline', 'pooled'] as const
type Mode = (typeof MODES)[number]

export interface CodecRow {
  size: number
  config: string
  mode: Mode
  op: 'seal' | 'open'
  /** Bytes of the sealed record in Redis. */
  recordBytes: number
  figures: TinyFigures
}

/** Main-thread µs per op of a full set (JSON.stringify + seal) or get (open + JSON.parse); the sweep has no floors (NaN). */
export interface MainThreadRow {
  size: number
  op: 'set' | 'get'
  inline: TinyFigures
  pooled: TinyFigures
  /** JSON.stringify alone (set) or JSON.parse alone (get). */
  floor: TinyFigures
  /**
   * set: JSON.stringify plus the first read of its result. For large output V8 returns a cons
   * string that is flattened (copied) on first use, which every consumer pays (a socket write,
   * Buffer.from, postMessage) but JSON.stringify alone does not. get: the same as `floor`.
   */
  floorRead: TinyFigures
  /** One express-session hash of the same session (it computes four per request that changes a session). */
  sessionHash: TinyFigures
}

export interface CryptoForkCost {
  /** µs per op on the main thread, connect-redis-crypto's path without Redis (kruptein + its JSON). */
  setMain: number
  getMain: number
  oursSetMain: number
  oursGetMain: number
  recordBytes: number
  oursRecordBytes: number
}

export interface MicroResult {
  codec: CodecRow[]
  mainThread: MainThreadRow[]
  sweep: MainThreadRow[]
  crossover: Crossover[]
  cryptoFork: CryptoForkCost
}

async function makeSealer(secret: Buffer, options: Partial<RedisStoreOptions>): Promise<Sealer> {
  const resolved = resolveOptions({ client: {}, secret, ...options })
  const masters = await deriveMasterKeys(resolved.secret)
  return createSealer(new KeyRing(masters), masters, resolved)
}

const KEY = 'sess:micro-benchmark-session-id-0123456789'

/**
 * The work express-session 1.x does to fingerprint a session (to tell whether it changed): JSON
 * of the session without its top-level cookie, then SHA-1. Reproduced to time it on our data.
 */
function sessionHash(session: object): string {
  const text = JSON.stringify(session, function (this: unknown, key: string, value: unknown) {
    return this === session && key === 'cookie' ? undefined : value
  })
  return createHash('sha1').update(text, 'utf8').digest('hex')
}

/** A task running `op` `batchFor(size)` times in a row (awaited one after the other). */
function task(name: string, size: number, op: () => unknown): TinyTask {
  const batch = batchFor(size)
  if (batch === 1) return { name, fn: op }
  return {
    name,
    batch,
    fn: async () => {
      for (let i = 0; i < batch; i++) await op()
    },
  }
}

/** The same for synchronous work, without awaits in the loop. */
function syncTask(name: string, size: number, op: () => unknown): TinyTask {
  const batch = batchFor(size)
  return {
    name,
    batch,
    fn: () => {
      for (let i = 0; i < batch; i++) op()
    },
  }
}

/** Set and get, inline and pooled; with `floors`, also JSON alone and express-session's hash. */
function setGetTasks(size: number, sealers: Record<Mode, Sealer>, record: Buffer, floors: boolean): TinyTask[] {
  const session = makeSession(size)
  const text = JSON.stringify(session)
  const tasks: TinyTask[] = floors
    ? [
        syncTask(`${size}|floor|set`, size, () => JSON.stringify(session)),
        syncTask(`${size}|floor|set-read`, size, () => {
          const json = JSON.stringify(session)
          return json.charCodeAt(json.length >> 1)
        }),
        syncTask(`${size}|floor|get`, size, () => JSON.parse(text)),
        syncTask(`${size}|floor|hash`, size, () => sessionHash(session)),
      ]
    : []
  for (const mode of MODES) {
    const sealer = sealers[mode]
    tasks.push(task(`${size}|${mode}|set`, size, () => sealer.seal(JSON.stringify(session), KEY)))
    tasks.push(
      task(`${size}|${mode}|get`, size, async () => {
        const opened = await sealer.open(record, KEY)
        if (!opened.ok) throw new Error(`open failed: ${opened.reason}`)
        return JSON.parse(opened.text)
      }),
    )
  }
  return tasks
}

function mainRows(sizes: readonly number[], figures: Map<string, TinyFigures>): MainThreadRow[] {
  const missing: TinyFigures = { wallP50: Number.NaN, wallP99: Number.NaN, wallMean: Number.NaN, main: Number.NaN, active: Number.NaN, cpu: Number.NaN, runs: 0 }
  const get = (name: string) => figures.get(name) ?? missing
  return sizes.flatMap((size) =>
    (['set', 'get'] as const).map((op) => ({
      size,
      op,
      inline: get(`${size}|inline|${op}`),
      pooled: get(`${size}|pooled|${op}`),
      floor: get(`${size}|floor|${op}`),
      floorRead: get(`${size}|floor|${op === 'set' ? 'set-read' : 'get'}`),
      sessionHash: get(`${size}|floor|hash`),
    })),
  )
}

async function cryptoForkCost(quick: boolean, ours: Record<Mode, Sealer>): Promise<CryptoForkCost> {
  const secret = randomBytes(24).toString('base64')
  // connect-redis-crypto hands its whole options object to kruptein: defaults aes-256-gcm, sha512, binary.
  const k = kruptein({ secret })
  const session = makeSession(KB)
  let record = ''
  k.set(secret, session, (error, ct) => {
    if (error) throw new Error(String(error))
    record = JSON.stringify(JSON.parse(ct as string))
  })
  const ourRecord = (await ours.inline.seal(JSON.stringify(session), KEY)) as Buffer
  const tasks: TinyTask[] = [
    {
      name: 'fork|set',
      fn: () =>
        k.set(secret, session, (error, ct) => {
          if (error) throw new Error(String(error))
          return JSON.stringify(JSON.parse(ct as string))
        }),
    },
    {
      name: 'fork|get',
      fn: () =>
        k.get(secret, record, (error, pt) => {
          if (error) throw new Error(String(error))
          return JSON.parse(pt as string)
        }),
    },
    ...setGetTasks(KB, ours, ourRecord, false).filter((t) => t.name.includes('inline')),
  ]
  const settings = quick ? { ...QUICK_TINY, iterations: 3 } : { ...FULL_TINY, time: 150, iterations: 8 }
  const f = await runTiny(tasks, settings)
  const main = (name: string) => (f.get(name) as TinyFigures).main
  return {
    setMain: main('fork|set'),
    getMain: main('fork|get'),
    oursSetMain: main(`${KB}|inline|set`),
    oursGetMain: main(`${KB}|inline|get`),
    recordBytes: Buffer.byteLength(record),
    oursRecordBytes: ourRecord.length,
  }
}

export async function runMicro(quick: boolean, log: (line: string) => void): Promise<MicroResult> {
  const settings = quick ? QUICK_TINY : FULL_TINY
  const sizes = quick ? [KB, 128 * KB, 1024 * KB] : [KB, 16 * KB, 128 * KB, 1024 * KB]
  const sweepSizes = [4, 8, 16, 32, 64, 128].map((k) => k * KB)
  const configs = CONFIGS.filter((c) => !quick || c.quick)
  const secret = randomBytes(32)
  const pool = createSealedPool()
  const sealers = new Map<string, Sealer>()
  try {
    for (const config of configs) {
      sealers.set(`${config.label}|inline`, await makeSealer(secret, { ...config.options, pool: false }))
      sealers.set(`${config.label}|pooled`, await makeSealer(secret, { ...config.options, pool, offloadThreshold: 0 }))
    }
    const gcm = { inline: sealers.get('aes-256-gcm|inline') as Sealer, pooled: sealers.get('aes-256-gcm|pooled') as Sealer }
    await gcm.pooled.seal('warm up the worker', KEY)

    const codec: CodecRow[] = []
    const mainFigures = new Map<string, TinyFigures>()
    for (const size of sizes) {
      log(`micro: codec at ${size / KB} KB`)
      const text = JSON.stringify(makeSession(size))
      const records = new Map<string, Buffer>()
      const tasks: TinyTask[] = []
      for (const config of configs) {
        const record = (await (sealers.get(`${config.label}|inline`) as Sealer).seal(text, KEY)) as Buffer
        records.set(config.label, record)
        for (const mode of MODES) {
          const sealer = sealers.get(`${config.label}|${mode}`) as Sealer
          tasks.push(task(`${config.label}|${mode}|seal`, size, () => sealer.seal(text, KEY)))
          tasks.push(task(`${config.label}|${mode}|open`, size, () => sealer.open(record, KEY)))
        }
      }
      tasks.push(...setGetTasks(size, gcm, records.get('aes-256-gcm') as Buffer, true))
      const figures = await runTiny(tasks, settings)
      for (const [name, fig] of figures) {
        const [label, mode, op] = name.split('|') as [string, Mode, 'seal' | 'open']
        if (op === 'seal' || op === 'open') codec.push({ size, config: label, mode, op, recordBytes: (records.get(label) as Buffer).length, figures: fig })
        else mainFigures.set(name, fig)
      }
    }

    log('micro: offload threshold sweep')
    const sweepTasks: TinyTask[] = []
    for (const size of sweepSizes) {
      const record = (await gcm.inline.seal(JSON.stringify(makeSession(size)), KEY)) as Buffer
      sweepTasks.push(...setGetTasks(size, gcm, record, false))
    }
    const sweep = mainRows(sweepSizes, await runTiny(sweepTasks, settings))

    log('micro: connect-redis-crypto per-record cost at 1 KB')
    const cryptoFork = await cryptoForkCost(quick, gcm)
    return { codec, mainThread: mainRows(sizes, mainFigures), sweep, crossover: crossover(sweep), cryptoFork }
  } finally {
    await Promise.all([...sealers.values()].map((s) => s.close()))
    await pool.destroy()
  }
}
