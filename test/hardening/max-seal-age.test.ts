/**
 * The replay bound: with `maxSealAge`, a record sealed longer ago than the bound is refused
 * (reason 'expired'), whatever its Redis TTL says. `touch` (and so express-session's `rolling`
 * for an unchanged session) does not re-seal; only a `set` does.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { SessionData } from 'express-session'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import { schemeFor } from '../../src/codec/format.js'
import { KeyRing } from '../../src/codec/keyring.js'
import { seal } from '../../src/codec/seal.js'
import { RedisStore, type SealErrorInfo } from '../../src/index.js'
import { deriveMasterKeys } from '../../src/codec/secrets.js'
import { rawClient } from './clients.js'
import { send, startApp } from './http-app.js'

const SECRET = Buffer.alloc(32, 0x3c)
const SETTINGS = { scheme: schemeFor('aes-256-gcm', 'sha512'), encoding: 'binary', compression: undefined } as const
let redis: LocalRedis
let raw: Awaited<ReturnType<typeof rawClient>>
let ring: KeyRing
const stores: RedisStore[] = []
before(async () => {
  redis = await startRedis()
  raw = await rawClient(redis.port)
  ring = new KeyRing(await deriveMasterKeys([SECRET]))
})
after(async () => {
  await Promise.all(stores.map((s) => s.close()))
  raw.destroy()
  await redis.stop()
})

function boundedStore(maxSealAge: number) {
  const failures: SealErrorInfo[] = []
  const store = new RedisStore({ client: raw, secret: SECRET, pool: false, maxSealAge, onSealError: (i) => failures.push(i) })
  stores.push(store)
  return { store, failures }
}

const session = { cookie: { originalMaxAge: 3_600_000, path: '/', httpOnly: true }, user: 'carol' }

/** Writes `session` for `sid` as if it had been sealed `ageMs` ago (with a long Redis TTL). */
async function writeSealedAgo(sid: string, ageMs: number, content: object = session): Promise<Buffer> {
  const value = seal(Buffer.from(JSON.stringify(content)), `sess:${sid}`, ring, SETTINGS, Date.now() - ageMs) as Buffer
  await raw.set(`sess:${sid}`, value, { expiration: { type: 'EX', value: 3600 } })
  return value
}

test('a record sealed longer ago than maxSealAge is no session (reason expired); a younger one opens', async () => {
  const { store, failures } = boundedStore(60)
  await writeSealedAgo('old', 61_000)
  await writeSealedAgo('young', 55_000)
  assert.equal(await store.get('old'), null)
  assert.deepEqual(failures, [{ reason: 'expired', sid: 'old' }])
  assert.deepEqual(await store.get('young'), session)
  assert.equal(store.stats().openFailures, 1)
  const all = (await store.all()) ?? []
  assert.deepEqual(all.map((s) => (s as { id?: string }).id), ['young'], 'all() leaves the expired record out')

  const unbounded = new RedisStore({ client: raw, secret: SECRET, pool: false })
  stores.push(unbounded)
  assert.deepEqual(await unbounded.get('old'), session, 'without maxSealAge the same record opens')
})

test('touch does not re-seal: an old record stays refused after a touch, and opens again only after a set', async () => {
  const { store, failures } = boundedStore(1)
  const before = await writeSealedAgo('touched', 1500)
  await store.touch('touched', { cookie: { originalMaxAge: 7_200_000, expires: new Date(Date.now() + 7_200_000) } } as unknown as SessionData)
  assert.ok((await raw.ttl('sess:touched')) > 3600, 'touch extended the Redis TTL')
  assert.deepEqual(await raw.withTypeMapping({ 36: Buffer }).get('sess:touched'), before, 'the record itself is unchanged')
  assert.equal(await store.get('touched'), null)
  assert.equal(failures[0]?.reason, 'expired')

  await store.set('touched', session as unknown as SessionData)
  assert.deepEqual(await store.get('touched'), session, 'a set re-seals with the current time')
})

test('express-session rolling: an unchanged session is only touched, so it ends maxSealAge after its last change', async (t) => {
  const { store, failures } = boundedStore(2)
  const app = await startApp(store, { rolling: true })
  t.after(() => app.close())
  const login = await send(app.port, 'POST', '/login?user=dave')
  assert.ok(login !== 'hung' && login.cookie)
  const sid = decodeURIComponent(login.cookie.split('=')[1] as string).slice(2).split('.')[0] as string
  const stored = (await store.get(sid)) as SessionData

  const young = await writeSealedAgo(sid, 500, stored)
  const me = await send(app.port, 'GET', '/me', login.cookie)
  assert.ok(me !== 'hung' && me.status === 200)
  assert.equal(JSON.parse(me.body).user, 'dave')
  assert.ok(me.cookie, 'rolling sent a fresh cookie')
  assert.deepEqual(await raw.withTypeMapping({ 36: Buffer }).get(`sess:${sid}`), young, 'rolling touched; it did not re-seal')

  await writeSealedAgo(sid, 2500, stored)
  const later = await send(app.port, 'GET', '/me', login.cookie)
  assert.ok(later !== 'hung' && later.status === 200)
  assert.equal(JSON.parse(later.body).user, null, 'the session is gone although it was in use')
  assert.deepEqual(failures.map((f) => f.reason), ['expired'])

  await writeSealedAgo(sid, 2500, stored)
  const visit = await send(app.port, 'POST', '/visit', login.cookie)
  assert.ok(visit !== 'hung' && visit.status === 200)
  assert.equal(JSON.parse(visit.body).visits, 1, 'a change after expiry starts a new session, not the old one')
})

test('maxSealAge must be a whole number of seconds >= 1', () => {
  for (const bad of [0, -5, 2.5, '60', Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => new RedisStore({ client: raw, secret: SECRET, maxSealAge: bad as number }),
      (error: unknown) => error instanceof TypeError && /option "maxSealAge"/.test(error.message),
    )
  }
})
