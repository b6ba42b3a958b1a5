/**
 * The bench's pure helpers: the session generator, the crossover finder, the CPU-profile
 * breakdown and the goal verdicts. (The bench itself is exercised by `npm run bench -- --quick`.)
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { crossover } from '../bench/crossover.js'
import { checkGoals } from '../bench/goals.js'
import type { HttpRow } from '../bench/http-load.js'
import { percentiles } from '../bench/measure.js'
import { breakdown, type CpuProfile } from '../bench/profile-breakdown.js'
import { makeSession, sessionFields } from '../bench/session-data.js'
import type { StoreLoadRow } from '../bench/store-load.js'

const KB = 1024

describe('makeSession', () => {
  for (const size of [KB, 16 * KB, 256 * KB]) {
    it(`makes ${size / KB} KB of JSON (within 300 bytes)`, () => {
      const bytes = Buffer.byteLength(JSON.stringify(makeSession(size)))
      assert.ok(Math.abs(bytes - size) <= 300, `${bytes} bytes for a ${size}-byte target`)
    })
  }

  it('is deterministic for a seed and differs between seeds', () => {
    const strip = (seed: number) => JSON.stringify(sessionFields(makeSession(8 * KB, seed)))
    assert.equal(strip(7), strip(7))
    assert.notEqual(strip(7), strip(8))
  })

  it('holds nested data, numbers and non-ASCII text, and a cookie that expires in the future', () => {
    const session = makeSession(8 * KB)
    const text = JSON.stringify(session)
    assert.ok(Buffer.byteLength(text) > text.length, 'some characters take more than one UTF-8 byte')
    assert.ok(Array.isArray(session.history) && (session.history as unknown[]).length > 0)
    assert.ok(new Date(session.cookie.expires).getTime() > Date.now())
    assert.equal('cookie' in sessionFields(session), false)
  })
})

describe('percentiles', () => {
  it('uses nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i)
    assert.deepEqual(percentiles(values), { p50: 50, p99: 99, max: 100 })
  })
})

describe('crossover', () => {
  const point = (size: number, op: 'set' | 'get', inline: number, pooled: number) => ({ size, op, inline: { main: inline }, pooled: { main: pooled } })

  it('finds the first size from which pooled stays cheaper, and interpolates in log2(size)', () => {
    const rows = [point(4 * KB, 'set', 10, 20), point(8 * KB, 'set', 10, 15), point(16 * KB, 'set', 10, 8), point(32 * KB, 'set', 10, 7)]
    const [set, get] = crossover(rows)
    assert.equal(set?.firstSize, 16 * KB)
    // ratio 1.5 at 8 KB, 0.8 at 16 KB: crosses 1 at 2^(13 + 0.5 / 0.7) bytes
    assert.equal(set?.estimate, Math.round(2 ** (13 + 0.5 / 0.7)))
    assert.equal(get?.firstSize, null)
  })

  it('ignores a dip that does not last', () => {
    const rows = [point(4 * KB, 'get', 10, 8), point(8 * KB, 'get', 10, 12), point(16 * KB, 'get', 10, 9)]
    assert.equal(crossover(rows)[1]?.firstSize, 16 * KB)
  })

  it('reports none when pooled is never cheaper', () => {
    const rows = [point(4 * KB, 'set', 10, 20), point(8 * KB, 'set', 10, 10)]
    assert.deepEqual(crossover(rows)[0], { op: 'set', firstSize: null, estimate: null, ratios: [{ size: 4 * KB, ratio: 2 }, { size: 8 * KB, ratio: 1 }] })
  })
})

describe('breakdown', () => {
  const frame = (functionName: string, url = '') => ({ functionName, url })
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 5, 8, 9, 10, 11] },
      { id: 2, callFrame: frame('save', 'file:///app/node_modules/express-session/index.js'), children: [3] },
      { id: 3, callFrame: frame('hash', 'file:///app/node_modules/express-session/index.js'), children: [4] },
      { id: 4, callFrame: frame('stringify') },
      { id: 5, callFrame: frame('#read', 'file:///repo/src/store.ts'), children: [6, 7] },
      { id: 6, callFrame: frame('parse') },
      { id: 7, callFrame: frame('addCommand', 'file:///app/node_modules/@redis/client/dist/lib/client/commands-queue.js') },
      { id: 8, callFrame: frame('(garbage collector)') },
      { id: 9, callFrame: frame('(idle)') },
      { id: 10, callFrame: frame('handle', 'file:///app/node_modules/express/lib/router.js') },
      { id: 11, callFrame: frame('postTask', 'file:///app/node_modules/piscina/dist/worker_pool/index.js') },
    ],
    // each sample's time is the delta that follows it
    samples: [4, 6, 7, 8, 9, 10, 4, 11],
    timeDeltas: [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000],
  }

  it('charges hashing, store (with its pool), client, GC and the rest, and leaves idle out', () => {
    assert.deepEqual(breakdown(profile, '/repo'), { sessionHash: 1 + 7, store: 2 + 8, redisClient: 3, gc: 4, rest: 6 })
  })

  it('counts the built package (dist/, which the benches run) as the store', () => {
    const built: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2] },
        { id: 2, callFrame: frame('get', 'file:///repo/dist/index.js'), children: [3] },
        { id: 3, callFrame: frame('parse') },
      ],
      samples: [2, 3],
      timeDeltas: [0, 1000, 2000],
    }
    assert.deepEqual(breakdown(built, '/repo'), { sessionHash: 0, store: 1 + 2, redisClient: 0, gc: 0, rest: 0 })
  })

  it("charges what runs inside a store's callback (express-session, the route) to the rest, and Node's own modules to their caller", () => {
    const nested: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2] },
        { id: 2, callFrame: frame('settle', 'file:///repo/dist/index.js'), children: [3, 5] },
        { id: 3, callFrame: frame('inflate', 'file:///app/node_modules/express-session/index.js'), children: [4] },
        { id: 4, callFrame: frame('writeHead', 'node:_http_server') },
        { id: 5, callFrame: frame('createCipheriv', 'node:internal/crypto/cipher') },
      ],
      samples: [3, 4, 5],
      timeDeltas: [0, 1000, 2000, 4000],
    }
    assert.deepEqual(breakdown(nested, '/repo'), { sessionHash: 0, store: 4, redisClient: 0, gc: 0, rest: 1 + 2 })
  })

  it('does not count another checkout as the store', () => {
    const result = breakdown(profile, '/elsewhere')
    assert.equal(result.store, 8)
    assert.equal(result.rest, 6 + 2)
  })
})

describe('checkGoals', () => {
  const store = (contender: StoreLoadRow['contender'], size: number, opsPerSec: number, p99: number, errors = 0): StoreLoadRow => ({
    size,
    concurrency: 64,
    contender,
    ops: 100,
    seconds: 1,
    opsPerSec,
    latency: { p50: 1, p99: 1, max: 1 },
    loopDelay: { p50: 1, p99, max: p99, samples: 10 },
    utilization: 1,
    mainMsPerOp: 1,
    cpuMsPerOp: 1,
    errors,
    recordBytes: 1,
    slotOps: { min: 1, max: 1 },
  })
  const http = (contender: HttpRow['contender'], size: number, reqPerSec: number, healthP99: number, failures = 0): HttpRow => ({
    size,
    contender,
    reqPerSec,
    latency: { p50: 1, p99: 1 },
    healthP99,
    loopDelay: { p50: 1, p99: 1, max: 1, samples: 1 },
    mainMsPerRequest: 1,
    cpuMsPerRequest: 1,
    failures,
  })
  const byGoal = (goals: ReturnType<typeof checkGoals>, start: string) => goals.find((g) => g.goal.startsWith(start))

  it('meets and misses goals by their ratios', () => {
    const goals = checkGoals({
      store: [store('auto', KB, 5000, 1), store('connect-redis-crypto', KB, 40, 1), store('pooled', 256 * KB, 140, 30), store('inline', 256 * KB, 100, 40)],
      http: { rows: [http('auto', KB, 960, 5), http('connect-redis', KB, 1000, 5), http('auto', 256 * KB, 20, 100), http('inline', 256 * KB, 21, 100)], breakdown: [] },
    })
    assert.equal(byGoal(goals, '1 KB sessions over HTTP')?.met, true)
    assert.equal(byGoal(goals, 'Store level, 1 KB')?.met, true)
    assert.equal(byGoal(goals, 'Store level, ≥ 256 KB, 16-64 in flight: pooled vs inline ops/s')?.met, true)
    assert.equal(byGoal(goals, 'Store level, ≥ 256 KB, 16-64 in flight: pooled vs inline event-loop')?.met, false)
    assert.equal(byGoal(goals, 'HTTP, ≥ 256 KB: automatic vs inline req/s')?.met, false)
    assert.equal(byGoal(goals, 'HTTP, ≥ 256 KB: automatic vs inline /health')?.met, false)
    assert.equal(byGoal(goals, '≥ 128 KB')?.met, null)
  })

  it('does not rank a contender that had errors', () => {
    const goals = checkGoals({ store: [store('auto', KB, 5000, 1), store('connect-redis-crypto', KB, 40, 1, 3)], http: { rows: [http('auto', KB, 960, 5, 1), http('connect-redis', KB, 1000, 5)], breakdown: [] } })
    assert.equal(byGoal(goals, 'Store level, 1 KB')?.met, null)
    assert.equal(byGoal(goals, '1 KB sessions over HTTP')?.met, null)
  })
})
