/**
 * Issue 22's HTTP race on one Redis: two app processes (node-redis and ioredis), one session,
 * 20 rounds of 64 concurrent requests that add keys, push onto one cart, and delete keys or
 * cart items added the round before. With the default (`concurrency: 'merge'`) nothing is lost
 * and nothing deleted comes back. http-race-compare.test.ts runs the same harness with
 * `'overwrite'` and with connect-redis 9.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { report, useSingleRedisRace } from './single-redis-race.js'

const race = useSingleRedisRace()

test('ours, default options: every addition kept and every deletion kept, in every round', async () => {
  const counts = await race({ store: 'sealed' }, ['node-redis', 'ioredis'])
  report('connect-redis-sealed (merge)', counts)
  assert.equal(counts.failed, 0)
  assert.equal(counts.lost, 0)
  assert.equal(counts.revived, 0)
  assert.equal(counts.duplicated, 0)
  assert.ok(counts.merges > 0, 'the requests did race')
  assert.equal(counts.mergeConflicts, 0, 'no two requests changed the same path (each renews its cookie, which stays out of the merge)')
})
