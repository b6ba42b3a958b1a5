/**
 * Client configurations that change where commands go: clients set up to read from replicas,
 * an ioredis Cluster that has not connected yet, and a hash-tag prefix. Each check also shows the
 * effect on the client's own commands, so that it could fail.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { Cluster as IoCluster5 } from 'ioredis'
import { Cluster as IoCluster6 } from 'ioredis6'
import { createCluster as createCluster6, createSentinel as createSentinel6 } from 'redis'
import { createCluster as createCluster5, createSentinel as createSentinel5 } from 'redis5'
import { RedisStore } from '../../src/store.js'
import { infoFields, redisCli } from '../support/redis-cli.js'
import { sessionWith } from '../support/sessions.js'
import { manySids } from '../support/spread.js'
import { connectClient, type Servers, useTopologies } from '../support/topology-clients.js'

const SECRET = randomBytes(32)

/** GET calls served so far by the nodes on `ports` (INFO commandstats). */
async function getCalls(ports: readonly number[]): Promise<number> {
  const counts = await Promise.all(
    ports.map(async (port) => Number(/calls=(\d+)/.exec(infoFields(await redisCli(port, ['INFO', 'commandstats'])).get('cmdstat_get') ?? '')?.[1] ?? 0)),
  )
  return counts.reduce((a, b) => a + b, 0)
}

interface ReadingClient {
  get(key: string): Promise<unknown>
  set(key: string, value: string): Promise<unknown>
  close(): Promise<void>
  on(event: 'error', listener: () => void): unknown
  connect(): Promise<unknown>
}

describe('client set-ups that move commands elsewhere', () => {
  const servers = useTopologies()

  const replicaReaders = [
    { name: 'node-redis 6 createCluster({ useReplicas: true })', topology: 'cluster', make: (s: Servers) => createCluster6({ rootNodes: s.cluster!.rootNodes.map(({ port }) => ({ url: `redis://127.0.0.1:${port}` })), useReplicas: true }) },
    { name: 'node-redis 5 createCluster({ useReplicas: true })', topology: 'cluster', make: (s: Servers) => createCluster5({ rootNodes: s.cluster!.rootNodes.map(({ port }) => ({ url: `redis://127.0.0.1:${port}` })), useReplicas: true }) },
    { name: 'node-redis 6 createSentinel({ replicaPoolSize: 1 })', topology: 'sentinel', make: (s: Servers) => createSentinel6({ name: s.sentinel!.name, sentinelRootNodes: [...s.sentinel!.sentinels], replicaPoolSize: 1 }) },
    { name: 'node-redis 5 createSentinel({ replicaPoolSize: 1 })', topology: 'sentinel', make: (s: Servers) => createSentinel5({ name: s.sentinel!.name, sentinelRootNodes: [...s.sentinel!.sentinels], replicaPoolSize: 1 }) },
  ] as const

  for (const reader of replicaReaders) {
    it(`${reader.name}: the store reads from masters while the client's own GETs go to replicas`, async () => {
      const replicaPorts =
        reader.topology === 'cluster'
          ? (await servers.cluster!.shards()).flatMap((shard) => shard.replicaPorts)
          : [(await servers.sentinel!.settled()).replicaPort]
      const client = reader.make(servers) as unknown as ReadingClient
      client.on('error', () => {})
      await client.connect()
      const store = new RedisStore({ client, prefix: `replica-reads:${reader.name.replace(/\W+/g, '')}:`, secret: SECRET, pool: false })
      try {
        const sids = manySids(40, 'r')
        await Promise.all(sids.map((sid) => store.set(sid, sessionWith({ user: sid }))))
        const before = await getCalls(replicaPorts)
        for (const sid of sids) assert.equal(((await store.get(sid)) as { user?: string } | null)?.user, sid)
        assert.equal(await getCalls(replicaPorts), before, 'no store GET reached a replica')

        await client.set('replica-reads-probe', 'x')
        for (let i = 0; i < 20; i++) await client.get('replica-reads-probe')
        assert.ok((await getCalls(replicaPorts)) > before, "the client's own GETs do go to replicas")
      } finally {
        await store.clear()
        await store.close()
        await client.close()
      }
    })
  }

  for (const [name, Cluster] of [['ioredis 5', IoCluster5], ['ioredis 6', IoCluster6]] as const) {
    it(`${name} Cluster not connected yet (lazyConnect) when the store is made: ids and length connect it and wait for the slot map`, async () => {
      const cluster = new Cluster(servers.cluster!.rootNodes.map((node) => ({ ...node })), { lazyConnect: true })
      cluster.on('error', () => {})
      try {
        assert.equal(cluster.status, 'wait')
        assert.equal(cluster.nodes('master').length, 0, 'no master is known yet')
        const store = new RedisStore({ client: cluster, prefix: `connecting:${name.replace(/\W+/g, '')}:`, secret: SECRET, pool: false })
        const [length, ids] = await Promise.all([store.length(), store.ids()])
        assert.equal(length, 0)
        assert.deepEqual(ids, [])
        assert.equal(cluster.nodes('master').length, 3)
        const sids = manySids(30, 'c')
        await Promise.all(sids.map((sid) => store.set(sid, sessionWith({ user: sid }))))
        assert.equal(await store.length(), 30)
        await store.clear()
        await store.close()
      } finally {
        await cluster.quit()
      }
    })
  }

  it('a node-redis cluster that was never connected: every store method rejects with the client error, none hangs', async () => {
    const cluster = createCluster6({ rootNodes: servers.cluster!.rootNodes.map(({ port }) => ({ url: `redis://127.0.0.1:${port}` })) })
    const store = new RedisStore({ client: cluster, prefix: 'never-connected:', secret: SECRET, pool: false })
    try {
      const closed = /client is closed/i
      await assert.rejects(store.get('x'), closed)
      await assert.rejects(store.set('x', sessionWith({})), closed)
      await assert.rejects(store.length(), closed)
      await assert.rejects(store.ids(), closed)
      await assert.rejects(store.all(), closed)
      await assert.rejects(store.clear(), closed)
    } finally {
      await store.close()
    }
  })

  it('a hash-tag prefix works, but pins every session to one slot and so to one master', async () => {
    const redis = await connectClient('node-redis 6', 'cluster', servers)
    const store = new RedisStore({ client: redis.client, prefix: '{sess}:', secret: SECRET, pool: false })
    try {
      await Promise.all(manySids(60, 'tagged').map((sid) => store.set(sid, sessionWith({ user: sid }))))
      assert.equal(await store.length(), 60)
      assert.equal((await store.all())?.length, 60)
      const shards = await servers.cluster!.shards()
      const perMaster = await Promise.all(shards.map(async (s) => (await redisCli(s.masterPort, ['--scan', '--pattern', '{sess}:*'])).split('\n').filter(Boolean).length))
      assert.deepEqual([...perMaster].sort((a, b) => a - b), [0, 0, 60])
    } finally {
      await store.clear()
      await store.close()
      await redis.close()
    }
  })
})
