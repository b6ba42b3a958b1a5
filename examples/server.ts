/**
 * The example app as a function: Express 5, express-session and our RedisStore on a node-redis 6
 * client. `examples/app.ts` is the command-line entry; tests call `startApp` directly.
 */
import { hkdfSync } from 'node:crypto'
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import express, { type NextFunction, type Request, type Response } from 'express'
import session from 'express-session'
import { createClient } from 'redis'
import { RedisStore } from '../src/index.js'
import { addCartRoutes } from './cart.js'
import { addDeviceRoutes, browserOf } from './devices.js'
import { redirectWithFlash, takeFlash } from './flash.js'
import { prometheusMetrics, type PrometheusMetrics } from './metrics.js'
import { addOperatorRoutes } from './operator.js'
import { errorPage, loginPage, notFoundPage, profilePage, welcomePage } from './pages.js'
import type { CartItem } from './products.js'
import { requireUser, sessionBytes, sessionStep, userName } from './session-steps.js'

export { MAX_CART_ITEMS } from './products.js'

declare module 'express-session' {
  interface SessionData {
    /** `browser`: the User-Agent at login (see `browserOf`), for the devices page. */
    account?: { name: string; since: string; browser?: string }
    cart?: CartItem[]
    /** Last request of this session (ms since the epoch), noted at most once a minute: the devices page's "last activity". */
    lastSeen?: number
  }
}

/** How to write a session that changed since it was read (the store's `concurrency` option). */
export type Concurrency = 'merge' | 'overwrite'

export interface AppOptions {
  /** Redis to keep sessions in, e.g. `redis://127.0.0.1:6379`. */
  redisUrl: string
  /** Seals sessions in Redis (a passphrase or 32 bytes); the cookie-signing key is derived from it. */
  secret: string | Buffer
  /** Signs express-session's cookie. Default: a key derived from `secret`. */
  cookieSecret?: string
  /** TCP port; 0 picks a free one. Default 3000. */
  port?: number
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string
  /** Plaintext bytes from which sealing runs on the worker pool. Default: the store's (32768). */
  offloadThreshold?: number
  /** The store's `concurrency` option. Default: the store's default (merge). */
  concurrency?: Concurrency
  /** Where Redis and request errors are reported. Default `console.error`. */
  logError?: (line: string) => void
}

export interface RunningApp {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string
  readonly port: number
  readonly server: Server
  readonly store: RedisStore
  /** Closes the HTTP server, the store (and its pool) and the Redis client. Safe to call twice. */
  close(): Promise<void>
}

const DEFAULT_OFFLOAD_THRESHOLD = 32_768
/** How long /health waits for Redis to answer PING (node-redis queues commands while it reconnects). */
const HEALTH_TIMEOUT_MS = 1000
/** `lastSeen` is rewritten at most this often, so browsing costs at most one extra write a minute. */
export const LAST_SEEN_EVERY_MS = 60_000
/** Longest request path quoted on the 404 page. */
const MAX_QUOTED_PATH = 100

function cookieKey(secret: string | Buffer): string {
  return Buffer.from(hkdfSync('sha256', secret, 'connect-redis-sealed example', 'cookie signature', 32)).toString('base64url')
}

interface AppParts {
  store: RedisStore
  secret: string | Buffer
  cookieSecret: string | undefined
  ping: () => Promise<string>
  offloadThreshold: number
  logError: (line: string) => void
  metrics: PrometheusMetrics
}

