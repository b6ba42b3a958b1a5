/**
 * OpenTelemetry metrics (`metrics` option) through a real SDK MeterProvider and an in-memory
 * exporter, against a real redis-server and real worker threads.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { after, test } from 'node:test'
import { metrics as otelMetrics } from '@opentelemetry/api'
import { RedisStore, type RedisStoreOptions, type SealErrorInfo } from '../src/index.js'
import { openPool } from '../src/dispatch/pool.js'
import { resolvePoolSettings } from '../src/options/pool.js'
import { FAULT_WORKER } from './pool/pool-fixture.js'
import { useClient, useRedis } from './support/redis.js'
import { testMeters, valueOf, type TestMeters } from './support/metrics.js'
import { SECRET_A, SECRET_B, sessionWith, StoreTracker, uniquePrefix } from './support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())
const meters: TestMeters[] = []
after(() => Promise.all(meters.map((m) => m.shutdown())))

function metered(options: Partial<RedisStoreOptions> = {}): { store: RedisStore; meters: TestMeters } {
  const m = testMeters()
  meters.push(m)
  const store = stores.create({ client: connection.client, prefix: uniquePrefix('metrics'), metrics: { meterProvider: m.provider }, ...options })
  return { store, meters: m }
}

const big = (bytes: number) => sessionWith({ blob: 'x'.repeat(bytes) })

test('seals, opens, where they ran, and histograms of time and record size', async () => {
  const { store, meters: m } = metered({ metrics: undefined })
  const before = await m.collect()
  assert.equal(before.size, 0, 'no `metrics` option: nothing is published')

  const { store: observed, meters: om } = metered()
  const prefix = (observed.toJSON() as { prefix: string }).prefix
  for (const sid of ['a', 'b', 'c']) await observed.set(sid, sessionWith({ user: sid }))
  // Read by a second store on the same meter (another process, say): this one has not seen the records, so it decrypts them.
  const reader = stores.create({ client: connection.client, prefix, metrics: { meterProvider: om.provider } })
  assert.ok(await reader.get('a'))
  assert.ok(await reader.get('b'))
  assert.equal(await reader.get('absent'), null, 'a missing key is no open at all')
  assert.ok(await observed.get('c'), 'the writer reads its own record back from memory')
  const stored = await Promise.all(['a', 'b', 'c'].map(async (sid) => ((await redis.raw.getBuffer(prefix + sid)) as Buffer).length))

  const c = await om.collect()
  assert.equal(valueOf(c, 'connect_redis_sealed.seals'), 3)
  assert.equal(valueOf(c, 'connect_redis_sealed.opens', { key: 'newest' }), 3, 'two decrypted, one recalled')
  assert.equal(valueOf(c, 'connect_redis_sealed.opens', { key: 'older' }), 0)
  assert.equal(valueOf(c, 'connect_redis_sealed.operations', { placement: 'inline' }), 5)
  assert.equal(valueOf(c, 'connect_redis_sealed.operations', { placement: 'memory' }), 1)
  assert.equal(valueOf(c, 'connect_redis_sealed.operations', { placement: 'pool' }), 0)
  assert.equal(valueOf(c, 'connect_redis_sealed.seal.duration'), 3, 'one seal time per seal')
  assert.equal(valueOf(c, 'connect_redis_sealed.open.duration'), 2, 'one open time per open')
  const sizes = c.get('connect_redis_sealed.record.size')?.points ?? []
  const sealSizes = sizes.find((p) => p.attributes.operation === 'seal')
  assert.equal(sealSizes?.value, 3)
  assert.equal(sealSizes?.sum, stored.reduce((a, b) => a + b, 0), 'record size is the bytes Redis holds')
  assert.equal(sizes.find((p) => p.attributes.operation === 'open')?.sum, (stored[0] ?? 0) + (stored[1] ?? 0))
  const sealTime = c.get('connect_redis_sealed.seal.duration')
  assert.equal(sealTime?.metric.descriptor.unit, 's')
  assert.ok((sealTime?.points[0]?.sum ?? 0) > 0 && (sealTime?.points[0]?.sum ?? 1) < 5, 'seconds, not milliseconds')
  assert.equal(c.get('connect_redis_sealed.record.size')?.metric.descriptor.unit, 'By')
  assert.equal((await m.collect()).size, 0, 'the store without `metrics` still published nothing')
  assert.equal(store.stats().sealed, 0)
})

test('open failures by reason: a tampered record, a moved record, an unparsable one; and opens with an older key', async () => {
  const reports: SealErrorInfo[] = []
  const { store, meters: m } = metered({ onSealError: (info) => reports.push(info) })
  const prefix = (store.toJSON() as { prefix: string }).prefix
  await store.set('victim', sessionWith({ user: 'v' }))
  const record = (await redis.raw.getBuffer(`${prefix}victim`)) as Buffer
  const tampered = Buffer.from(record)
  tampered[tampered.length - 1] = (tampered.at(-1) as number) ^ 1
  await redis.raw.set(`${prefix}tampered`, tampered)
  await redis.raw.set(`${prefix}moved`, record)
  await redis.raw.set(`${prefix}short`, record.subarray(0, 5))
  assert.equal(await store.get('tampered'), null)
  assert.equal(await store.get('moved'), null)
  assert.equal(await store.get('short'), null)

  const c = await m.collect()
  assert.deepEqual(reports.map((r) => r.reason), ['tag', 'tag', 'truncated'])
  assert.equal(valueOf(c, 'connect_redis_sealed.open_failures', { reason: 'tag' }), 2)
  assert.equal(valueOf(c, 'connect_redis_sealed.open_failures', { reason: 'truncated' }), 1)
  assert.equal(valueOf(c, 'connect_redis_sealed.open_failures'), store.stats().openFailures)
  assert.equal(valueOf(c, 'connect_redis_sealed.opens'), 0)

  const rotated = stores.create({ client: connection.client, prefix, secret: [SECRET_B, SECRET_A], metrics: { meterProvider: m.provider, attributes: { store: 'rotated' } } })
  assert.ok(await rotated.get('victim'))
  const r = await m.collect()
  assert.equal(valueOf(r, 'connect_redis_sealed.opens', { store: 'rotated', key: 'older' }), 1)
  assert.equal(valueOf(r, 'connect_redis_sealed.opens', { store: 'rotated', key: 'newest' }), 0)
})

test('pool: worker failures, fallbacks of a full queue, and the queue, thread and utilisation gauges', async () => {
  // The test worker (test/support/fault-worker.ts) fails tasks whose Redis key names a fault.
  const pool = openPool(resolvePoolSettings({ minThreads: 1, maxThreads: 1, maxQueue: 2, taskTimeout: 2000 }), FAULT_WORKER)
  const { store, meters: m } = metered({ pool, offloadThreshold: 1024 })
  try {
    await poolAtWork(store, m)
  } finally {
    await store.close()
    await pool.destroy()
  }
})

async function poolAtWork(store: RedisStore, m: TestMeters): Promise<void> {
  // A worker that throws: the seal is redone inline.
  await store.set('__fault_throw__', big(4096))
  let c = await m.collect()
  assert.equal(valueOf(c, 'connect_redis_sealed.pool.worker_failures'), 1)
  assert.equal(valueOf(c, 'connect_redis_sealed.seals'), 1)

  // One task hangs on the only worker; two wait (maxQueue 2); the rest run inline at once.
  const hung = store.set('__fault_hang__', big(4096))
  const queued = [store.set('q1', big(4096)), store.set('q2', big(4096))]
  await Promise.all([1, 2, 3].map((i) => store.set(`over${i}`, big(4096))))
  c = await m.collect()
  assert.equal(valueOf(c, 'connect_redis_sealed.pool.fallbacks'), 3)
  assert.equal(valueOf(c, 'connect_redis_sealed.pool.queue'), 2, 'two tasks wait behind the hung one')
  assert.equal(valueOf(c, 'connect_redis_sealed.pool.threads'), 1)
  const utilization = valueOf(c, 'connect_redis_sealed.pool.utilization')
  assert.ok(utilization >= 0 && utilization <= 1, `utilization ${utilization}`)
  assert.equal(c.get('connect_redis_sealed.pool.utilization')?.metric.descriptor.unit, '1')

  await Promise.all([hung, ...queued])
  c = await m.collect()
  const stats = store.stats()
  // The hang timed out; a replacement worker still booting on a loaded machine may time out too.
  assert.ok(stats.workerFailures >= 2)
  assert.equal(valueOf(c, 'connect_redis_sealed.pool.worker_failures'), stats.workerFailures)
  assert.equal(valueOf(c, 'connect_redis_sealed.pool.queue'), 0)
  assert.equal(valueOf(c, 'connect_redis_sealed.operations', { placement: 'pool' }), stats.pooled)
  assert.equal(valueOf(c, 'connect_redis_sealed.operations', { placement: 'inline' }), stats.inline)
  assert.equal(valueOf(c, 'connect_redis_sealed.seals'), 7)
  assert.equal(valueOf(c, 'connect_redis_sealed.seal.duration'), 7)
}

test('stores on one meter add up, and closing one never makes a counter go down', async () => {
  const m = testMeters()
  meters.push(m)
  const options = { client: connection.client, prefix: uniquePrefix('sum'), metrics: { meterProvider: m.provider } }
  const first = new RedisStore({ ...options, secret: SECRET_A, pool: false })
  const second = stores.create(options)
  await first.set('1', sessionWith())
  await first.set('2', sessionWith())
  await second.set('3', sessionWith())
  assert.equal(valueOf(await m.collect(), 'connect_redis_sealed.seals'), 3)
  await first.close()
  assert.equal(valueOf(await m.collect(), 'connect_redis_sealed.seals'), 3, 'a closed store keeps its counts')
  await second.set('4', sessionWith())
  assert.equal(valueOf(await m.collect(), 'connect_redis_sealed.seals'), 4)
  await second.close()
  assert.equal(valueOf(await m.collect(), 'connect_redis_sealed.seals'), 4, 'with no store left the total stays')
})

test('`metrics: true` publishes through the global MeterProvider of @opentelemetry/api', async () => {
  const m = testMeters()
  meters.push(m)
  assert.ok(otelMetrics.setGlobalMeterProvider(m.provider))
  try {
    const store = stores.create({ client: connection.client, prefix: uniquePrefix('global'), metrics: true })
    await store.set('g', sessionWith())
    const c = await m.collect()
    assert.equal(valueOf(c, 'connect_redis_sealed.seals'), 1)
    assert.equal(c.get('connect_redis_sealed.seals')?.metric.descriptor.unit, '{seal}')
  } finally {
    otelMetrics.disable()
  }
})

test('the metrics option is checked, naming the culprit', () => {
  const base = { client: connection.client, secret: SECRET_A, pool: false } as const
  const cases: [unknown, RegExp][] = [
    ['yes', /"metrics" must be an object/],
    [{ meter: {} }, /"metrics\.meter" must be an OpenTelemetry Meter/],
    [{ meterProvider: 42 }, /"metrics\.meterProvider" must be an OpenTelemetry MeterProvider/],
    [{ attributes: { store: {} } }, /"metrics\.attributes\.store" must be a string, number or boolean/],
    [{ exporter: true }, /"metrics\.exporter" is not a known option/],
  ]
  for (const [metrics, message] of cases) {
    assert.throws(() => new RedisStore({ ...base, metrics } as RedisStoreOptions), (error: Error) => error instanceof TypeError && message.test(error.message), String(metrics))
  }
})

test('without @opentelemetry/api installed the store loads and works; `metrics: true` says what to install', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--import', './test/fixtures/hide-otel-api.mjs', 'test/fixtures/without-otel-api.ts', redis.url],
    { timeout: 60_000 },
  )
  const seen = JSON.parse(stdout) as { user?: string; lookupsWithout: number; lookups: string[]; error?: { name: string; message: string }; recorded: string[] }
  assert.equal(seen.user, 'peer', 'set and get work')
  assert.equal(seen.lookupsWithout, 0, 'nothing looks for the API unless metrics are asked for')
  assert.deepEqual(seen.lookups, ['@opentelemetry/api'], 'metrics: true looked for it once')
  assert.equal(seen.error?.name, 'TypeError')
  assert.match(seen.error?.message ?? '', /option "metrics" needs the @opentelemetry\/api package \(npm install @opentelemetry\/api\)/)
  assert.deepEqual(seen.recorded, ['connect_redis_sealed.open.duration', 'connect_redis_sealed.record.size'], 'a meter of your own needs no API')
})

test('concurrent writes: conflicts, merges, same-path conflicts and dropped writes, each from zero', async () => {
  const { store, meters: m } = metered()
  const prefix = (store.toJSON() as { prefix: string }).prefix
  const other = stores.create({ client: connection.client, prefix })
  const zero = await m.collect()
  for (const name of ['conflicts', 'merges', 'merge_conflicts', 'dropped']) assert.equal(valueOf(zero, `connect_redis_sealed.write.${name}`), 0, `${name} is there from the start`)

  await store.set('s', sessionWith({ theme: 'light' }))
  const mine = (await store.get("s")) as unknown as Record<string, unknown>
  const theirs = (await other.get("s")) as unknown as Record<string, unknown>
  theirs.theme = 'dark'
  theirs.added = 1
  await other.set('s', theirs as never)
  mine.theme = 'blue'
  await store.set('s', mine as never)
  const ended = (await store.get('s')) as never
  await other.destroy('s')
  await store.set('s', ended)

  const c = await m.collect()
  assert.deepEqual(
    ['conflicts', 'merges', 'merge_conflicts', 'dropped'].map((name) => valueOf(c, `connect_redis_sealed.write.${name}`)),
    [1, 1, 1, 1],
  )
})
