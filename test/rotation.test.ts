/** Key rotation: `secret: [new, old]` seals with the first, opens with any, and re-seals old records on their next set. */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { deriveMasterKeys } from '../src/codec/secrets.js'
import { useClient, useRedis } from './support/redis.js'
import { asStored, SECRET_A, SECRET_B, sessionWith, StoreTracker, uniquePrefix } from './support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

/** The key id field: bytes 2..5 of the record, big-endian. */
async function keyIdIn(key: string): Promise<number> {
  const record = (await redis.raw.getBuffer(key)) as Buffer
  return record.readUInt32BE(2)
}

it('a record sealed under A opens with [B, A], is counted, re-seals with B on the next set, then opens with B alone', async () => {
  const prefix = uniquePrefix('rotate')
  const key = `${prefix}sid`
  const session = sessionWith({ user: 'rotating' })

  const storeA = stores.create({ client: connection.client, prefix, secret: SECRET_A })
  await storeA.set('sid', session)
  const idA = await keyIdIn(key)

  const rotated = stores.create({ client: connection.client, prefix, secret: [SECRET_B, SECRET_A] })
  const opened = await rotated.get('sid')
  assert.deepEqual(opened, asStored(session))
  assert.equal(rotated.stats().openedWithOldKey, 1)
  assert.equal(rotated.stats().opened, 1)

  await rotated.set('sid', opened as typeof session)
  const idB = await keyIdIn(key)
  assert.notEqual(idB, idA, 'the next set writes the new key id')
  assert.deepEqual(await rotated.get('sid'), asStored(session))
  assert.equal(rotated.stats().openedWithOldKey, 1, 'a record under the newest key is not counted as old')

  const storeB = stores.create({ client: connection.client, prefix, secret: SECRET_B })
  assert.deepEqual(await storeB.get('sid'), asStored(session))
  assert.equal(storeB.stats().openedWithOldKey, 0)
  assert.equal(await storeA.get('sid'), null, 'once re-sealed, the retired key no longer opens it')
})

it('key ids are the documented fingerprints of each secret, and stable across stores', async () => {
  const prefix = uniquePrefix('ids')
  const [masterA] = await deriveMasterKeys([SECRET_A])
  const [masterB] = await deriveMasterKeys([SECRET_B])
  const storeA = stores.create({ client: connection.client, prefix, secret: SECRET_A })
  await storeA.set('a', sessionWith())
  const rotated = stores.create({ client: connection.client, prefix, secret: [SECRET_B, SECRET_A] })
  await rotated.set('b', sessionWith())
  assert.equal(await keyIdIn(`${prefix}a`), masterA?.id)
  assert.equal(await keyIdIn(`${prefix}b`), masterB?.id)
})

it('touch does not re-seal: an old-key record keeps its key id until a set', async () => {
  const prefix = uniquePrefix('touch')
  const key = `${prefix}sid`
  const storeA = stores.create({ client: connection.client, prefix, secret: SECRET_A })
  await storeA.set('sid', sessionWith())
  const before = await redis.raw.getBuffer(key)
  const rotated = stores.create({ client: connection.client, prefix, secret: [SECRET_B, SECRET_A] })
  await rotated.touch('sid', sessionWith())
  assert.deepEqual(await redis.raw.getBuffer(key), before)
})

it('all() opens a mix of old-key and new-key records', async () => {
  const prefix = uniquePrefix('mix')
  const storeA = stores.create({ client: connection.client, prefix, secret: SECRET_A })
  await storeA.set('old', sessionWith({ n: 'old' }))
  const rotated = stores.create({ client: connection.client, prefix, secret: [SECRET_B, SECRET_A] })
  await rotated.set('new', sessionWith({ n: 'new' }))
  const all = (await rotated.all()) ?? []
  assert.deepEqual(all.map((s) => (s as unknown as { n: string }).n).sort(), ['new', 'old'])
  assert.equal(rotated.stats().openedWithOldKey, 1)
})

it('a passphrase and a 32-byte key can be rotated into each other', async () => {
  const prefix = uniquePrefix('mixed')
  const passphrase = 'a long enough passphrase for rotation tests, 48+'
  const old = stores.create({ client: connection.client, prefix, secret: passphrase })
  await old.set('sid', sessionWith({ user: 'p' }))
  const rotated = stores.create({ client: connection.client, prefix, secret: [SECRET_A, passphrase] })
  assert.equal(((await rotated.get('sid')) as unknown as { user: string }).user, 'p')
  assert.equal(rotated.stats().openedWithOldKey, 1)
})
