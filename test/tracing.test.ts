/**
 * `node:diagnostics_channel` tracing channels around get/set/destroy: what an APM tool sees, and
 * that nothing is made when nobody listens.
 */
import assert from 'node:assert/strict'
import { AsyncLocalStorage } from 'node:async_hooks'
import diagnostics_channel from 'node:diagnostics_channel'
import { test } from 'node:test'
import type { SessionData } from 'express-session'
import type { StoreTraceContext } from '../src/index.js'
import { traceContextsMade } from '../src/telemetry/tracing.js'
import { clientKinds, useClient, useRedis } from './support/redis.js'
import { probe, sessionWith, StoreTracker, uniquePrefix } from './support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

const OPERATIONS = ['get', 'set', 'destroy'] as const
const MARKER = 'plaintext-marker-93c1'
type Event = [event: string, operation: string, sid: string]

/** Subscribes to every channel of every operation; `stop()` unsubscribes. */
function listen(): { events: Event[]; contexts: StoreTraceContext[]; stop(): void } {
  const events: Event[] = []
  const contexts: StoreTraceContext[] = []
  const unsubscribes = OPERATIONS.map((operation) => {
    const channel = diagnostics_channel.tracingChannel<unknown, StoreTraceContext>(`connect-redis-sealed:${operation}`)
    const record = (event: string) => (context: StoreTraceContext) => {
      events.push([event, operation, context.sid])
      if (event === 'start') contexts.push(context)
    }
    const handlers = { start: record('start'), end: record('end'), asyncStart: record('asyncStart'), asyncEnd: record('asyncEnd'), error: record('error') }
    channel.subscribe(handlers)
    return () => channel.unsubscribe(handlers)
  })
  return { events, contexts, stop: () => unsubscribes.forEach((u) => u()) }
}

const SUCCESS = (operation: string, sid: string): Event[] => ['start', 'end', 'asyncStart', 'asyncEnd'].map((e) => [e, operation, sid] as Event)

test('start, end, asyncStart and asyncEnd around each get, set and destroy, with the sid and never the session', async () => {
  const store = stores.create({ client: connection.client, prefix: uniquePrefix('trace') })
  const trace = listen()
  try {
    await store.set('s1', sessionWith({ user: MARKER }))
    const read = await store.get('s1')
    assert.equal((read as unknown as { user: string }).user, MARKER, 'the caller still gets the session')
    assert.equal(await store.get('nobody'), null)
    await store.destroy('s1')
    const p = probe<void>()
    await store.destroy('s2', p.callback)
    assert.deepEqual(p.calls, [{ err: null, value: undefined }])
  } finally {
    trace.stop()
  }
  assert.deepEqual(trace.events, [...SUCCESS('set', 's1'), ...SUCCESS('get', 's1'), ...SUCCESS('get', 'nobody'), ...SUCCESS('destroy', 's1'), ...SUCCESS('destroy', 's2')])
  for (const context of trace.contexts) {
    assert.deepEqual(Object.keys(context).sort(), ['operation', 'result', 'sid'])
    assert.equal(context.result, undefined)
    assert.equal(JSON.stringify(context).includes(MARKER), false)
  }
})

test('a Redis error or a refused write publishes error, then asyncStart/asyncEnd, and still reaches the caller', async () => {
  const prefix = uniquePrefix('trace-err')
  const store = stores.create({ client: connection.client, prefix, maxSessionBytes: 64 })
  await redis.raw.call('HSET', `${prefix}hash`, 'field', 'value')
  const kind = clientKinds()[0]
  assert.ok(kind)
  const lost = await kind.create(redis.url, { failFast: true })
  await kind.close(lost)
  const offline = stores.create({ client: lost, prefix })
  const errors: unknown[] = []
  const trace = listen()
  try {
    assert.equal(await store.get('hash'), null, 'a key of another type is no session, not an error')
    await assert.rejects(offline.get('hash'))
    await assert.rejects(store.set('big', sessionWith({ blob: 'x'.repeat(100) })), { code: 'ERR_SEALED_TOO_LARGE' })
    await assert.rejects(offline.destroy('gone'))
    for (const context of trace.contexts) errors.push(context.error)
  } finally {
    trace.stop()
  }
  const failed = (operation: string, sid: string): Event[] => ['start', 'end', 'error', 'asyncStart', 'asyncEnd'].map((e) => [e, operation, sid] as Event)
  const ok = (operation: string, sid: string): Event[] => ['start', 'end', 'asyncStart', 'asyncEnd'].map((e) => [e, operation, sid] as Event)
  assert.deepEqual(trace.events, [...ok('get', 'hash'), ...failed('get', 'hash'), ...failed('set', 'big'), ...failed('destroy', 'gone')])
  assert.equal(errors[0], undefined)
  assert.ok(errors[1] instanceof Error)
  assert.equal((errors[2] as { code?: string }).code, 'ERR_SEALED_TOO_LARGE')
  assert.ok(errors[3] instanceof Error)
})

test("an APM's AsyncLocalStorage bound to the start channel is current inside the store's work", async () => {
  const als = new AsyncLocalStorage<string>()
  const seen: (string | undefined)[] = []
  const serializer = {
    stringify: (session: SessionData) => {
      seen.push(als.getStore())
      return JSON.stringify(session)
    },
    parse: (text: string) => {
      seen.push(als.getStore())
      return JSON.parse(text) as SessionData
    },
  }
  const store = stores.create({ client: connection.client, prefix: uniquePrefix('trace-als'), serializer })
  const channels = OPERATIONS.map((operation) => diagnostics_channel.tracingChannel<unknown, StoreTraceContext>(`connect-redis-sealed:${operation}`))
  for (const channel of channels) channel.start.bindStore(als, (context) => `span:${context.operation}:${context.sid}`)
  try {
    await store.set('als', sessionWith())
    await store.get('als')
  } finally {
    for (const channel of channels) channel.start.unbindStore(als)
  }
  assert.deepEqual(seen, ['span:set:als', 'span:get:als'])
  await store.get('als')
  assert.deepEqual(seen.at(-1), undefined, 'unbound: no store any more')
})

test('with nobody listening, no trace context is made', async () => {
  const store = stores.create({ client: connection.client, prefix: uniquePrefix('trace-off') })
  const before = traceContextsMade()
  await store.set('quiet', sessionWith())
  await store.get('quiet')
  await store.destroy('quiet')
  assert.equal(traceContextsMade(), before)

  const trace = listen()
  await store.get('quiet')
  trace.stop()
  assert.equal(traceContextsMade(), before + 1, 'the counter does count when someone listens')
  await store.get('quiet')
  await store.set('quiet', sessionWith())
  assert.equal(traceContextsMade(), before + 1, 'and stops once they unsubscribe')
})
