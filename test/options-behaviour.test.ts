/** What options do at run time: short-secret warning, ttl function errors, size limit, serializers, the onSealError hook. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { SessionData } from 'express-session'
import { SealedError, type SealedOptionsError, type SealErrorInfo } from '../src/index.js'
import { useClient, useRedis } from './support/redis.js'
import { asStored, nextTurn, probe, sessionWith, StoreTracker, uniquePrefix } from './support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

const fresh = (options: Parameters<StoreTracker['create']>[0] = {}) => {
  const prefix = uniquePrefix('opt')
  return { store: stores.create({ client: connection.client, prefix, ...options }), key: (sid: string) => `${prefix}${sid}` }
}

describe('short passphrases are refused', () => {
  it('a passphrase under 32 characters, alone or among older secrets, is a TypeError naming the entry, not quoting it', () => {
    const short = 'only-twenty-chars-ok'
    for (const [secret, name] of [[short, '"secret"'], [['a passphrase that is long enough, 40 chars', short], '"secret[1]"']] as const) {
      assert.throws(() => fresh({ secret: secret as string }), (error: Error) => error instanceof TypeError && error.message.includes(name) && !error.message.includes(short))
    }
  })

  it('a passphrase of exactly 32 characters, or a 32-byte Buffer, is accepted and works', async () => {
    for (const options of [{ secret: 'x'.repeat(31) + 'y' }, {}]) {
      const { store } = fresh(options)
      await store.set('ok', sessionWith())
      assert.ok(await store.get('ok'))
    }
  })
})

describe('ttl function errors', () => {
  for (const [label, value] of [['NaN', Number.NaN], ['Infinity', Number.POSITIVE_INFINITY], ['a string', '60'], ['undefined', undefined]] as const) {
    it(`a ttl function returning ${label}: set and touch report a TypeError, once`, async () => {
      const { store, key } = fresh({ ttl: () => value as unknown as number })
      for (const run of [(cb?: (e: unknown) => void) => store.set('s', sessionWith(), cb), (cb?: (e: unknown) => void) => store.touch('s', sessionWith(), cb)]) {
        await assert.rejects(run(), (error: unknown) => error instanceof TypeError && /"ttl" function/.test(error.message) && (error as SealedOptionsError).code === 'ERR_SEALED_OPTIONS')
        const p = probe<unknown>()
        await run(p.callback)
        await nextTurn()
        assert.equal(p.calls.length, 1)
        assert.ok(p.calls[0]?.err instanceof TypeError)
      }
      assert.equal(await redis.raw.exists(key('s')), false, 'nothing written')
    })
  }
})

describe('maxSessionBytes', () => {
  it('a session over the limit: set rejects with ERR_SEALED_TOO_LARGE and leaves Redis as it was', async () => {
    const { store, key } = fresh({ maxSessionBytes: 1000 })
    const small = sessionWith({ v: 'small' })
    await store.set('big', small)
    const before = await redis.raw.getBuffer(key('big'))
    const big = sessionWith({ v: 'x'.repeat(1000) })
    await assert.rejects(store.set('big', big), (error: unknown) => error instanceof SealedError && error.code === 'ERR_SEALED_TOO_LARGE')
    assert.deepEqual(await redis.raw.getBuffer(key('big')), before)
    await assert.rejects(store.set('fresh', big), { code: 'ERR_SEALED_TOO_LARGE' })
    assert.equal(await redis.raw.exists(key('fresh')), false)
    assert.equal(store.stats().sealed, 1)
  })

  it('the limit counts UTF-8 bytes, not characters', async () => {
    const { store, key } = fresh({ maxSessionBytes: 1000 })
    const accented = sessionWith({ v: 'é'.repeat(450) })
    assert.ok(JSON.stringify(accented).length < 1000 && Buffer.byteLength(JSON.stringify(accented)) > 1000)
    await assert.rejects(store.set('acc', accented), { code: 'ERR_SEALED_TOO_LARGE' })
    assert.equal(await redis.raw.exists(key('acc')), false)
    await store.set('ascii', sessionWith({ v: 'e'.repeat(450) }))
    assert.equal(await redis.raw.exists(key('ascii')), true)
  })

  it('a stored record over the reader\'s limit opens as no session (reason "too-large")', async () => {
    const prefix = uniquePrefix('big')
    const writer = stores.create({ client: connection.client, prefix })
    const reports: SealErrorInfo[] = []
    const reader = stores.create({ client: connection.client, prefix, maxSessionBytes: 500, onSealError: (i) => reports.push(i) })
    await writer.set('s', sessionWith({ v: 'y'.repeat(2000) }))
    assert.equal(await reader.get('s'), null)
    assert.deepEqual(reports, [{ reason: 'too-large', sid: 's' }])
  })
})

describe('serializer', () => {
  it('an async parse works for get and all', async () => {
    const { store } = fresh({
      serializer: { stringify: (s: SessionData) => JSON.stringify(s), parse: async (text: string) => ({ ...JSON.parse(text), parsed: 'async' }) },
    })
    await store.set('a', sessionWith({ user: 'u' }))
    assert.equal(((await store.get('a')) as unknown as { parsed: string }).parsed, 'async')
    assert.equal(((await store.all())?.[0] as unknown as { parsed: string }).parsed, 'async')
  })

  it('a custom stringify/parse pair round-trips', async () => {
    const { store, key } = fresh({
      serializer: { stringify: (s: SessionData) => `v1|${JSON.stringify(s)}`, parse: (text: string) => JSON.parse(text.slice(3)) as SessionData },
    })
    const session = sessionWith({ custom: true })
    await store.set('c', session)
    assert.deepEqual(await store.get('c'), asStored(session))
    assert.equal(await redis.raw.exists(key('c')), true)
  })

  it('a parse that throws (sync or async) on an authentic record gives null with reason "parse", never the text', async () => {
    for (const parse of [
      (_text: string): SessionData => {
        throw new SyntaxError('bad input')
      },
      async (_text: string): Promise<SessionData> => {
        throw new SyntaxError('bad input')
      },
    ]) {
      const reports: SealErrorInfo[] = []
      const { store } = fresh({ serializer: { stringify: JSON.stringify, parse }, onSealError: (i) => reports.push(i) })
      await store.set('p', sessionWith({ user: 'parse-victim' }))
      const p = probe<unknown>()
      await store.get('p', p.callback)
      await nextTurn()
      assert.deepEqual(p.calls, [{ err: null, value: null }])
      assert.deepEqual(reports, [{ reason: 'parse', sid: 'p' }])
      assert.equal(store.stats().openFailures, 1)
    }
  })

  it('a stringify that returns no string rejects set with ERR_SEALED_SERIALIZE', async () => {
    const { store, key } = fresh({ serializer: { stringify: () => 42 as unknown as string, parse: JSON.parse } })
    await assert.rejects(store.set('n', sessionWith()), (error: unknown) => error instanceof SealedError && error.code === 'ERR_SEALED_SERIALIZE')
    assert.equal(await redis.raw.exists(key('n')), false)
  })
})

describe('onSealError', () => {
  it('a hook that throws does not break get, and the failure is still counted', async () => {
    let called = 0
    const { store, key } = fresh({
      onSealError: () => {
        called++
        throw new Error('hook failed')
      },
    })
    await redis.raw.set(key('x'), Buffer.from([1, 1, 0, 0, 0, 0, 0]))
    const p = probe<unknown>()
    await store.get('x', p.callback)
    await nextTurn()
    assert.deepEqual(p.calls, [{ err: null, value: null }])
    assert.equal(called, 1)
    assert.equal(store.stats().openFailures, 1)
  })

  it('without a hook a bad record is still no session and counted', async () => {
    const { store, key } = fresh()
    await redis.raw.set(key('x'), 'not a record')
    assert.equal(await store.get('x'), null)
    assert.equal(store.stats().openFailures, 1)
  })
})
