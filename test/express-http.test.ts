/** A real Express 5 and Express 4 app with express-session and the sealed store, over real HTTP: one flow, run on each. */
import assert from 'node:assert/strict'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { before, describe, it } from 'node:test'
import express, { type NextFunction, type Request, type Response } from 'express'
import express4 from 'express4'
import session from 'express-session'
import type { SealErrorInfo } from '../src/index.js'
import { useClient, useRedis } from './support/redis.js'
import { StoreTracker } from './support/sessions.js'

declare module 'express-session' {
  interface SessionData {
    user?: string
  }
}

const redis = useRedis()
const connection = useClient(redis)

/** The same app on each Express major: Express 4 is still what most apps run. */
const EXPRESS_MAJORS = [
  { name: 'Express 5', major: 5, express },
  // Express 4's typings differ in details this flow does not use; the run-time object is Express 4.
  { name: 'Express 4', major: 4, express: express4 as unknown as typeof express },
]

function httpFlow({ major, express }: (typeof EXPRESS_MAJORS)[number]): void {
  const stores = new StoreTracker()

  it(`runs on Express ${major} (express.query was removed in 5)`, () => {
    assert.equal(typeof (express as unknown as { query?: unknown }).query === 'function', major === 4)
  })
  const sealErrors: SealErrorInfo[] = []
  const serverErrors: unknown[] = []
  let server: Server | undefined
  let base = ''

  before(async () => {
    await connection.started()
    const store = stores.create({ client: connection.client, prefix: 'sess:', onSealError: (info) => sealErrors.push(info) })
    const app = express()
    app.use(express.json())
    app.use(session({ store, secret: 'cookie-signing-secret (test only)', resave: false, saveUninitialized: false, cookie: { maxAge: 600_000 } }))
    app.post('/login', (req, res) => {
      req.session.user = String(req.body.user)
      res.json({ user: req.session.user })
    })
    app.get('/profile', (req, res) => {
      res.json({ user: req.session.user ?? null, sid: req.sessionID })
    })
    app.post('/logout', (req, res, next) => {
      req.session.destroy((err) => (err ? next(err) : res.json({ loggedOut: true })))
    })
    app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      serverErrors.push(err)
      res.status(500).json({ error: 'internal' })
    })
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  redis.beforeStop(async () => {
    if (server) {
      server.closeAllConnections()
      await new Promise((resolve) => server?.close(resolve))
    }
    await stores.closeAll()
  })

  /** The `connect.sid=...` pair of a response's Set-Cookie, if any. */
  function sessionCookie(res: globalThis.Response): string | undefined {
    return res.headers.getSetCookie().find((c) => c.startsWith('connect.sid='))?.split(';')[0]
  }

  /** The session id inside a signed cookie value `s:<sid>.<signature>`. */
  function sidOf(cookie: string): string {
    const value = decodeURIComponent(cookie.slice('connect.sid='.length))
    assert.ok(value.startsWith('s:'), 'a signed cookie')
    return value.slice(2, value.lastIndexOf('.'))
  }

  async function login(user: string): Promise<{ cookie: string; sid: string }> {
    const res = await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) })
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { user })
    const cookie = sessionCookie(res)
    assert.ok(cookie, 'login sets the session cookie')
    return { cookie, sid: sidOf(cookie) }
  }

  async function profile(cookie?: string): Promise<{ status: number; body: { user: string | null; sid: string }; setCookie: string | undefined }> {
    const res = await fetch(`${base}/profile`, { headers: cookie ? { cookie } : {} })
    return { status: res.status, body: (await res.json()) as { user: string | null; sid: string }, setCookie: sessionCookie(res) }
  }

  describe('login, profile, logout', () => {
    it('an anonymous visitor gets no session and no cookie (saveUninitialized: false)', async () => {
      const visit = await profile()
      assert.equal(visit.status, 200)
      assert.equal(visit.body.user, null)
      assert.equal(visit.setCookie, undefined)
      assert.equal(await redis.raw.exists(`sess:${visit.body.sid}`), false)
    })

    it('login stores a sealed session; the next request with the cookie sees it; logout deletes it', async () => {
      const { cookie, sid } = await login('ada')
      const record = (await redis.raw.getBuffer(`sess:${sid}`)) as Buffer
      assert.ok(record, 'the session is in Redis under its id')
      assert.equal(record[0], 0x02, 'as a sealed record (format version 2)')
      assert.equal(record.includes(Buffer.from('ada')), false, 'without plaintext')
      const ttl = await redis.raw.ttl(`sess:${sid}`)
      assert.ok(ttl > 590 && ttl <= 600, `TTL from the cookie maxAge: ${ttl}`)

      const seen = await profile(cookie)
      assert.deepEqual(seen.body, { user: 'ada', sid })

      const res = await fetch(`${base}/logout`, { method: 'POST', headers: { cookie } })
      assert.equal(res.status, 200)
      assert.deepEqual(await res.json(), { loggedOut: true })
      assert.equal(await redis.raw.exists(`sess:${sid}`), false, 'logout removes the key')

      const after = await profile(cookie)
      assert.equal(after.status, 200)
      assert.equal(after.body.user, null)
      assert.deepEqual(serverErrors, [])
    })
  })

  describe('records an attacker changed in Redis', () => {
    it('a tampered record gives a fresh anonymous session with status 200, and onSealError is called', async () => {
      const { cookie, sid } = await login('grace')
      const key = `sess:${sid}`
      const record = (await redis.raw.getBuffer(key)) as Buffer
      record[record.length - 20] = (record[record.length - 20] as number) ^ 0x04
      await redis.raw.set(key, record)
      sealErrors.length = 0

      const visit = await profile(cookie)
      assert.equal(visit.status, 200)
      assert.equal(visit.body.user, null)
      assert.notEqual(visit.body.sid, sid, 'a new session id')
      assert.deepEqual(sealErrors, [{ reason: 'tag', sid }])
      assert.deepEqual(serverErrors, [])
    })

    it('a session copied under another session id is not accepted there', async () => {
      const alice = await login('alice')
      const mallory = await login('mallory')
      await redis.raw.set(`sess:${mallory.sid}`, (await redis.raw.getBuffer(`sess:${alice.sid}`)) as Buffer)
      sealErrors.length = 0

      const visit = await profile(mallory.cookie)
      assert.equal(visit.status, 200)
      assert.equal(visit.body.user, null, 'not alice')
      assert.deepEqual(sealErrors, [{ reason: 'tag', sid: mallory.sid }])
      assert.equal((await profile(alice.cookie)).body.user, 'alice', 'the original still works')
      assert.deepEqual(serverErrors, [])
    })
  })
}

for (const major of EXPRESS_MAJORS) describe(major.name, () => httpFlow(major))
