/** The `url` option (an owned client), close(), operations after close, and keeping secrets out of logs. */
import assert from 'node:assert/strict'
import { format, inspect } from 'node:util'
import { describe, it } from 'node:test'
import { freePort } from '../scripts/local-redis.js'
import { RedisStore, SealedError } from '../src/index.js'
import { deriveMasterKeys } from '../src/codec/secrets.js'
import { runChild } from './support/child.js'
import { useClient, useRedis } from './support/redis.js'
import { nextTurn, probe, SECRET_A, SECRET_B, sessionWith, StoreTracker, uniquePrefix } from './support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

const closedError = (error: unknown) => error instanceof SealedError && error.code === 'ERR_SEALED_CLOSED'

describe('url: the store creates, owns and closes its client', () => {
  it('a process whose url store is closed exits by itself', async () => {
    const result = await runChild(new URL('./fixtures/url-store-exits.ts', import.meta.url), [redis.url])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.stdout), { from: 'child', afterClose: 'ERR_SEALED_CLOSED' })
    assert.equal(await redis.raw.exists('owned:child'), true, 'the child wrote through its own client')
  })

  it('after close() every method rejects with ERR_SEALED_CLOSED, or calls back once with it', async () => {
    const store = new RedisStore({ url: redis.url, secret: SECRET_A, pool: false, prefix: uniquePrefix('url') })
    await store.set('s', sessionWith())
    assert.ok(await store.get('s'))
    await store.close()
    const session = sessionWith()
    const calls: [string, (cb?: (err: unknown) => void) => Promise<unknown>][] = [
      ['get', (cb) => store.get('s', cb)],
      ['set', (cb) => store.set('s', session, cb)],
      ['touch', (cb) => store.touch('s', session, cb)],
      ['destroy', (cb) => store.destroy('s', cb)],
      ['clear', (cb) => store.clear(cb)],
      ['length', (cb) => store.length(cb)],
      ['ids', (cb) => store.ids(cb)],
      ['all', (cb) => store.all(cb)],
    ]
    for (const [name, run] of calls) {
      await assert.rejects(run(), closedError, name)
      const p = probe<unknown>()
      await run(p.callback)
      await nextTurn()
      assert.equal(p.calls.length, 1, name)
      assert.ok(closedError(p.calls[0]?.err), name)
    }
    await store.close()
  })

  it('close() does not hang when Redis is unreachable, and fails what was waiting', { timeout: 10_000 }, async () => {
    const store = new RedisStore({ url: `redis://127.0.0.1:${await freePort()}`, secret: SECRET_A, pool: false, timeout: 300 })
    const pending = store.get('s')
    pending.catch(() => {})
    await store.close()
    await assert.rejects(pending, { code: 'ERR_SEALED_TIMEOUT' })
  })
})

describe('a client given by the caller', () => {
  it('close() leaves it open; closing twice is fine', async () => {
    const store = new RedisStore({ client: connection.client, secret: SECRET_A, pool: false, prefix: uniquePrefix('own') })
    await store.set('s', sessionWith())
    await store.close()
    await store.close()
    await assert.rejects(store.get('s'), closedError)
    const other = stores.create({ client: connection.client })
    assert.equal(await other.get('nobody'), null, 'the shared client still works')
  })

  it('operations started before close() finish, all() included, and close() waits for them', async () => {
    const store = stores.create({ client: connection.client, prefix: uniquePrefix('closing') })
    await store.set('s', sessionWith({ n: 1 }))
    await store.set('t', sessionWith({ n: 2 }))
    const running = [store.get('s'), store.length(), store.ids(), store.all()] as const
    const closing = store.close()
    const [got, length, ids, all] = await Promise.all(running)
    await closing
    assert.deepEqual([(got as { n?: number }).n, length, ids?.sort(), all?.map((s) => (s as { id?: string }).id).sort()], [1, 2, ['s', 't'], ['s', 't']])
    await assert.rejects(store.all(), closedError)
  })
})

describe('no secrets in logs', () => {
  it('util.inspect, format, String and JSON.stringify show neither secrets nor derived keys', async () => {
    const passphrase = 'a passphrase that must never be printed, 50 chars'
    const store = stores.create({ client: connection.client, secret: [SECRET_A, SECRET_B, passphrase] })
    await store.get('warm-up')
    const masters = await deriveMasterKeys([SECRET_A, SECRET_B, passphrase])
    const needles = [passphrase, passphrase.slice(0, 16)]
    for (const bytes of [SECRET_A, SECRET_B, ...masters.map((m) => Buffer.from(m.key))]) {
      needles.push(bytes.toString('hex'), bytes.toString('base64'), bytes.subarray(0, 8).toString('hex'), [...bytes.subarray(0, 6)].join(', '))
    }
    const views = [
      inspect(store),
      inspect(store, { showHidden: true, depth: Number.POSITIVE_INFINITY, getters: true }),
      format('%o %O %j %s', store, store, store, store),
      JSON.stringify(store),
      String(store),
      JSON.stringify(store.stats()),
    ]
    for (const view of views) {
      for (const needle of needles) assert.equal(view.includes(needle), false, `a view of the store shows key material: ${view.slice(0, 80)}`)
    }
    assert.match(inspect(store), /RedisStore/)
  })
})
