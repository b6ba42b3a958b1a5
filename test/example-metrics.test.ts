/**
 * The example app's `/metrics` over real HTTP against a private redis-server: the store's
 * OpenTelemetry metrics in Prometheus' text format, through @opentelemetry/exporter-prometheus.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { createClient, RESP_TYPES } from 'redis'
import { SERVICE_NAME } from '../examples/metrics.js'
import { startApp, type RunningApp } from '../examples/server.js'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'

let redis: LocalRedis
let app: RunningApp

before(async () => {
  redis = await startRedis()
  app = await startApp({ port: 0, redisUrl: redis.url, secret: randomBytes(32) })
})

after(async () => {
  await app?.close()
  await redis?.stop()
})

/** Every sample line of a Prometheus text exposition as `name{labels}` → value. */
async function scrape(): Promise<{ samples: Map<string, number>; text: string; type: string | null }> {
  const response = await fetch(`${app.url}/metrics`)
  assert.equal(response.status, 200)
  const text = await response.text()
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line)
    if (match) samples.set(`${match[1]}${(match[2] ?? '').replace(/,?otel_scope_name="[^"]*"/, '').replace('{}', '')}`, Number(match[3]))
  }
  return { samples, text, type: response.headers.get('content-type') }
}

async function post(path: string, form: Record<string, string>, cookie = ''): Promise<Response> {
  return fetch(app.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  })
}

/** Every series a dashboard plots from the first scrape on: one per counter and label value. */
const COUNTERS_AT_START = [
  'connect_redis_sealed_seals_total',
  'connect_redis_sealed_opens_total{key="newest"}',
  'connect_redis_sealed_opens_total{key="older"}',
  'connect_redis_sealed_opens_total{key="legacy"}',
  'connect_redis_sealed_operations_total{placement="inline"}',
  'connect_redis_sealed_operations_total{placement="pool"}',
  'connect_redis_sealed_operations_total{placement="memory"}',
  'connect_redis_sealed_pool_fallbacks_total',
  'connect_redis_sealed_pool_worker_failures_total',
  'connect_redis_sealed_write_conflicts_total',
  'connect_redis_sealed_write_merges_total',
  'connect_redis_sealed_write_merge_conflicts_total',
  'connect_redis_sealed_write_dropped_total',
  ...['truncated', 'version', 'algorithm', 'key', 'flags', 'tag', 'too-large', 'decompress', 'encoding', 'parse', 'expired', 'future', 'absolute', 'legacy', 'legacy-ended', 'legacy-busy', 'created-after-sealed', 'wrong-type'].map(
    (reason) => `connect_redis_sealed_open_failures_total{reason="${reason}"}`,
  ),
]

test('before any request, /metrics names the service and shows every counter at zero', async () => {
  const { samples, text } = await scrape()
  assert.match(text, new RegExp(`^target_info\\{service_name="${SERVICE_NAME}"\\} 1$`, 'm'), 'the OpenTelemetry resource names the service')
  assert.ok(!text.includes('unknown_service'), 'no unknown_service:node')
  for (const series of COUNTERS_AT_START) assert.equal(samples.get(series), 0, `${series} is present at 0`)
})

test('after a login, a profile view and a cart large enough for the pool, /metrics shows the store at work', async () => {
  const idle = await scrape()
  assert.match(idle.type ?? '', /^text\/plain/)
  assert.equal(idle.samples.get('connect_redis_sealed_seals_total'), 0)
  assert.equal(idle.samples.has('connect_redis_sealed_seal_duration_count'), false, 'no histogram before the first seal')

  const login = await post('/login', { name: 'Metrics Probe' })
  assert.equal(login.status, 303)
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? ''
  assert.match(cookie, /^connect\.sid=/)
  assert.equal((await fetch(`${app.url}/profile`, { headers: { cookie } })).status, 200)
  assert.equal((await post('/cart/add', { sku: 'tea-green', count: '1000' }, cookie)).status, 303)
  assert.equal((await fetch(`${app.url}/cart`, { headers: { cookie } })).status, 200)

  const { samples, text } = await scrape()
  const stats = app.store.stats()
  assert.ok(stats.pooled >= 1, 'the cart went through the pool')
  assert.equal(samples.get('connect_redis_sealed_seals_total'), stats.sealed)
  assert.equal(samples.get('connect_redis_sealed_opens_total{key="newest"}'), stats.opened)
  assert.equal(samples.get('connect_redis_sealed_operations_total{placement="pool"}'), stats.pooled)
  assert.equal(samples.get('connect_redis_sealed_seal_duration_count'), stats.sealed)
  assert.equal(samples.get('connect_redis_sealed_open_duration_count'), stats.opened - stats.recalled, 'one open time per decryption')
  assert.ok(stats.recalled >= 1, 'the small profile session was read back from memory')
  assert.equal(samples.get('connect_redis_sealed_operations_total{placement="memory"}'), stats.recalled)
  assert.ok((samples.get('connect_redis_sealed_record_size_bucket{operation="seal",le="65536"}') ?? Infinity) < stats.sealed, 'the cart record is over 64 KB')
  assert.equal(samples.get('connect_redis_sealed_pool_threads'), stats.threads)
  for (const name of [
    'connect_redis_sealed_pool_fallbacks_total',
    'connect_redis_sealed_pool_worker_failures_total',
    'connect_redis_sealed_pool_queue',
    'connect_redis_sealed_pool_utilization',
  ]) {
    assert.match(text, new RegExp(`^# TYPE ${name} (counter|gauge)$`, 'm'), name)
  }
  assert.match(text, /^# TYPE connect_redis_sealed_seal_duration histogram$/m)
})

test('a tampered record shows up as an open failure with its reason', async () => {
  const login = await post('/login', { name: 'Tamper Probe' })
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? ''
  const sid = /^connect\.sid=s%3A([^.]+)\./.exec(cookie)?.[1]
  assert.ok(sid, cookie)
  const inspector = createClient({ url: redis.url })
  await inspector.connect()
  try {
    const record = (await inspector.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(`sess:${sid}`)) as Buffer | null
    assert.ok(record)
    record[record.length - 1] = (record.at(-1) as number) ^ 1
    await inspector.set(`sess:${sid}`, record)
  } finally {
    await inspector.close()
  }
  const profile = await fetch(`${app.url}/profile`, { headers: { cookie }, redirect: 'manual' })
  assert.equal(profile.status, 303, 'a record that does not open is no session: back to the login page')
  const { samples } = await scrape()
  assert.equal(samples.get('connect_redis_sealed_open_failures_total{reason="tag"}'), 1)
})