function buildApp({ store, secret, cookieSecret, ping, offloadThreshold, logError, metrics }: AppParts): express.Express {
  const app = express()
  app.disable('x-powered-by')
  // Every page depends on who is logged in: never keep one, so Back after logout shows nothing private.
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store')
    next()
  })
  app.use(express.urlencoded({ extended: false, limit: '4kb' }))
  app.use(
    session({
      store,
      secret: cookieSecret ?? cookieKey(secret),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: 24 * 60 * 60 * 1000 },
    }),
  )
  app.use((req, _res, next) => {
    const now = Date.now()
    if (req.session.account && !(now - (req.session.lastSeen ?? 0) < LAST_SEEN_EVERY_MS)) req.session.lastSeen = now
    next()
  })

  addOperatorRoutes(app, store, metrics, ping)

  app.get('/', (req, res) => {
    const user = req.session.account
    const notice = takeFlash(req, res)
    res.type('html').send(user ? welcomePage(user.name, notice) : loginPage(notice))
  })

  app.post('/login', async (req, res) => {
    const name = typeof req.body?.name === 'string' ? req.body.name.trim() : ''
    if (name.length < 1 || name.length > 40) {
      redirectWithFlash(res, '/', 'login-name')
      return
    }
    await sessionStep(req, 'regenerate')
    req.session.account = { name, since: new Date().toISOString(), browser: browserOf(req.get('user-agent')) }
    req.session.cart = []
    req.session.lastSeen = Date.now()
    await sessionStep(req, 'save')
    res.redirect(303, '/profile')
  })

  app.get('/profile', requireUser, (req, res) => {
    const since = Date.parse(req.session.account?.since ?? '')
    res.type('html').send(profilePage({ name: userName(req), since, cartCount: req.session.cart?.length ?? 0, sessionBytes: sessionBytes(req) }))
  })

  addDeviceRoutes(app, store)
  addCartRoutes(app, offloadThreshold)

  app.post('/logout', async (req, res) => {
    await sessionStep(req, 'destroy')
    res.clearCookie('connect.sid', { httpOnly: true, sameSite: 'lax' })
    redirectWithFlash(res, '/', 'logged-out')
  })

  app.use((req, res) => {
    const path = req.path.length > MAX_QUOTED_PATH ? `${req.path.slice(0, MAX_QUOTED_PATH)}…` : req.path
    res.status(404).type('html').send(notFoundPage(path, req.session?.account?.name))
  })

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = Number((error as { status?: unknown } | null)?.status)
    const user = req.session?.account?.name
    if (status === 400 || status === 413 || status === 415) {
      res.status(status).type('html').send(errorPage(status, status === 413 ? 'The form sent was too large.' : 'The request could not be read.', user))
      return
    }
    logError(`request failed: ${error instanceof Error ? error.message : String(error)}`)
    res.status(500).type('html').send(errorPage(500, 'The page could not be shown. Please try again in a moment.', user))
  })
  return app
}

/** Builds with `make`; if that throws (a bad option), closes the client and the metrics first. */
async function closingOnThrow<T>(client: { close(): Promise<unknown> }, metrics: PrometheusMetrics, make: () => T): Promise<T> {
  try {
    return make()
  } catch (error) {
    await metrics.shutdown()
    await client.close()
    throw error
  }
}

/**
 * Connects to Redis, builds the store and the app, and listens. Rejects (after releasing what it
 * opened) when Redis cannot be reached or the port is taken (`error.code === 'EADDRINUSE'`).
 */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const logError = options.logError ?? ((line: string) => console.error(line))
  let ready = false
  const client = createClient({
    url: options.redisUrl,
    // Give up at start-up after a few tries; once connected, keep reconnecting.
    socket: { connectTimeout: 5000, reconnectStrategy: (retries, cause) => (!ready && retries >= 3 ? cause : Math.min(100 * 2 ** retries, 2000)) },
  })
  let lastError = ''
  let closing: Promise<void> | undefined
  client.on('error', (error: Error) => {
    // Quiet while shutting down: a private redis-server gets the same Ctrl-C and may go first.
    if (ready && !closing && error.message !== lastError) logError(`redis: ${error.message}`)
    lastError = error.message
  })
  await client.connect()
  ready = true
  const offloadThreshold = options.offloadThreshold ?? DEFAULT_OFFLOAD_THRESHOLD
  const metrics = prometheusMetrics()
  const store = await closingOnThrow(client, metrics, () => new RedisStore({
    client,
    secret: options.secret,
    offloadThreshold,
    metrics: { meterProvider: metrics.meterProvider },
    // Indexes each session under its user, for the devices page (sessionsOf, destroySessionsOf).
    userOf: (s) => s.account?.name,
    // Passed only when set, so the store's own default applies otherwise.
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  }))
  const ping = () => Promise.race([client.ping(), sleep(HEALTH_TIMEOUT_MS, undefined, { ref: false }).then(() => Promise.reject(new Error('no reply')))])
  const server = buildApp({ store, secret: options.secret, cookieSecret: options.cookieSecret, ping, offloadThreshold, logError, metrics }).listen(options.port ?? 3000, options.host ?? '127.0.0.1')
  const release = async () => {
    await store.close()
    await metrics.shutdown()
    // A client that lost Redis keeps reconnecting, and a graceful close would wait for it forever.
    if (!client.isOpen) return
    if (client.isReady) await client.close()
    else client.destroy()
  }
  try {
    await once(server, 'listening')
  } catch (error) {
    await release()
    throw error
  }
  const { port, address } = server.address() as AddressInfo
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    port,
    server,
    store,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        // A browser keeps connections open; give requests in flight a moment, then cut the rest.
        const cut = setTimeout(() => server.closeAllConnections(), 1000)
        await closed
        clearTimeout(cut)
        await release()
      })()
      return closing
    },
  }
}
