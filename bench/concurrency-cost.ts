/**
 * What `concurrency: 'merge'` costs (issue #22), against `'overwrite'` on the same Redis:
 *
 *   npm run bench:concurrency        about 40 s; ROUNDS (default 9) and WRITES (default 4000) to change
 *
 * 1. Redis server time per write: INFO commandstats `usec_per_call` of the compare-and-set script
 *    (EVALSHA, including the GETRANGE and SET it runs) against the plain SET of the same 1 KB record,
 *    in interleaved rounds; printed as the median per-round difference with its spread.
 * 2. Store-level writes per second, merge / overwrite, interleaved pairs (no conflicts: the common path).
 * 3. The conflict path's main-thread time per merge at 1 KB and 64 KB: read the newer record, open
 *    it, three-way merge, seal and write again, timed as the extra time of a write that meets a
 *    conflict over one that does not (µs, median and spread over the rounds).
 */
import { createClient } from 'redis'
import { startRedis } from '../scripts/local-redis.js'
import { RedisStore } from './built-store.js'
import { describeSpread, load1, spreadOf, verdict, type Spread } from './paired.js'
import { makeSession } from './session-data.js'

const ROUNDS = Number(process.env.ROUNDS ?? 9)
const WRITES = Number(process.env.WRITES ?? 4000)
const SECRET = Buffer.alloc(32, 0x5c)

type Client = ReturnType<typeof createClient>
type Session = Parameters<RedisStore['set']>[1]

/** µs per call of these commands together, from INFO commandstats (a script's first run is an EVAL, the rest EVALSHA). */
async function usecPerCall(client: Client, ...commands: string[]): Promise<number> {
  const info = await client.info('commandstats')
  let calls = 0
  let usec = 0
  for (const command of commands) {
    const match = new RegExp(`cmdstat_${command}:calls=(\\d+),usec=(\\d+)`).exec(info)
    calls += Number(match?.[1] ?? 0)
    usec += Number(match?.[2] ?? 0)
  }
  return calls > 0 ? usec / calls : Number.NaN
}

function storeOf(client: Client, concurrency: 'merge' | 'overwrite', prefix: string): RedisStore {
  return new RedisStore({ client, secret: SECRET, pool: false, prefix, concurrency })
}

/** Writes the same read session `WRITES` times (each over the record the last wrote); elapsed ms. */
async function rewrite(store: RedisStore, sid: string, bytes: number): Promise<number> {
  await store.set(sid, makeSession(bytes) as unknown as Session)
  const session = (await store.get(sid)) as Session
  const start = performance.now()
  for (let i = 0; i < WRITES; i++) await store.set(sid, session)
  return performance.now() - start
}

async function serverTime(client: Client, merge: RedisStore, overwrite: RedisStore): Promise<{ script: number; set: number }> {
  await client.configResetStat()
  await rewrite(merge, 'server', 1024)
  const script = await usecPerCall(client, 'evalsha', 'eval')
  await client.configResetStat()
  await rewrite(overwrite, 'server', 1024)
  return { script, set: await usecPerCall(client, 'set') }
}

/** Extra ms of `n` writes that each meet one conflict (another store wrote in between) over `n` that do not. */
async function conflictCost(mine: RedisStore, theirs: RedisStore, bytes: number, n: number): Promise<number> {
  await mine.set('c', makeSession(bytes) as unknown as Session)
  let plain = 0
  let conflicted = 0
  for (let i = 0; i < n; i++) {
    const session = (await mine.get('c')) as Session & { views: number }
    session.views = i
    let start = performance.now()
    await mine.set('c', session)
    plain += performance.now() - start
    const again = (await mine.get('c')) as Session & { views: number }
    const other = (await theirs.get('c')) as Session & { flash: unknown[] }
    other.flash = [i]
    await theirs.set('c', other)
    again.views = -i
    start = performance.now()
    await mine.set('c', again)
    conflicted += performance.now() - start
  }
  return (conflicted - plain) / n
}

const fmt = (s: Spread, unit: string, digits = 2) => `${s.median.toFixed(digits)} ${unit} (IQR ${s.q1.toFixed(digits)}–${s.q3.toFixed(digits)}, n=${s.n})`

async function main(): Promise<void> {
  const redis = await startRedis()
  const client: Client = createClient({ url: `redis://127.0.0.1:${redis.port}` })
  await client.connect()
  const merge = storeOf(client, 'merge', 'm:')
  const overwrite = storeOf(client, 'overwrite', 'o:')
  const theirs = storeOf(client, 'merge', 'm:')
  const loadBefore = load1()
  const extraUs: number[] = []
  const scriptUs: number[] = []
  const setUs: number[] = []
  const throughput: number[] = []
  const merge1k: number[] = []
  const merge64k: number[] = []
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const server = await serverTime(client, merge, overwrite)
      scriptUs.push(server.script)
      setUs.push(server.set)
      extraUs.push(server.script - server.set)
      const first = round % 2 === 0
      const a = first ? await rewrite(merge, 'w', 1024) : 0
      const b = await rewrite(overwrite, 'w', 1024)
      const m = first ? a : await rewrite(merge, 'w', 1024)
      throughput.push(b / m)
      merge1k.push((await conflictCost(merge, theirs, 1024, 200)) * 1000)
      merge64k.push((await conflictCost(merge, theirs, 65536, 40)) * 1000)
      process.stdout.write('.')
    }
  } finally {
    await Promise.all([merge.close(), overwrite.close(), theirs.close()])
    await client.close()
    await redis.stop()
  }
  const extra = spreadOf(extraUs)
  const ratio = spreadOf(throughput)
  console.log(`\nconcurrency cost, ${ROUNDS} interleaved rounds of ${WRITES} writes, load ${loadBefore.toFixed(1)} → ${load1().toFixed(1)}`)
  console.log(`Redis server time per write: script ${fmt(spreadOf(scriptUs), 'µs')}, plain SET ${fmt(spreadOf(setUs), 'µs')}`)
  console.log(`  script − SET: ${fmt(extra, 'µs')}  goal ≤ +3 µs: ${verdict(extra, { direction: '<=', target: 3 })}`)
  console.log(`store writes/s, merge / overwrite (no conflicts): ${describeSpread(ratio)}  goal ≥ 0.97: ${verdict(ratio, { direction: '>=', target: 0.97 })}`)
  console.log(`conflict path, extra time per write that merges (read, open, merge, seal, write again): 1 KB ${fmt(spreadOf(merge1k), 'µs', 0)}, 64 KB ${fmt(spreadOf(merge64k), 'µs', 0)}`)
}

await main()
