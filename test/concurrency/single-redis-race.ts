/**
 * The HTTP race of issue 22 on one redis-server started for the test file: app processes of
 * fixtures/race-app.ts (one per client given), 20 rounds, and a printed line of counts.
 */
import { after, before } from 'node:test'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import { runHttpRace, startRaceApps, writeCounts, type RaceAppConfig, type RaceCounts } from './race-apps.js'

export const ROUNDS = 20

export type Counts = RaceCounts & Awaited<ReturnType<typeof writeCounts>>

/** Starts the file's redis-server; returns the function that runs one race on it. */
export function useSingleRedisRace(): (config: Pick<RaceAppConfig, 'store' | 'concurrency'>, clients: readonly RaceAppConfig['client'][]) => Promise<Counts> {
  let redis: LocalRedis | undefined
  before(async () => {
    redis = await startRedis()
  })
  after(async () => {
    await redis?.stop()
  })
  return async (config, clients) => {
    const url = redis?.url
    if (!url) throw new Error('the redis-server is not started yet')
    const apps = await startRaceApps(clients.map((client) => ({ ...config, client, topology: 'single', url })))
    try {
      const counts = await runHttpRace(apps, ROUNDS)
      return { ...counts, ...(await writeCounts(apps)) }
    } finally {
      await Promise.all(apps.map((app) => app.close()))
    }
  }
}

/** One line of counts, for the README's comparison. */
export function report(label: string, counts: Counts): void {
  console.log(
    `[http-race] ${label}: ${counts.rounds} rounds × 64 requests: ${counts.lost} of ${counts.additions} additions lost, ` +
      `${counts.revived} of ${counts.deletions} deletions undone, ${counts.duplicated} duplicated, ${counts.failed} failed; ` +
      `stats: ${counts.conflicts} conflicts, ${counts.merges} merges, ${counts.mergeConflicts} same-path conflicts, ${counts.droppedWrites} dropped writes`,
  )
}
