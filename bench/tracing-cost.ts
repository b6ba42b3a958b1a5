/**
 * What the diagnostics_channel hook costs a `get` of a 1 KB session when nobody listens.
 *
 *   npx tsx bench/tracing-cost.ts                     the hook alone, and get unobserved vs observed
 *   BASE=/path/to/checkout npx tsx bench/tracing-cost.ts   also get against a checkout without the hook
 *
 * Arms are interleaved round by round (order alternating) on one private redis-server, so drift of a
 * loaded machine hits them alike; the spread across rounds is printed with every ratio.
 */
import diagnostics_channel from 'node:diagnostics_channel'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { startRedis } from '../scripts/local-redis.js'
import { RedisStore } from '../src/index.js'
import { traced } from '../src/telemetry/tracing.js'

const ROUNDS = Number(process.env.ROUNDS ?? 21)
const GETS = Number(process.env.GETS ?? 1000)
const SECRET = Buffer.alloc(32, 0x42)

type Get = (sid: string) => Promise<unknown>
interface StoreLike {
  get: Get
  set(sid: string, session: object): Promise<unknown>
  close(): Promise<void>
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
const spread = (values: number[]): string => {
  const s = [...values].sort((a, b) => a - b)
  return `median ${quantile(s, 0.5).toFixed(3)} (p25 ${quantile(s, 0.25).toFixed(3)}, p75 ${quantile(s, 0.75).toFixed(3)}, min ${quantile(s, 0).toFixed(3)}, max ${quantile(s, 1).toFixed(3)})`
}

async function timeGets(get: Get): Promise<number> {
  const start = process.hrtime.bigint()
  for (let i = 0; i < GETS; i++) await get('bench')
  return Number(process.hrtime.bigint() - start) / GETS
}

/** ns per call of `traced` with nobody listening, against calling the work directly. */
function hookAlone(): { direct: number; hooked: number } {
  const work = () => Promise.resolve(1)
  const n = 2_000_000
  let sink = 0
  const run = (f: () => unknown) => {
    const start = process.hrtime.bigint()
    for (let i = 0; i < n; i++) sink += f() === undefined ? 0 : 1
    return Number(process.hrtime.bigint() - start) / n
  }
  const direct: number[] = []
  const hooked: number[] = []
  for (let r = 0; r < 11; r++) {
    direct.push(run(() => work))
    hooked.push(run(() => traced('get', 'sid', work)))
  }
  if (sink < 0) console.log(sink)
  const med = (v: number[]) => quantile([...v].sort((a, b) => a - b), 0.5)
  return { direct: med(direct), hooked: med(hooked) }
}

// First, before any subscriber has come and gone (that changes the channels' prototypes).
const alone = hookAlone()
const redis = await startRedis()
const client = new Redis(redis.url)
try {
  const session = { cookie: { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000) }, data: 'x'.repeat(1000) }
  const arms: [string, StoreLike][] = [['hook, unobserved', new RedisStore({ client, secret: SECRET, pool: false, prefix: 'cur:' })]]
  if (process.env.BASE) {
    const base = (await import(join(process.env.BASE, 'src', 'index.ts'))) as { RedisStore: new (o: object) => StoreLike }
    arms.push(['without the hook', new base.RedisStore({ client, secret: SECRET, pool: false, prefix: 'base:' })])
  }
  for (const [, store] of arms) await store.set('bench', session)
  const observed = new RedisStore({ client, secret: SECRET, pool: false, prefix: 'obs:' })
  await observed.set('bench', session)
  const channel = diagnostics_channel.tracingChannel('connect-redis-sealed:get')
  const noop = { start() {}, end() {}, asyncStart() {}, asyncEnd() {}, error() {} }
  const OBSERVED = 'observed (a no-op subscriber)'
  const all: [string, Get][] = [...arms.map(([name, s]): [string, Get] => [name, (sid) => s.get(sid)]), [OBSERVED, (sid) => observed.get(sid)]]
  // The channel is process-wide: subscribed only while the observed arm runs.
  const timeArm = async (name: string, get: Get): Promise<number> => {
    if (name !== OBSERVED) return timeGets(get)
    channel.subscribe(noop)
    try {
      return await timeGets(get)
    } finally {
      channel.unsubscribe(noop)
    }
  }
  for (const [name, get] of all) await timeArm(name, get)
  const times = new Map<string, number[]>(all.map(([name]) => [name, []]))
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? all : [...all].reverse()
    for (const [name, get] of order) times.get(name)?.push(await timeArm(name, get))
  }
  const reference = times.get('hook, unobserved') ?? []
  console.log(`store.get of a 1 KB session, ${ROUNDS} rounds × ${GETS} gets, µs per get:`)
  for (const [name, t] of times) {
    const ratios = t.map((v, i) => (reference[i] ?? v) / v)
    console.log(`  ${name.padEnd(32)} ${spread(t.map((v) => v / 1000))}`)
    if (name !== 'hook, unobserved') console.log(`  ${''.padEnd(32)} "hook, unobserved" ÷ this, per round: ${spread(ratios)}`)
  }
  console.log(`the hook alone, unobserved: ${alone.hooked.toFixed(1)} ns per call vs ${alone.direct.toFixed(1)} ns without it (+${(alone.hooked - alone.direct).toFixed(1)} ns)`)
  for (const [, store] of arms) await store.close()
  await observed.close()
} finally {
  client.disconnect()
  await redis.stop()
}
