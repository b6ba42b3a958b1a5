/** Sessions of a user on a real Redis Cluster (index and sessions in different slots) and Sentinel, every client. */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { SessionData } from 'express-session'
import { deriveMasterKeys } from '../../src/codec/secrets.js'
import type { RedisAdapter } from '../../src/redis/adapter.js'
import { RedisStore } from '../../src/store.js'
import { UserIndex } from '../../src/users/user-index.js'
import { redisCli } from '../support/redis-cli.js'
import type { LocalSentinelSet } from '../support/redis-sentinel.js'
import { sessionWith } from '../support/sessions.js'
import { manySids } from '../support/spread.js'
import { clientNamesFor, connectClient, TOPOLOGIES, type ClientName, type Servers, type Topology, type TopologyClient, useTopologies } from '../support/topology-clients.js'

const SECRET = randomBytes(32)
const userOf = (s: SessionData) => (s as unknown as { user?: { id: string } }).user?.id

function accountContract(topology: Topology, kind: ClientName, servers: Servers): void {
  const prefix = `u:${topology}:${kind.replace(/\W+/g, '')}:`
  let redis: TopologyClient
  let store: RedisStore
  before(async () => {
    redis = await connectClient(kind, topology, servers)
    store = new RedisStore({ client: redis.client, prefix, secret: SECRET, pool: false, userOf, destroyGuard: 30 })
  })
  after(async () => {
    await store?.close()
    await redis?.close()
  })

  it('lists sessions spread over many slots, ends all but one, and a slower save cannot revive them', async () => {
    const sids = manySids(40, 'acct')
    await Promise.all(sids.map((sid) => store.set(sid, sessionWith({ user: { id: 'olga' } }))))
    await store.set('stranger', sessionWith({ user: { id: 'pete' } }))
    const listed = ((await store.sessionsOf('olga')) ?? []).map((s) => s.id).sort()
    assert.deepEqual(listed, [...sids].sort())
    const held = (await store.get(sids[1] as string)) as SessionData
    assert.equal(await store.destroySessionsOf('olga', { except: sids[0] as string }), sids.length - 1)
    await store.set(sids[1] as string, held)
    assert.equal(await store.get(sids[1] as string), null)
    assert.deepEqual(((await store.sessionsOf('olga')) ?? []).map((s) => s.id), [sids[0]])
    assert.deepEqual(((await store.sessionsOf('pete')) ?? []).map((s) => s.id), ['stranger'])
    assert.deepEqual((await store.ids())?.filter((id) => id.includes('~')), [], 'index keys are not listed as sessions')
  })

  it("planted entries naming a hash or another user's index never stop all() or destroySessionsOf; each is reported as 'wrong-type'", async () => {
    const reasons: string[] = []
    const planted = new RedisStore({ client: redis.client, prefix, secret: SECRET, pool: false, userOf, onSealError: (i) => reasons.push(i.reason) })
    try {
      const port = topology === 'cluster' ? (servers.cluster?.rootNodes[0]?.port as number) : await (servers.sentinel as LocalSentinelSet).masterPort()
      const cli = (...args: string[]) => redisCli(port, topology === 'cluster' ? ['-c', ...args] : args)
      const index = new UserIndex({} as RedisAdapter, prefix, await deriveMasterKeys([SECRET], prefix))
      const [quinn] = index.keysOf('quinn') as [string]
      const [rita] = index.keysOf('rita') as [string]
      const sids = manySids(6, 'plant')
      await Promise.all(sids.map((sid) => planted.set(sid, sessionWith({ user: { id: 'quinn' } }))))
      await planted.set('rita-1', sessionWith({ user: { id: 'rita' } }))
      await cli('HSET', `${prefix}plant-hash`, 'f', 'v')
      const score = String(Date.now() + 600_000)
      await cli('ZADD', quinn, score, 'plant-hash', score, rita.slice(prefix.length))
      assert.ok(((await planted.all()) ?? []).length >= sids.length + 1, 'all() reads past the hash')
      assert.equal(await planted.destroySessionsOf('quinn'), sids.length)
      for (const sid of sids) assert.equal(await planted.get(sid), null)
      assert.deepEqual(((await planted.sessionsOf('rita')) ?? []).map((s) => s.id), ['rita-1'], "rita's index and session are untouched")
      assert.ok(reasons.length >= 2 && reasons.every((r) => r === 'wrong-type'), reasons.join())
      await cli('DEL', `${prefix}plant-hash`)
    } finally {
      await planted.close()
    }
  })
}

describe('sessions of a user on Redis Cluster and Sentinel, topology × client', () => {
  const servers = useTopologies()
  for (const topology of TOPOLOGIES) {
    for (const kind of clientNamesFor(topology)) describe(`${topology} × ${kind}`, () => accountContract(topology, kind, servers))
  }
})
