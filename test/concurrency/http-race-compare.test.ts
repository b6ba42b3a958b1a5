/**
 * A measurement, not a check: issue 22's HTTP race (see http-race.test.ts) with our store under
 * `concurrency: 'overwrite'` and with connect-redis 9, both of which let the last write win
 * whole. It prints their counts for the README and asserts only that the harness ran.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { report, useSingleRedisRace } from './single-redis-race.js'

const race = useSingleRedisRace()

test("measurement: ours with concurrency: 'overwrite' (connect-redis's behaviour)", async () => {
  const counts = await race({ store: 'sealed', concurrency: 'overwrite' }, ['node-redis', 'ioredis'])
  report('connect-redis-sealed (overwrite)', counts)
  assert.equal(counts.failed, 0)
})

test('measurement: connect-redis 9', async () => {
  const counts = await race({ store: 'connect-redis' }, ['node-redis', 'node-redis'])
  report('connect-redis 9', counts)
  assert.equal(counts.failed, 0)
})
