/**
 * Issue 22's HTTP race (see http-race.test.ts) on a real Redis Cluster (3 masters, 3 replicas)
 * and a real Sentinel set, fewer rounds: two app processes (node-redis and ioredis, each with
 * its Cluster or Sentinel client), one session, 64 concurrent requests a round. The
 * compare-and-set is one single-key script, so it runs on the Cluster unchanged; nothing may be
 * lost or come back.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MASTER_NAME } from '../support/redis-sentinel.js'
import { useTopologies } from '../support/topology-clients.js'
import { runHttpRace, startRaceApps, writeCounts, type RaceAppConfig } from './race-apps.js'

const ROUNDS = 8

describe('the HTTP race on a Cluster and on Sentinel', () => {
  const servers = useTopologies()

  const race = async (topology: 'cluster' | 'sentinel') => {
    const where: Partial<RaceAppConfig> =
      topology === 'cluster'
        ? { nodes: servers.cluster?.rootNodes ?? [] }
        : { sentinel: { name: MASTER_NAME, sentinels: servers.sentinel?.sentinels ?? [] } }
    const apps = await startRaceApps((['node-redis', 'ioredis'] as const).map((client) => ({ store: 'sealed', client, topology, ...where })))
    try {
      const counts = await runHttpRace(apps, ROUNDS)
      const stats = await writeCounts(apps)
      console.log(
        `[topology-race] ${topology}: ${ROUNDS} rounds × 64 requests: ${counts.lost} of ${counts.additions} additions lost, ` +
          `${counts.revived} of ${counts.deletions} deletions undone, ${counts.failed} failed; ${stats.conflicts} conflicts, ${stats.merges} merges`,
      )
      return { ...counts, ...stats }
    } finally {
      await Promise.all(apps.map((app) => app.close()))
    }
  }

  for (const topology of ['cluster', 'sentinel'] as const) {
    it(`${topology}: every addition and every deletion kept in each of ${ROUNDS} rounds`, async () => {
      const counts = await race(topology)
      assert.equal(counts.failed, 0)
      assert.equal(counts.lost, 0)
      assert.equal(counts.revived, 0)
      assert.equal(counts.duplicated, 0)
      assert.ok(counts.merges > 0, 'the requests did race')
    })
  }
})
