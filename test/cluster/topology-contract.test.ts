/**
 * The store contract on a real Redis Cluster (3 masters + 3 replicas) and a real Sentinel set,
 * with every supported client: ONE test body, run for each topology × client.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { SealErrorInfo } from '../../src/options/types.js'
import { adaptClient } from '../../src/redis/client.js'
import { RedisStore } from '../../src/store.js'
import { redisCli } from '../support/redis-cli.js'
import { asStored, sessionWith } from '../support/sessions.js'
import { manySids } from '../support/spread.js'
import { clientNamesFor, connectClient, TOPOLOGIES, type ClientName, type Servers, type Topology, type TopologyClient, useTopologies } from '../support/topology-clients.js'

const SECRET = randomBytes(32)
/** Enough ids that, on a cluster, every master holds some and a multi-key command would span slots. */
const SID_COUNT = 150

function storeContract(topology: Topology, kind: ClientName, servers: Servers): void {
  const prefix = `sess:${topology}:${kind.replace(/\W+/g, '')}:`
  const failures: SealErrorInfo[] = []
  let redis: TopologyClient
  let store: RedisStore

  before(async () => {
    redis = await connectClient(kind, topology, servers)
    store = new RedisStore({ client: redis.client, prefix, secret: SECRET, pool: false, scanCount: 20, onSealError: (info) => failures.push(info) })
  })
  after(async () => {
    await store?.close()
    await redis?.close()
  })

  it('writes sessions across many slots and reads each back; ids, all and length cover every master', async () => {
    const sids = manySids(SID_COUNT, 'spread')
    const sessions = new Map(sids.map((sid, i) => [sid, sessionWith({ user: `user-${i}`, note: 'größe ✓ 🍪', n: i })]))
    await Promise.all([...sessions].map(([sid, session]) => store.set(sid, session)))

    for (const [sid, session] of sessions) assert.deepEqual(await store.get(sid), asStored(session), sid)
    assert.deepEqual((await store.ids())?.sort(), [...sids].sort())
    assert.equal(await store.length(), SID_COUNT)
    const all = (await store.all()) ?? []
    assert.equal(all.length, SID_COUNT)
    for (const found of all) {
      const { id, ...rest } = found as typeof found & { id: string }
      assert.deepEqual(rest, asStored(sessions.get(id) ?? sessionWith({})), id)
    }

    if (topology === 'cluster') {
      const shards = await servers.cluster!.shards()
      const perMaster = await Promise.all(shards.map(async (s) => (await redisCli(s.masterPort, ['--scan', '--pattern', `${prefix}*`])).split('\n').filter(Boolean).length))
      assert.equal(perMaster.length, 3)
      assert.ok(perMaster.every((n) => n > 0), `every master holds sessions: ${perMaster.join(', ')}`)
      assert.equal(perMaster.reduce((a, b) => a + b, 0), SID_COUNT)
    }
  })

  it('reads values as Buffers and never decodes the sealed bytes as UTF-8', async () => {
    const raw = adaptClient(redis.client)
    const records = await raw.mget(manySids(SID_COUNT, 'spread').map((sid) => prefix + sid))
    assert.ok(records.every((record) => Buffer.isBuffer(record)))
    const notUtf8 = records.filter((record) => record && !Buffer.from(record.toString('utf8'), 'utf8').equals(record))
    assert.ok(notUtf8.length > 0, 'some records hold bytes that a UTF-8 round trip would change; they still opened above')
  })

  it("leaves the user's own client as it was: its replies are still strings", async () => {
    const plain = redis.client as { set(key: string, value: string): Promise<unknown>; get(key: string): Promise<unknown> }
    await plain.set(`app:${prefix}greeting`, 'hello')
    assert.equal(await plain.get(`app:${prefix}greeting`), 'hello')
    const scanned = await store.ids()
    assert.ok(scanned?.every((id) => typeof id === 'string'))
  })

  it('sets the TTL from the cookie, touch extends it, and an expired cookie deletes instead of writing', async () => {
    const key = `${prefix}ttl`
    await store.set('ttl', sessionWith({ user: 'ttl' }, 90_000))
    const first = await redis.ttl(key)
    assert.ok(first >= 89 && first <= 90, `TTL ${first}`)
    await store.touch('ttl', sessionWith({ user: 'ttl' }, 300_000))
    const touched = await redis.ttl(key)
    assert.ok(touched >= 299 && touched <= 300, `TTL after touch ${touched}`)

    await store.touch('ttl', sessionWith({ user: 'ttl' }, -1000))
    assert.equal(await redis.ttl(key), -2)
    await store.set('ttl', sessionWith({ user: 'ttl' }, -1000))
    assert.equal(await store.get('ttl'), null)
    assert.equal(await redis.ttl(key), -2)
  })

  it('destroy removes one session and leaves the others', async () => {
    await store.set('gone', sessionWith({ user: 'gone' }))
    await store.set('kept', sessionWith({ user: 'kept' }))
    await store.destroy('gone')
    assert.equal(await store.get('gone'), null)
    assert.equal(await redis.ttl(`${prefix}gone`), -2)
    assert.equal((await store.get('kept'))?.cookie !== undefined, true)
  })

  it('destroyGuard: a destroyed id stays dead for a set that lands after the destroy (one-key Lua on every topology)', async () => {
    const guarded = new RedisStore({ client: redis.client, prefix: `${prefix}guard:`, secret: SECRET, pool: false, destroyGuard: 30 })
    try {
      for (const sid of manySids(12, 'guard')) {
        await guarded.set(sid, sessionWith({ user: sid }))
        await guarded.destroy(sid)
        await guarded.set(sid, sessionWith({ user: 'resurrected' }))
        await guarded.touch(sid, sessionWith({ user: 'resurrected' }))
        assert.equal(await guarded.get(sid), null, `session ${sid} stays destroyed`)
        const ttl = await redis.ttl(`${prefix}guard:${sid}`)
        assert.ok(ttl > 0 && ttl <= 30, `the tombstone expires by itself (ttl ${ttl})`)
      }
    } finally {
      await guarded.close()
    }
  })

  it('a tampered record or one moved to another id reads as no session and is reported', async () => {
    const raw = adaptClient(redis.client)
    await store.set('victim', sessionWith({ user: 'victim' }))
    await store.set('other', sessionWith({ user: 'other' }))
    const record = await raw.get(`${prefix}victim`)
    assert.ok(record)
    const flipped = Buffer.from(record)
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1
    await raw.set(`${prefix}victim`, flipped, 60)
    await raw.set(`${prefix}other`, record, 60)
    const before = store.stats().openFailures

    assert.equal(await store.get('victim'), null)
    assert.equal(await store.get('other'), null)
    assert.equal(store.stats().openFailures, before + 2)
    assert.deepEqual(failures.map((f) => f.sid).slice(-2), ['victim', 'other'])
  })

  it('callbacks are called once with the same results as the promises', async () => {
    const count = await new Promise<number | undefined>((resolve, reject) => {
      let calls = 0
      void store.length((error, n) => {
        calls++
        if (calls > 1) reject(new Error('callback called twice'))
        if (error) reject(error)
        else setImmediate(() => resolve(n))
      })
    })
    assert.equal(count, await store.length())
  })

  it('clear deletes every session of this prefix on every master and nothing else', async () => {
    const other = new RedisStore({ client: redis.client, prefix: `other:${prefix}`, secret: SECRET, pool: false })
    try {
      const otherSids = manySids(30, 'bystander')
      await Promise.all(otherSids.map((sid) => other.set(sid, sessionWith({ user: sid }))))
      assert.ok(((await store.length()) ?? 0) >= SID_COUNT)

      await store.clear()
      assert.equal(await store.length(), 0)
      assert.deepEqual(await store.ids(), [])
      assert.deepEqual(await store.all(), [])
      assert.equal(await other.length(), 30)
      await other.clear()
      assert.equal(await other.length(), 0)
    } finally {
      await other.close()
    }
  })
}

describe('store contract on Redis Cluster and Sentinel, topology × client', () => {
  const servers = useTopologies()

  for (const topology of TOPOLOGIES) {
    for (const kind of clientNamesFor(topology)) describe(`${topology} × ${kind}`, () => storeContract(topology, kind, servers))
  }

})
