/** clear/ids/all/length touch only keys under the store's prefix, whatever characters the prefix holds. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { clientKinds, useRedis, type ClientKind, useKindClient } from './support/redis.js'
import { sessionWith } from './support/sessions.js'

const redis = useRedis()

/** Keys a store with `prefix` must never see or delete; each would match if the prefix were not escaped or anchored. */
const OUTSIDERS: Record<string, readonly string[]> = {
  'app:': ['app', 'APP:1', 'xapp:1', 'ap:1', 'other:app:1'],
  'a*[b]': ['ab', 'aXb1', 'a*b1', 'aZZb]1', 'a*[b', 'xa*[b]1', 'a\\*[b]1'],
  'q?\\x:': ['qZ\\x:1', 'q?x:1', 'q?\\\\x:1', 'q?\\y:1'],
}

function isolation(kind: ClientKind): void {
  const scope = useKindClient(redis, kind)
  const { stores } = scope

  for (const [prefix, outsiders] of Object.entries(OUTSIDERS)) {
    it(`prefix ${JSON.stringify(prefix)}: length/ids/all see only its sessions and clear deletes only them`, async () => {
      await redis.raw.flushAll()
      for (const key of outsiders) await redis.raw.set(key, `outsider ${key}`)
      const store = stores.create({ client: scope.client, prefix, scanCount: 2 })
      await store.set('s1', sessionWith({ n: 1 }))
      await store.set('s2', sessionWith({ n: 2 }))
      assert.equal(await store.length(), 2)
      assert.deepEqual((await store.ids())?.sort(), ['s1', 's2'])
      const all = (await store.all()) ?? []
      assert.deepEqual(all.map((s) => (s as unknown as { id: string }).id).sort(), ['s1', 's2'])
      assert.equal(store.stats().openFailures, 0, 'no outsider was read as a session')
      await store.clear()
      assert.deepEqual(await redis.raw.keys(), [...outsiders].sort())
      for (const key of outsiders) assert.equal((await redis.raw.getBuffer(key))?.toString(), `outsider ${key}`)
    })
  }

  it('empty prefix: the session id is the whole key', async () => {
    await redis.raw.flushAll()
    const store = stores.create({ client: scope.client, prefix: '' })
    await store.set('one', sessionWith({ n: 1 }))
    await store.set('two', sessionWith({ n: 2 }))
    assert.deepEqual(await redis.raw.keys(), ['one', 'two'])
    assert.equal(await store.length(), 2)
    assert.deepEqual((await store.ids())?.sort(), ['one', 'two'])
    assert.equal(((await store.get('one')) as unknown as { n: number }).n, 1)
    await store.clear()
    assert.deepEqual(await redis.raw.keys(), [])
  })

  it('two stores with different prefixes on one client do not see each other', async () => {
    await redis.raw.flushAll()
    const left = stores.create({ client: scope.client, prefix: 'left:' })
    const right = stores.create({ client: scope.client, prefix: 'right:' })
    await left.set('same-id', sessionWith({ side: 'left' }))
    await right.set('same-id', sessionWith({ side: 'right' }))
    assert.equal(((await left.get('same-id')) as unknown as { side: string }).side, 'left')
    assert.equal(((await right.get('same-id')) as unknown as { side: string }).side, 'right')
    await left.clear()
    assert.equal(await left.length(), 0)
    assert.equal(await right.length(), 1)
    assert.deepEqual(await redis.raw.keys(), ['right:same-id'])
  })
}

for (const kind of clientKinds()) describe(kind.name, () => isolation(kind))
