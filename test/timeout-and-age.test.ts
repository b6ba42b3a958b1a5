/** `timeout` bounds every Redis command while Redis is down; `maxSealAge` refuses records sealed too long ago. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { schemeFor } from '../src/codec/format.js'
import { KeyRing } from '../src/codec/keyring.js'
import { sealText } from '../src/codec/text.js'
import type { RedisStore, SealErrorInfo } from '../src/index.js'
import { deriveMasterKeys } from '../src/codec/secrets.js'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { clientKinds, useClient, useRedis, type ClientKind } from './support/redis.js'
import { asStored, nextTurn, probe, SECRET_A, sessionWith, StoreTracker, uniquePrefix, waitFor } from './support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

const TIMEOUT_MS = 150
const session = sessionWith({ user: 't' })
const CALLS: readonly [string, (s: RedisStore, cb?: (err: unknown, value?: unknown) => void) => Promise<unknown>][] = [
  ['get', (s, cb) => s.get('sid', cb)],
  ['set', (s, cb) => s.set('sid', session, cb)],
  ['touch', (s, cb) => s.touch('sid', session, cb)],
  ['destroy', (s, cb) => s.destroy('sid', cb)],
  ['length', (s, cb) => s.length(cb)],
  ['ids', (s, cb) => s.ids(cb)],
  ['all', (s, cb) => s.all(cb)],
  ['clear', (s, cb) => s.clear(cb)],
]

function timeoutContract(kind: ClientKind): void {
  let server: LocalRedis | undefined
  let client: object | undefined
  before(async () => {
    server = await startRedis()
    client = await kind.create(server.url)
  })
  after(async () => {
    if (client) await kind.close(client)
    await server?.stop()
  })

  it('while Redis is down each method fails with ERR_SEALED_TIMEOUT, once, and a late reply is ignored', async () => {
    const store = stores.create({ client, prefix: uniquePrefix(kind.name), timeout: TIMEOUT_MS })
    await store.set('sid', session)
    const port = (server as LocalRedis).port
    await (server as LocalRedis).stop()
    await waitFor(() => !kind.isConnected(client as object), 'the client to notice')
    const started = Date.now()
    const probes = CALLS.map(([name]) => [name, probe<unknown>()] as const)
    await Promise.all([
      ...CALLS.map(([name, run]) => assert.rejects(run(store), { code: 'ERR_SEALED_TIMEOUT' }, name)),
      ...CALLS.map(([, run], i) => run(store, probes[i]?.[1].callback)),
    ])
    const elapsed = Date.now() - started
    assert.ok(elapsed >= TIMEOUT_MS - 5 && elapsed < TIMEOUT_MS * 20, `failed after ${elapsed} ms`)
    for (const [name, p] of probes) {
      assert.equal(p.calls.length, 1, name)
      assert.equal((p.calls[0]?.err as { code?: string }).code, 'ERR_SEALED_TIMEOUT', name)
    }
    // Bring Redis back on the same port: the client flushes its queued commands, whose replies must go nowhere.
    server = await startRedis([], port)
    await waitFor(() => kind.isConnected(client as object), 'the client to reconnect', 15_000)
    assert.equal(await store.get('fresh-after-restart'), null)
    await nextTurn()
    for (const [name, p] of probes) assert.equal(p.calls.length, 1, `${name}: no second call after Redis came back`)
  })
}

describe('timeout', () => {
  for (const kind of clientKinds()) describe(kind.name, () => timeoutContract(kind))
})

describe('maxSealAge', () => {
  /** Writes a record for `sid` sealed `ageSeconds` ago, straight through the codec. */
  async function writeAged(prefix: string, sid: string, ageSeconds: number): Promise<void> {
    const ring = new KeyRing(await deriveMasterKeys([SECRET_A]))
    const settings = { scheme: schemeFor('aes-256-gcm', 'sha512'), encoding: 'binary' as const, compression: undefined }
    const record = sealText(JSON.stringify(session), `${prefix}${sid}`, ring, settings, Date.now() - ageSeconds * 1000)
    await redis.raw.set(`${prefix}${sid}`, record)
  }

  it('a record sealed longer ago than maxSealAge is no session (reason "expired"); a younger one opens', async () => {
    const prefix = uniquePrefix('age')
    const reports: SealErrorInfo[] = []
    const strict = stores.create({ client: connection.client, prefix, maxSealAge: 3600, onSealError: (i) => reports.push(i) })
    await writeAged(prefix, 'old', 7200)
    await writeAged(prefix, 'young', 60)
    assert.equal(await strict.get('old'), null)
    assert.deepEqual(reports, [{ reason: 'expired', sid: 'old' }])
    assert.deepEqual(await strict.get('young'), asStored(session))
    const lenient = stores.create({ client: connection.client, prefix })
    assert.deepEqual(await lenient.get('old'), asStored(session), 'without maxSealAge the age does not matter')
  })

  it('a set re-seals and so renews the age; all() leaves expired records out', async () => {
    const prefix = uniquePrefix('renew')
    const store = stores.create({ client: connection.client, prefix, maxSealAge: 3600 })
    await writeAged(prefix, 'a', 7200)
    await writeAged(prefix, 'b', 7200)
    assert.equal((await store.all())?.length, 0)
    await store.set('a', session)
    assert.deepEqual(await store.get('a'), asStored(session))
    assert.deepEqual((await store.all())?.map((s) => (s as unknown as { id: string }).id), ['a'])
  })
})
