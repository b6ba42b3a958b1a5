/**
 * The HTTP server of the paired bench, one child process per contender: Express 5 +
 * express-session + one store. Routes: GET /health (before the session middleware),
 * POST /init?shape=&size= (creates a session), GET /work (read + write: the session changes),
 * GET /read (read + touch: the session is unchanged, so express-session calls touch).
 * IPC: start, window (open a measurement window), report, quiet, stop.
 */
import type { AddressInfo } from 'node:net'
import express from 'express'
import session from 'express-session'
import { RedisStore as ConnectRedis } from 'connect-redis'
import { createClient } from 'redis'
import type { RedisStoreOptions } from '../src/index.js'
import { RedisStore } from './built-store.js'
import { startCostMeter } from './measure.js'
import { makeShapedSession, type Shape } from './shapes.js'
import { sessionFields, userIdOf } from './session-data.js'

/**
 * `userOf`: the store indexes sessions by `session.user.id` (a function cannot cross to the child, so it is named here).
 * `memory`: express-session's MemoryStore, which keeps JSON strings (JSON.parse on get, JSON.stringify on set) and
 * talks to no Redis: the main-thread floor of any store under express-session.
 * `disableTouch` (connect-redis): its touch sends nothing, the most any store can gain on read+touch by skipping EXPIRE.
 */
export type StoreSpec = { kind: 'connect-redis'; disableTouch?: true } | { kind: 'memory' } | { kind: 'ours'; options: Partial<RedisStoreOptions>; userOf?: true }

export type PairToServer =
  | { type: 'start'; spec: StoreSpec; redisUrl: string; secret: string; prefix: string }
  | { type: 'window' }
  | { type: 'report' }
  | { type: 'quiet' }
  | { type: 'stop' }

export interface PairWindow {
  requests: number
  mainMsPerRequest: number
  cpuMsPerRequest: number
  /** Ours only: seals and opens inline and pooled in the window. */
  inline: number
  pooled: number
}

export type PairFromServer = { type: 'listening'; port: number } | { type: 'report'; window: PairWindow } | { type: 'quiet' } | { type: 'failed'; message: string }

const send = (m: PairFromServer) => process.send?.(m)
let inFlight = 0
let storeCalls = 0
let requests = 0
let store: session.Store | undefined
let closeStore: (() => Promise<void>) | undefined
let server: ReturnType<express.Express['listen']> | undefined
let window: { meter: ReturnType<typeof startCostMeter>; inline: number; pooled: number } | undefined
const fields = new Map<string, Record<string, unknown>>()

function dispatch(): { inline: number; pooled: number } {
  return store instanceof RedisStore ? store.stats() : { inline: 0, pooled: 0 }
}

function counted(s: session.Store): session.Store {
  for (const method of ['get', 'set', 'touch', 'destroy'] as const) {
    const original = s[method] as (...args: unknown[]) => unknown
    ;(s as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const callback = args.pop() as (...results: unknown[]) => void
      storeCalls++
      return original.call(s, ...args, (...results: unknown[]) => {
        storeCalls--
        callback(...results)
      })
    }
  }
  return s
}

async function quiet(): Promise<void> {
  for (let calm = 0; calm < 3; ) {
    await new Promise((resolve) => setTimeout(resolve, 5))
    calm = inFlight === 0 && storeCalls === 0 ? calm + 1 : 0
  }
}

function app(s: session.Store): express.Express {
  const a = express()
  a.use((_req, res, next) => {
    inFlight++
    res.once('close', () => inFlight--)
    next()
  })
  a.get('/health', (_req, res) => void res.type('text/plain').send('ok'))
  a.use(session({ store: s, name: 'sid', secret: 'bench-cookie-signing-secret', resave: false, saveUninitialized: false, cookie: { maxAge: 86_400_000, httpOnly: true } }))
  a.post('/init', (req, res) => {
    const shape = String(req.query.shape ?? 'objects') as Shape
    const size = Number(req.query.size)
    const id = `${shape}:${size}`
    let f = fields.get(id)
    if (!f) fields.set(id, (f = sessionFields(makeShapedSession(shape, size))))
    Object.assign(req.session, structuredClone(f))
    res.json({ ok: true })
  })
  const route = (write: boolean) => (req: express.Request, res: express.Response) => {
    const data = req.session as unknown as { views?: number }
    if (typeof data.views !== 'number') return void res.status(410).json({ error: 'session lost' })
    if (write) data.views++
    requests++
    res.json({ views: data.views })
  }
  a.get('/work', route(true))
  a.get('/read', route(false))
  return a
}

async function handle(m: PairToServer): Promise<void> {
  switch (m.type) {
    case 'start': {
      const client = createClient({ url: m.redisUrl })
      client.on('error', () => {})
      await client.connect()
      if (m.spec.kind === 'memory') {
        store = new session.MemoryStore()
        closeStore = async () => void (await client.close())
      } else if (m.spec.kind === 'connect-redis') {
        store = new ConnectRedis({ client, prefix: m.prefix, disableTouch: m.spec.disableTouch === true })
        closeStore = async () => void (await client.close())
      } else {
        const ours = new RedisStore({ client, prefix: m.prefix, secret: Buffer.from(m.secret, 'hex'), ...m.spec.options, ...(m.spec.userOf ? { userOf: userIdOf } : {}) })
        store = ours
        closeStore = async () => {
          await ours.close()
          await client.close()
        }
      }
      server = app(counted(store)).listen(0, '127.0.0.1', () => send({ type: 'listening', port: (server?.address() as AddressInfo).port }))
      return
    }
    case 'window':
      requests = 0
      window = { meter: startCostMeter(), ...dispatch() }
      return
    case 'report': {
      if (!window) throw new Error('no window open')
      const cost = window.meter.stop()
      const d = dispatch()
      const n = Math.max(1, requests)
      send({ type: 'report', window: { requests, mainMsPerRequest: cost.mainMs / n, cpuMsPerRequest: cost.cpuMs / n, inline: d.inline - window.inline, pooled: d.pooled - window.pooled } })
      window = undefined
      return
    }
    case 'quiet':
      await quiet()
      send({ type: 'quiet' })
      return
    case 'stop': {
      const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
      server?.closeAllConnections()
      await closed
      await quiet()
      await closeStore?.()
      process.disconnect?.()
    }
  }
}

process.on('message', (m: PairToServer) => {
  handle(m).catch((error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }))
})
