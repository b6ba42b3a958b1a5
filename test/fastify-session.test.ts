import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import Fastify, { type FastifyInstance } from 'fastify'
import { createClient, RESP_TYPES } from 'redis'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { RedisStore, type SealErrorInfo } from '../src/index.js'

declare module 'fastify' {
  interface Session {
    member?: string
    visits?: number
  }
}

let redis: LocalRedis
let client: ReturnType<typeof createClient>
let store: RedisStore
let app: FastifyInstance
let base: string
const failures: SealErrorInfo[] = []

before(async () => {
  redis = await startRedis()
  client = createClient({ url: redis.url })
  await client.connect()
  store = new RedisStore({ client, secret: 'fastify-test-secret-0123456789abcdef0123', onSealError: (info) => failures.push(info) })
  app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, {
    secret: 'a-cookie-signing-secret-of-32-chars-or-more',
    store,
    cookie: { secure: false, maxAge: 3_600_000 },
    saveUninitialized: false,
  })
  app.post('/login', async (request) => {
    request.session.set('member', 'fastify-alice')
    return { ok: true }
  })
  app.get('/me', async (request) => ({ user: request.session.get('member') ?? null }))
  app.post('/visit', async (request) => {
    const visits = (request.session.get('visits') ?? 0) + 1
    request.session.set('visits', visits)
    return { visits }
  })
  app.post('/logout', async (request) => {
    await request.session.destroy()
    return { ok: true }
  })
  base = await app.listen({ port: 0, host: '127.0.0.1' })
})

after(async () => {
  await app.close()
  await store.close()
  await client.close()
  await redis.stop()
})

function sessionCookie(response: Response): { cookie: string; sid: string } {
  const header = response.headers.get('set-cookie')
  assert.ok(header, 'a session cookie was set')
  const cookie = header.split(';')[0] as string
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1))
  return { cookie, sid: value.slice(0, value.lastIndexOf('.')) }
}

const me = async (cookie: string) => (await (await fetch(`${base}/me`, { headers: { cookie } })).json()) as { user: string | null }

describe('@fastify/session with our store over real HTTP', () => {
  it('sets, reads back and destroys a sealed session', async () => {
    const login = await fetch(`${base}/login`, { method: 'POST' })
    assert.equal(login.status, 200)
    const { cookie, sid } = sessionCookie(login)
    const stored = (await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(`sess:${sid}`)) as unknown as Buffer
    assert.ok(stored, 'the session is in Redis under the cookie id')
    assert.equal(stored[0], 0x02)
    assert.ok(!stored.includes('fastify-alice'))
    const ttl = await client.ttl(`sess:${sid}`)
    assert.ok(ttl > 3500 && ttl <= 3600, `TTL from the cookie maxAge, got ${ttl}`)

    assert.deepEqual(await me(cookie), { user: 'fastify-alice' })
    const visit = await fetch(`${base}/visit`, { method: 'POST', headers: { cookie } })
    assert.deepEqual(await visit.json(), { visits: 1 })
    const again = await fetch(`${base}/visit`, { method: 'POST', headers: { cookie } })
    assert.deepEqual(await again.json(), { visits: 2 })
    assert.deepEqual(await me(cookie), { user: 'fastify-alice' })

    const logout = await fetch(`${base}/logout`, { method: 'POST', headers: { cookie } })
    assert.equal(logout.status, 200)
    assert.equal(await client.exists(`sess:${sid}`), 0)
    assert.deepEqual(await me(cookie), { user: null })
    assert.ok(store.stats().sealed >= 3 && store.stats().opened >= 4)
    assert.deepEqual(failures, [])
  })

  it('an altered record gives a fresh session, not an error', async () => {
    const { cookie, sid } = sessionCookie(await fetch(`${base}/login`, { method: 'POST' }))
    const key = `sess:${sid}`
    const buffers = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer })
    const stored = (await buffers.get(key)) as unknown as Buffer
    stored[stored.length - 1] = (stored[stored.length - 1] as number) ^ 1
    await client.set(key, stored, { expiration: { type: 'EX', value: 60 } })
    const response = await fetch(`${base}/me`, { headers: { cookie } })
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { user: null })
    assert.deepEqual(failures, [{ reason: 'tag', sid }])
  })
})
