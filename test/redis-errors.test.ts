/** Redis errors are real errors: each method rejects, or calls its callback exactly once with the error. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SealedError, type RedisStore } from '../src/index.js'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { clientKinds, useRedis, type ClientKind } from './support/redis.js'
import { nextTurn, probe, sessionWith, StoreTracker, uniquePrefix, waitFor } from './support/sessions.js'

const redis = useRedis()

type Call = readonly [name: string, run: (store: RedisStore, cb?: (err: unknown, value?: unknown) => void) => Promise<unknown>]

const session = sessionWith({ user: 'x' })
const CALLS: readonly Call[] = [
  ['get', (s, cb) => s.get('sid', cb)],
  ['set', (s, cb) => s.set('sid', session, cb)],
  ['touch', (s, cb) => s.touch('sid', session, cb)],
  ['destroy', (s, cb) => s.destroy('sid', cb)],
  ['clear', (s, cb) => s.clear(cb)],
  ['length', (s, cb) => s.length(cb)],
  ['ids', (s, cb) => s.ids(cb)],
  ['all', (s, cb) => s.all(cb)],
]

/** The error each library raises for a command on a closed connection; the store passes it on unchanged. */
function closedError(kind: ClientKind): (error: unknown) => boolean {
  const [type, message] = kind.name.startsWith('node-redis') ? ['ClientClosedError', /^The client is closed$/] : ['Error', /^Connection is closed\.$/]
  return (error) => error instanceof Error && !(error instanceof SealedError) && error.constructor.name === type && message.test(error.message)
}

/** Each method: the promise rejects with the client's closed error; with a callback, one call carrying it and a promise that resolves. */
async function expectEveryMethodFails(store: RedisStore, kind: ClientKind, label: string): Promise<void> {
  const isClosedError = closedError(kind)
  for (const [name, run] of CALLS) {
    await assert.rejects(run(store), isClosedError, `${label} ${name}: promise form rejects with the client's error`)
    const p = probe<unknown>()
    const returned = await run(store, p.callback)
    await nextTurn()
    assert.equal(p.calls.length, 1, `${label} ${name}: callback calls`)
    assert.ok(isClosedError(p.calls[0]?.err), `${label} ${name}: callback gets the client's error: ${String(p.calls[0]?.err)}`)
    assert.equal(returned, undefined, `${label} ${name}: with a callback the promise resolves`)
  }
}

function errorContract(kind: ClientKind): void {
  const stores = new StoreTracker()
  const clients: object[] = []
  let doomed: LocalRedis | undefined
  before(async () => {
    doomed = await startRedis()
  })
  after(async () => {
    await stores.closeAll()
    await Promise.all(clients.map((c) => kind.close(c)))
    await doomed?.stop()
  })

  it('a client that was closed: every method fails once, in both forms', async () => {
    const client = await kind.create(redis.url)
    const store = stores.create({ client, prefix: uniquePrefix(kind.name) })
    await store.set('sid', session)
    await kind.close(client)
    await expectEveryMethodFails(store, kind, 'closed client')
  })

  it('a server that went away: every method fails once, in both forms', async () => {
    const server = doomed as LocalRedis
    const client = await kind.create(server.url, { failFast: true })
    clients.push(client)
    const store = stores.create({ client, prefix: uniquePrefix(kind.name) })
    await store.set('sid', session)
    assert.equal((await store.length()), 1)
    await server.stop()
    await waitFor(() => !kind.isConnected(client), 'the client to notice the server is gone')
    await expectEveryMethodFails(store, kind, 'stopped server')
  })

  it('a key of another type (WRONGTYPE) is no session, counted and reported once, in both forms (planted data is never a 500)', async () => {
    const client = await kind.create(redis.url)
    clients.push(client)
    const prefix = uniquePrefix(kind.name)
    const reasons: string[] = []
    const store = stores.create({ client, prefix, onSealError: (info) => reasons.push(info.reason) })
    await redis.raw.call('HSET', `${prefix}hash`, 'field', 'value')
    assert.equal(await store.get('hash'), null)
    const p = probe<unknown>()
    await store.get('hash', p.callback)
    await nextTurn()
    assert.deepEqual(p.calls, [{ err: null, value: null }])
    assert.deepEqual(reasons, ['wrong-type', 'wrong-type'])
    assert.equal(store.stats().openFailures, 2)
  })
}

for (const kind of clientKinds()) describe(kind.name, () => errorContract(kind))
