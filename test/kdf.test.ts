/**
 * Passphrases: scrypt N = 2^17 salted per deployment (`keySalt`, default the prefix); records
 * sealed under the old derivation (N = 2^15, one fixed salt) still open and are re-sealed under
 * the new key on their next write.
 */
import assert from 'node:assert/strict'
import { hkdfSync, scryptSync } from 'node:crypto'
import { describe, it } from 'node:test'
import type { SealErrorInfo } from '../src/index.js'
import { useClient, useRedis } from './support/redis.js'
import { sessionWith, StoreTracker, uniquePrefix } from './support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

const PASSPHRASE = 'connect-redis-sealed test vector passphrase'
/** The frozen AES-256-GCM passphrase vector of test-vector.test.ts (old derivation, key id 0x1ff99c6e). */
const OLD_RECORD =
  '01011ff99c6e00019b76daa800e0d7f8d9f79946e50ab9cd19c9d03d7cc21a60d444df2e18a6e59d6dac305bb2057b56531d43c5c50bb6de977e35a529f98b46f9da63cc740a9a43bc292231579c4be98507472834f12fe3b4c03d06a4b2332702c31bc2b32de65beed8ac1704d4d85d3c76efdd6e81f1b4bfb0aaaf014a35350bc1daa42439d9a4dd7b70a132c8101a4734bef451cf6eaf9413730b0d3bce5785bd24ee4c83b4afd1e8022abb649ea88fa1521ee3dd'

/** The key id FORMAT.md gives for a passphrase under `salt`, computed from the definition. */
function keyIdFor(passphrase: string, salt: string): number {
  const master = scryptSync(passphrase, `connect-redis-sealed/scrypt/v2/${salt}`, 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 })
  return Buffer.from(hkdfSync('sha256', master, 'connect-redis-sealed/v1', 'key-id', 4)).readUInt32BE(0)
}

describe('passphrase keys', () => {
  it('a record of the old derivation opens, and its next write uses the new one (N = 2^17, salted with keySalt)', async () => {
    await redis.raw.set('sess:vector', Buffer.from(OLD_RECORD, 'hex'))
    const store = stores.create({ client: connection.client, prefix: 'sess:', secret: PASSPHRASE, keySalt: 'shop-production' })
    const session = await store.get('vector')
    assert.equal((session as { user?: string } | null)?.user, 'vector')
    assert.equal(store.stats().openedWithOldKey, 1, 'counted as an older key')
    await store.set('vector', session as never)
    const record = (await redis.raw.getBuffer('sess:vector')) as Buffer
    assert.equal(record[0], 0x02)
    assert.equal(record.readUInt32BE(2), keyIdFor(PASSPHRASE, 'shop-production'), 'sealed under scrypt N=2^17 with the keySalt')
    assert.notEqual(record.readUInt32BE(2), 0x1ff99c6e)
    assert.ok(await store.get('vector'))
  })

  it('another keySalt is another key: a record does not open across deployments (reason key); the default salt is the prefix', async () => {
    const prefix = uniquePrefix('salt')
    const reports: SealErrorInfo[] = []
    const a = stores.create({ client: connection.client, prefix, secret: PASSPHRASE })
    const b = stores.create({ client: connection.client, prefix, secret: PASSPHRASE, keySalt: 'another-deployment', onSealError: (info) => reports.push(info) })
    await a.set('s', sessionWith())
    assert.equal(((await redis.raw.getBuffer(`${prefix}s`)) as Buffer).readUInt32BE(2), keyIdFor(PASSPHRASE, prefix))
    assert.equal(await b.get('s'), null)
    assert.deepEqual(reports, [{ reason: 'key', sid: 's' }])
    for (const bad of ['', 42]) {
      assert.throws(() => stores.create({ client: connection.client, secret: PASSPHRASE, keySalt: bad as string }), (e: Error) => e instanceof TypeError && e.message.includes('"keySalt"'))
    }
  })
})
