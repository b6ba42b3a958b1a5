/**
 * Durable revocation on a real Redis Cluster (3 masters, 1 replica each) and a real Sentinel set,
 * node-redis 6 and ioredis 5: `destroy` waits, on the store's own connection to each key's master,
 * until that master's replica holds the deletion; with one shard's replica stalled, destroys of keys
 * in that shard fail with ERR_SEALED_NOT_DURABLE and the others succeed; on Sentinel, a stalled
 * replica fails them all.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { RedisStore, SealedError } from '../../src/index.js'
import { startRedisCluster, type LocalCluster } from '../support/redis-cluster.js'
import { startSentinelSet, type LocalSentinelSet } from '../support/redis-sentinel.js'
import { redisCli } from '../support/redis-cli.js'
import { sessionWith } from '../support/sessions.js'
import { manySids } from '../support/spread.js'
import { connectClient, type ClientName } from '../support/topology-clients.js'

const CLIENTS: readonly ClientName[] = ['node-redis 6', 'ioredis 5']
let cluster: LocalCluster
let sentinel: LocalSentinelSet
before(async () => {
  ;[cluster, sentinel] = await Promise.all([startRedisCluster(3, 1), startSentinelSet()])
})
after(() => Promise.all([cluster?.stop(), sentinel?.stop()]))

/** The port of the master that holds `key`, as the cluster itself answers. */
async function masterOf(key: string): Promise<number> {
  const slot = Number(await redisCli(cluster.rootNodes[0]?.port as number, ['CLUSTER', 'KEYSLOT', key]))
  const shards = await cluster.shards()
  for (const shard of shards) {
    const owned = await redisCli(shard.masterPort, ['CLUSTER', 'COUNTKEYSINSLOT', slot])
    if (owned !== '0') return shard.masterPort
  }
  throw new Error(`no master holds ${key}`)
}

/**
 * Two stores on one prefix and secret. Healthy replicas confirm within ms, but a busy 2-core CI host
 * has taken over 300 ms: `store`, whose deletions must be confirmed, waits up to 5 s; `impatient`
 * waits `impatientMs` and is the one that meets a stalled replica. `warm` opens the impatient
 * store's connections (to each master of `sids`) before a stall: opened during one, a cluster
 * client's discovery may wait on the stopped replica past the command timeout.
 */
function durableStores(client: object, prefix: string, impatientMs: number) {
  const secret = randomBytes(32)
  const make = (timeout: number) => new RedisStore({ client, secret, prefix, pool: false, durability: { replicas: 1, timeout } })
  const [store, impatient] = [make(5000), make(impatientMs)]
  return {
    store,
    impatient,
    warm: (sids: readonly string[]) => Promise.all(sids.map((sid) => impatient.destroy(sid).catch(() => {}))),
    close: () => Promise.all([store.close(), impatient.close()]),
  }
}

/** Runs `work` with `node` stopped (SIGSTOP), and lets it run again however `work` ends. */
async function whileStopped(node: { process: { kill(signal: NodeJS.Signals): unknown } } | undefined, work: () => Promise<void>): Promise<void> {
  node?.process.kill('SIGSTOP')
  try {
    await work()
  } finally {
    node?.process.kill('SIGCONT')
  }
}

for (const name of CLIENTS) {
  describe(`durability on a cluster with ${name}`, () => {
    const prefix = `durable-${name.replace(/\W/g, '')}:`
    it('every destroy resolves once the replica of its master holds the deletion; a stalled replica fails only its own shard', async () => {
      const topology = await connectClient(name, 'cluster', { cluster })
      // With the replica stalled, 1.5 s: the other shards must still confirm in it.
      const { store, impatient, warm, close } = durableStores(topology.client, prefix, 1500)
      try {
        const sids = manySids(30, 'durable')
        await Promise.all(sids.map((sid) => store.set(sid, sessionWith({ i: sid }))))
        const shards = await cluster.shards()
        await Promise.all(sids.slice(0, 15).map((sid) => store.destroy(sid)))
        for (const shard of shards) {
          const left = (await redisCli(shard.replicaPorts[0] as number, ['--scan', '--pattern', `${prefix}*`])).split('\n').filter(Boolean)
          assert.ok(left.every((key) => sids.slice(15).includes(key.slice(prefix.length))), `replica ${shard.replicaPorts[0]} no longer holds a destroyed session`)
        }

        const stalled = shards[0] as (typeof shards)[number]
        const rest = sids.slice(15)
        const owners = await Promise.all(rest.map((sid) => masterOf(prefix + sid)))
        await warm(manySids(30, 'warm'))
        await whileStopped(
          cluster.nodes.find((node) => node.port === stalled.replicaPorts[0]),
          async () => {
            const outcomes = await Promise.all(rest.map((sid) => impatient.destroy(sid).then(() => 'ok', (e: unknown) => (e instanceof SealedError ? e.code : String(e)))))
            rest.forEach((sid, i) => {
              const expected = owners[i] === stalled.masterPort ? 'ERR_SEALED_NOT_DURABLE' : 'ok'
              assert.equal(outcomes[i], expected, `${sid} on master ${owners[i]}`)
            })
            assert.ok(owners.includes(stalled.masterPort) && owners.some((port) => port !== stalled.masterPort), 'the sessions spread over the stalled shard and others')
          },
        )
        await cluster.settled()
      } finally {
        await close()
        await topology.close()
      }
    })
  })
}

for (const name of CLIENTS) {
  describe(`durability on Sentinel with ${name}`, () => {
    it('destroy resolves once the replica holds the deletion, and fails with ERR_SEALED_NOT_DURABLE while it is stalled', async () => {
      const topology = await connectClient(name, 'sentinel', { sentinel })
      const prefix = `durable-sentinel-${name.replace(/\W/g, '')}:`
      const { store, impatient, warm, close } = durableStores(topology.client, prefix, 300)
      try {
        const { replicaPort } = await sentinel.settled()
        await store.set('a', sessionWith({ n: 1 }))
        await store.set('b', sessionWith({ n: 2 }))
        await store.destroy('a')
        assert.equal(await redisCli(replicaPort, ['EXISTS', `${prefix}a`]), '0')
        await warm(['warm'])
        await whileStopped(
          sentinel.dataNodes.find((node) => node.port === replicaPort),
          () => assert.rejects(impatient.destroy('b'), (e: unknown) => e instanceof SealedError && e.code === 'ERR_SEALED_NOT_DURABLE'),
        )
        await sentinel.settled()
      } finally {
        await close()
        await topology.close()
      }
    })
  })
}
