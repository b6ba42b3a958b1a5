/**
 * Issue 22's HTTP race on one Redis: two app processes (node-redis and ioredis), one session,
 * 20 rounds of 64 concurrent requests that add keys, push onto one cart, and delete keys or
 * cart items added the round before. With the default (`concurrency: 'merge'`) nothing is lost
 * and nothing deleted comes back. The same harness with `'overwrite'` and with connect-redis 9
 * is a measurement: it prints their counts and asserts nothing about them.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import { runHttpRace, startRaceApps, type RaceAppConfig, type RaceCounts } from './race-apps.js'

const ROUNDS = 20

let redis: LocalRedis
before(async () => {
  redis = await startRedis()
})
after(async () => {
  await redis.stop()
})

async function race(config: Pick<RaceAppConfig, 'store' | 'concurrency'>, clients: readonly RaceAppConfig['client'][]): Promise<RaceCounts> {
  const apps = await startRaceApps(clients.map((client) => ({ ...config, client, topology: 'single', url: redis.url })))
  try {
    return await runHttpRace(apps, ROUNDS)
  } finally {
    await Promise.all(apps.map((app) => app.close()))
  }
}

function report(label: string, counts: RaceCounts): void {
  console.log(
    `[http-race] ${label}: ${counts.rounds} rounds × 64 requests: ${counts.lost} of ${counts.additions} additions lost, ` +
      `${counts.revived} of ${counts.deletions} deletions undone, ${counts.duplicated} duplicated, ${counts.failed} failed`,
  )
}

test('ours, default options: every addition kept and every deletion kept, in every round', async () => {
  const counts = await race({ store: 'sealed' }, ['node-redis', 'ioredis'])
  report('connect-redis-sealed (merge)', counts)
  assert.equal(counts.failed, 0)
  assert.equal(counts.lost, 0)
  assert.equal(counts.revived, 0)
  assert.equal(counts.duplicated, 0)
})

test("measurement: ours with concurrency: 'overwrite' (connect-redis's behaviour)", async () => {
  report("connect-redis-sealed (overwrite)", await race({ store: 'sealed', concurrency: 'overwrite' }, ['node-redis', 'ioredis']))
})

test('measurement: connect-redis 9', async () => {
  report('connect-redis 9', await race({ store: 'connect-redis' }, ['node-redis', 'node-redis']))
})
