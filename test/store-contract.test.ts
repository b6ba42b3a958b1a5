/** The express-session Store contract (get/set/touch/destroy/clear/length/ids/all) with each supported client. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { SessionData } from 'express-session'
import type { SealErrorInfo } from '../src/index.js'
import { clientKinds, glideKind, useRedis, type ClientKind, useKindClient } from './support/redis.js'
import { asStored, nextTurn, probe, sessionWith, StoreTracker, uniquePrefix } from './support/sessions.js'

const redis = useRedis()

type Step = readonly [name: string, run: (cb: (err: unknown, value?: unknown) => void) => Promise<unknown>, expected: unknown]

function contract(kind: ClientKind): void {
  const scope = useKindClient(redis, kind)
  const { stores } = scope
  const fresh = (options: Parameters<StoreTracker['create']>[0] = {}) => stores.create({ client: scope.client, prefix: uniquePrefix(kind.name), ...options })

  it('set then get round-trips a session (promise form)', async () => {
    const store = fresh()
    const session = sessionWith({ user: 'ada', visits: 3, nested: { list: [1, 'two', null, true] } })
    assert.equal(await store.set('sid-1', session), undefined)
    assert.deepEqual(await store.get('sid-1'), asStored(session))
    assert.equal(store.stats().sealed, 1)
    assert.equal(store.stats().opened, 1)
    assert.equal(store.stats().openFailures, 0)
  })

  it('get of an absent id gives null, in both forms', async () => {
    const store = fresh()
    assert.equal(await store.get('nobody'), null)
    const p = probe<SessionData | null>()
    await store.get('nobody', p.callback)
    await nextTurn()
    assert.deepEqual(p.calls, [{ err: null, value: null }])
  })

  it('every method in callback form calls back exactly once with (null, result) and resolves with it too', async () => {
    const store = fresh()
    const session = sessionWith({ user: 'grace' })
    const steps: Step[] = [
      ['set', (cb) => store.set('a', session, cb), undefined],
      ['get', (cb) => store.get('a', cb), asStored(session)],
      ['touch', (cb) => store.touch('a', session, cb), undefined],
      ['length', (cb) => store.length(cb), 1],
      ['ids', (cb) => store.ids(cb), ['a']],
      ['all', (cb) => store.all(cb), [{ ...(asStored(session) as object), id: 'a' }]],
      ['destroy', (cb) => store.destroy('a', cb), undefined],
      ['get after destroy', (cb) => store.get('a', cb), null],
      ['set again', (cb) => store.set('b', session, cb), undefined],
      ['clear', (cb) => store.clear(cb), undefined],
      ['length after clear', (cb) => store.length(cb), 0],
      ['ids after clear', (cb) => store.ids(cb), []],
      ['all after clear', (cb) => store.all(cb), []],
    ]
    for (const [name, run, expected] of steps) {
      const p = probe<unknown>()
      const returned = await run(p.callback)
      await nextTurn()
      assert.equal(p.calls.length, 1, `${name}: callback calls`)
      assert.equal(p.calls[0]?.err, null, `${name}: error`)
      assert.deepEqual(p.calls[0]?.value, expected, `${name}: callback value`)
      assert.deepEqual(returned, expected, `${name}: promise value`)
    }
  })

  it('every method in promise form resolves with its result', async () => {
    const store = fresh()
    const one = sessionWith({ n: 1 })
    const two = sessionWith({ n: 2 })
    await store.set('one', one)
    await store.set('two', two)
    assert.equal(await store.touch('one', one), undefined)
    assert.equal(await store.length(), 2)
    assert.deepEqual((await store.ids())?.sort(), ['one', 'two'])
    const all = (await store.all()) ?? []
    assert.deepEqual(
      all.sort((x, y) => String((x as { id?: string }).id).localeCompare(String((y as { id?: string }).id))),
      [{ ...(asStored(one) as object), id: 'one' }, { ...(asStored(two) as object), id: 'two' }],
    )
    assert.equal(await store.destroy('one'), undefined)
    assert.equal(await store.get('one'), null)
    assert.equal(await store.clear(), undefined)
    assert.equal(await store.length(), 0)
  })

  it('destroy deletes the Redis key; destroying an absent id is not an error', async () => {
    const prefix = uniquePrefix(kind.name)
    const store = fresh({ prefix })
    await store.set('gone', sessionWith())
    assert.equal(await redis.raw.exists(`${prefix}gone`), true)
    await store.destroy('gone')
    assert.equal(await redis.raw.exists(`${prefix}gone`), false)
    await store.destroy('never-was')
  })

  // A callback that throws: test/callback-throws.test.ts (the error must reach uncaughtException, so a child process).

  it('ids, all, length and clear walk many SCAN pages (scanCount 3, 25 sessions)', async () => {
    const prefix = uniquePrefix(kind.name)
    const store = fresh({ prefix, scanCount: 3 })
    const sids = Array.from({ length: 25 }, (_, i) => `many-${i}`)
    await Promise.all(sids.map((sid, i) => store.set(sid, sessionWith({ index: i }))))
    assert.equal(await store.length(), 25)
    assert.deepEqual((await store.ids())?.sort(), [...sids].sort())
    const all = (await store.all()) ?? []
    assert.equal(all.length, 25)
    for (const s of all as unknown as { id: string; index: number }[]) assert.equal(s.id, `many-${s.index}`)
    await store.clear()
    assert.deepEqual((await redis.raw.keys()).filter((k) => k.startsWith(prefix)), [])
  })

  it('all() leaves out a record that does not open and reports it to onSealError', async () => {
    const prefix = uniquePrefix(kind.name)
    const reports: SealErrorInfo[] = []
    const store = fresh({ prefix, onSealError: (info) => reports.push(info) })
    await store.set('good', sessionWith({ ok: 1 }))
    await store.set('bad', sessionWith({ ok: 0 }))
    const record = (await redis.raw.getBuffer(`${prefix}bad`)) as Buffer
    record[record.length - 1] = (record[record.length - 1] as number) ^ 0x01
    await redis.raw.set(`${prefix}bad`, record)
    const all = (await store.all()) ?? []
    assert.deepEqual(
      all.map((s) => (s as unknown as { id: string }).id),
      ['good'],
    )
    assert.deepEqual(reports, [{ reason: 'tag', sid: 'bad' }])
    assert.equal(store.stats().openFailures, 1)
  })

  it('all() waits for an async serializer parse', async () => {
    const store = fresh({
      serializer: { stringify: (s) => JSON.stringify(s), parse: async (text) => JSON.parse(text) as SessionData },
    })
    await store.set('async', sessionWith({ user: 'lin' }))
    const all = (await store.all()) ?? []
    assert.equal(all.length, 1)
    assert.equal((all[0] as unknown as { user: string }).user, 'lin')
    assert.equal((await store.get('async') as unknown as { user: string }).user, 'lin')
  })

  it('reads values as raw bytes: a non-ASCII session round-trips with encodeas binary', async () => {
    const prefix = uniquePrefix(kind.name)
    const store = fresh({ prefix, encodeas: 'binary' })
    const session = sessionWith({ name: 'Zoë Ångström – 東京 – 🍣', bytes: '\u0000\u00ff\ud7ff' })
    const strict = new TextDecoder('utf-8', { fatal: true })
    let invalidUtf8 = false
    for (let attempt = 0; attempt < 20 && !invalidUtf8; attempt++) {
      await store.set('binary', session)
      const stored = (await redis.raw.getBuffer(`${prefix}binary`)) as Buffer
      try {
        strict.decode(stored)
      } catch {
        invalidUtf8 = true
      }
    }
    assert.ok(invalidUtf8, 'a sealed record that is not valid UTF-8 (else this test proves nothing)')
    assert.deepEqual(await store.get('binary'), asStored(session))
  })

  it('works with a client that is still connecting when the store is made and first used', async () => {
    const connecting = await kind.create(redis.url, { connecting: true })
    try {
      assert.equal(kind.isConnected(connecting), false, 'not connected yet (else this test proves nothing)')
      const store = stores.create({ client: connecting, prefix: uniquePrefix(kind.name) })
      const session = sessionWith({ early: true })
      await store.set('early', session)
      assert.deepEqual(await store.get('early'), asStored(session))
    } finally {
      await kind.close(connecting)
    }
  })

  it('session ids with non-ASCII and separator characters work end to end', async () => {
    const store = fresh()
    const sids = ['ünï-çødé', 'with:colon', 'with space', 'glob*?[x]']
    for (const sid of sids) await store.set(sid, sessionWith({ sid }))
    for (const sid of sids) assert.equal((await store.get(sid) as unknown as { sid: string }).sid, sid)
    assert.deepEqual((await store.ids())?.sort(), [...sids].sort())
  })
}

for (const kind of [...clientKinds(), glideKind()]) describe(kind.name, () => contract(kind))
