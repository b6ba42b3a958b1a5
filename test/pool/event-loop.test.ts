import assert from 'node:assert/strict'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { after, before, test } from 'node:test'
import { createClient } from 'redis'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import { RedisStore, type RedisStoreOptions } from '../../src/index.js'
import { sessionText } from './pool-fixture.js'

const MiB = 1024 * 1024
let redis: LocalRedis
let client: ReturnType<typeof createClient>
const stores: RedisStore[] = []

before(async () => {
  redis = await startRedis()
  client = createClient({ url: redis.url })
  await client.connect()
})
after(async () => {
  await Promise.all(stores.map((s) => s.close()))
  await client.quit()
  await redis.stop()
})

function store(options: Partial<RedisStoreOptions>): RedisStore {
  const s = new RedisStore({ client, secret: Buffer.alloc(32, 9), prefix: `loop${stores.length}:`, ...options })
  stores.push(s)
  return s
}

/** The longest gap between consecutive event-loop turns while `work` runs, in ms. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let longest = 0
  let last = performance.now()
  let running = true
  const tick = () => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
    if (running) setImmediate(tick)
  }
  setImmediate(tick)
  await work()
  running = false
  return longest
}

const session = JSON.parse(sessionText(MiB))

test('pooled results are parsed one per event-loop turn, so 16 large reads stall the loop for about one parse', async (t) => {
  // offloadThreshold 0: every operation pooled, whatever the cost model would choose on this machine.
  const pooled = store({ pool: { minThreads: 1 }, offloadThreshold: 0 })
  const ids = Array.from({ length: 16 }, (_, i) => `big${i}`)
  await Promise.all(ids.map((id) => pooled.set(id, session)))
  const text = sessionText(MiB)
  let parse = 0
  for (let i = 0; i < 5; i++) {
    const t = performance.now()
    JSON.parse(text)
    parse = Math.max(parse, performance.now() - t)
  }
  const stall = await longestStall(async () => {
    const sessions = await Promise.all(ids.map((id) => pooled.get(id)))
    assert.ok(sessions.every((s) => JSON.stringify(s) === JSON.stringify(session)))
  })
  t.diagnostic(`longest stall ${stall.toFixed(1)} ms; one parse ${parse.toFixed(1)} ms`)
  assert.ok(pooled.stats().pooled >= 32, `pooled ops: ${pooled.stats().pooled}`)
  // Without the gate all 16 parses can land in one turn; half of that sum leaves room for GC and a busy machine.
  assert.ok(stall < 8 * parse, `longest stall ${stall.toFixed(1)} ms, one parse ${parse.toFixed(1)} ms, all 16 ${(16 * parse).toFixed(0)} ms`)
})

async function delayP99(s: RedisStore, rounds: number): Promise<number> {
  const ids = Array.from({ length: 16 }, (_, i) => `resp${i}`)
  await Promise.all(ids.map((id) => s.set(id, session)))
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  for (let r = 0; r < rounds; r++) {
    await Promise.all(ids.map(async (id) => s.set(id, (await s.get(id)) ?? session)))
  }
  histogram.disable()
  return histogram.percentile(99) / 1e6
}

test('with 1 MB gzip sessions and many operations in flight, the default dispatcher sends work to the pool while its worker keeps up and runs the rest inline', async (t) => {
  const compress = { algorithm: 'gzip' as const }
  const inline = store({ pool: false, compress })
  const pooled = store({ pool: { minThreads: 1 }, compress })
  await delayP99(pooled, 1)
  const before = pooled.stats()
  const inlineP99 = await delayP99(inline, 3)
  const pooledP99 = await delayP99(pooled, 3)
  // Timing on a shared 2-core machine swings too much to assert; docs/PERFORMANCE.md has the paired bench.
  t.diagnostic(`event-loop delay p99: pooled ${pooledP99.toFixed(1)} ms, inline ${inlineP99.toFixed(1)} ms`)
  const after = pooled.stats()
  const ran = { pooled: after.pooled - before.pooled, inline: after.inline - before.inline }
  t.diagnostic(`pooled ${ran.pooled}, inline ${ran.inline}`)
  // 16 sets, then 3 rounds of 16 gets and 16 sets: each ran once, on the pool or (worker backlogged) inline.
  assert.equal(ran.pooled + ran.inline, 112)
  assert.ok(ran.pooled > 0, 'gzip work of 1 MB goes to the pool')
  assert.equal(inline.stats().pooled, 0)
})


