import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { POOL_FAILURE_WARNING, POOL_FAILURES_TO_WARN } from '../../src/dispatch/failure-alarm.js'
import type { PoolSettings } from '../../src/options/pool.js'
import { closeSharedPool, sealerPair, sessionText, type SealerPair } from './pool-fixture.js'

// The pools here run test/support/fault-worker.ts, which honours faults named in a task's Redis key.
const text = sessionText(64 * 1024)
const pairs: SealerPair[] = []
after(async () => {
  await Promise.all(pairs.map((p) => p.pooled.close()))
  await closeSharedPool()
})

async function ownPair(pool: PoolSettings = {}): Promise<SealerPair> {
  const pair = await sealerPair({ pool })
  pairs.push(pair)
  return pair
}

for (const fault of ['throw', 'exit'] as const) {
  test(`a worker that ${fault === 'throw' ? 'throws' : 'exits'} mid-task: the operation is redone inline and the pool recovers`, async () => {
    const { pooled } = await ownPair()
    const key = `sess:__fault_${fault}__`
    const sealed = await pooled.seal(text, key)
    assert.ok(Buffer.isBuffer(sealed))
    const opened = await pooled.open(sealed, key)
    assert.ok(opened.ok)
    assert.equal(opened.text, text)
    const stats = pooled.stats()
    assert.equal(stats.workerFailures, 2, 'the seal and the open both failed on the worker')
    assert.equal(stats.pooled, 0)
    assert.equal(stats.inline, 2, 'both were redone inline')
    const healthy = await Promise.resolve(pooled.open(sealed, key.replace(`__fault_${fault}__`, ''))).catch(() => undefined)
    assert.deepEqual(healthy && { ok: healthy.ok }, { ok: false }, 'a moved record still fails on the replacement worker')
    assert.equal(pooled.stats().pooled, 1, 'the pool (with its replacement worker) runs tasks again')
  })
}

test('a pool whose every task fails says so: one process warning, while every operation still succeeds inline', async () => {
  const { pooled } = await ownPair()
  const warnings: Error[] = []
  const listen = (warning: Error) => warnings.push(warning)
  process.on('warning', listen)
  try {
    for (let i = 0; i < POOL_FAILURES_TO_WARN * 2; i++) assert.ok(Buffer.isBuffer(await pooled.seal(text, 'sess:__fault_throw__')))
    await new Promise((resolve) => setImmediate(resolve))
  } finally {
    process.off('warning', listen)
  }
  assert.equal(pooled.stats().workerFailures, POOL_FAILURES_TO_WARN * 2)
  const ours = warnings.filter((w) => (w as { code?: string }).code === POOL_FAILURE_WARNING)
  assert.equal(ours.length, 1, 'one warning, not one per failure')
  assert.match(ours[0]?.message ?? '', /pooled tasks failed/)
  assert.ok(!ours[0]?.message.includes('injected worker fault') && !ours[0]?.message.includes(text.slice(0, 20)), 'no task content, no error message')
})

test('a task that hangs is aborted after taskTimeout and redone inline', async () => {
  const { pooled } = await ownPair({ taskTimeout: 300 })
  const started = performance.now()
  const sealed = await pooled.seal(text, 'sess:__fault_hang__')
  const elapsed = performance.now() - started
  assert.ok(Buffer.isBuffer(sealed))
  assert.ok(elapsed >= 290 && elapsed < 5000, `settled after ${elapsed.toFixed(0)} ms`)
  assert.equal(pooled.stats().workerFailures, 1)
  const opened = await pooled.open(sealed, 'sess:__fault_hang__'.replace('__fault_hang__', 'x'))
  assert.equal(opened.ok, false)
})

test('a saturated pool runs the excess inline instead of queueing without bound', async () => {
  const { pooled } = await ownPair({ maxQueue: 2 })
  const key = 'sess:saturated'
  const results = await Promise.all(Array.from({ length: 24 }, () => pooled.seal(text, key)))
  const opened = await Promise.all(results.map((r) => pooled.open(r as Buffer, key)))
  assert.ok(opened.every((o) => o.ok && o.text === text))
  const stats = pooled.stats()
  assert.ok(stats.fallbacks > 0, `fallbacks: ${stats.fallbacks}`)
  assert.equal(stats.workerFailures, 0)
  assert.equal(stats.pooled + stats.inline, 48)
  assert.equal(stats.fallbacks, stats.inline)
})

test('close() waits for tasks in flight, then destroys the pool', async () => {
  const { pooled } = await ownPair({ minThreads: 1 })
  const key = 'sess:closing'
  const inflight = Array.from({ length: 8 }, () => pooled.seal(text, key))
  await pooled.close()
  const results = await Promise.allSettled(inflight)
  assert.ok(results.every((r) => r.status === 'fulfilled'), 'every task settled with a record')
  const stats = pooled.stats()
  assert.deepEqual({ pooled: stats.pooled, inline: stats.inline, workerFailures: stats.workerFailures }, { pooled: 8, inline: 0, workerFailures: 0 }, 'all eight ran on the pool, none was redone inline')
  assert.equal(stats.threads, 0, 'no worker left')
})
