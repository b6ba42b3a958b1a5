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
import { addDeviceRoutes, browserOf } from './devices.js'
import { prometheusMetrics, type PrometheusMetrics } from './metrics.js'
import { cartPage, loginPage, PRODUCTS, profilePage, welcomePage, type CartItem } from './pages.js'

declare module 'express-session' {
  interface SessionData {
    /** `browser`: the User-Agent at login (see `browserOf`), for the devices page. */
    account?: { name: string; since: string; browser?: string }
    cart?: CartItem[]
  }
}

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

/** Items a cart may hold, so the session stays well under the store's `maxSessionBytes`. */
export const MAX_CART_ITEMS = 20_000
const DEFAULT_OFFLOAD_THRESHOLD = 32_768
/** How long /health waits for Redis to answer PING (node-redis queues commands while it reconnects). */
const HEALTH_TIMEOUT_MS = 1000

const sessionBytes = (req: Request): number => Buffer.byteLength(JSON.stringify(req.session), 'utf8')

function cookieKey(secret: string | Buffer): string {
  return Buffer.from(hkdfSync('sha256', secret, 'connect-redis-sealed example', 'cookie signature', 32)).toString('base64url')
}

function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (req.session.account) return next()
  res.redirect(303, '/')
}

/** Promisified `req.session.regenerate`, `save` and `destroy`. */
const sessionStep = (req: Request, step: 'regenerate' | 'save' | 'destroy'): Promise<void> =>
  new Promise((resolve, reject) => req.session[step]((error: unknown) => (error ? reject(error) : resolve())))

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

  app.get('/', (req, res) => {
    const user = req.session.account
    res.type('html').send(user ? welcomePage(user.name) : loginPage())
  })

  app.post('/login', async (req, res) => {
    const name = typeof req.body?.name === 'string' ? req.body.name.trim() : ''
    if (name.length < 1 || name.length > 40) {
      res.status(400).type('html').send(loginPage('Please enter a name of 1 to 40 characters.'))
      return
    }
    await sessionStep(req, 'regenerate')
    req.session.account = { name, since: new Date().toISOString(), browser: browserOf(req.get('user-agent')) }
    req.session.cart = []
    await sessionStep(req, 'save')
    res.redirect(303, '/profile')
  })

  app.get('/profile', requireUser, (req, res) => {
    const user = req.session.account as { name: string; since: string }
    res.type('html').send(profilePage(user.name, user.since, req.session.cart?.length ?? 0, sessionBytes(req)))
  })

  addDeviceRoutes(app, store, requireUser, (req) => req.session.account?.name ?? '')

  app.get('/cart', requireUser, (req, res) => {
    res.type('html').send(cartPage(req.session.account?.name ?? '', req.session.cart ?? [], sessionBytes(req), offloadThreshold))
  })

  app.post('/cart/add', requireUser, async (req, res) => {
    const product = PRODUCTS.find((p) => p.sku === req.body?.sku)
    const count = Number(req.body?.count ?? 1)
    const cart = req.session.cart ?? []
    if (!product || !Number.isInteger(count) || count < 1 || count > 1000) {
      res.status(400).type('html').send(cartPage(req.session.account?.name ?? '', cart, sessionBytes(req), offloadThreshold, 'Unknown product or count.'))
      return
    }
    if (cart.length + count > MAX_CART_ITEMS) {
      res.status(409).type('html').send(cartPage(req.session.account?.name ?? '', cart, sessionBytes(req), offloadThreshold, `The cart holds at most ${MAX_CART_ITEMS} items.`))
      return
    }
    const addedAt = new Date().toISOString()
    for (let i = 0; i < count; i++) cart.push({ sku: product.sku, title: product.title, priceCents: product.priceCents, addedAt })
    req.session.cart = cart
    // express-session saves after the response; the redirected GET must find the write already done.
    await sessionStep(req, 'save')
    res.redirect(303, '/cart')
  })

  app.post('/cart/clear', requireUser, async (req, res) => {
    req.session.cart = []
    await sessionStep(req, 'save')
    res.redirect(303, '/cart')
  })

  app.post('/logout', async (req, res) => {
    await sessionStep(req, 'destroy')
    res.clearCookie('connect.sid', { httpOnly: true, sameSite: 'lax' })
    res.redirect(303, '/')
  })

  app.get('/stats', (_req, res) => {
    res.json(store.stats())
  })

  // Prometheus scrapes this. A real app keeps it off the public internet (another listener or an allow-list).
  app.get('/metrics', (req, res) => metrics.handle(req, res))

  app.get('/health', async (_req, res) => {
    try {
      res.json({ ok: true, redis: await ping() })
    } catch {
      res.status(503).json({ ok: false, redis: 'unreachable' })
    }
  })

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    logError(`request failed: ${error instanceof Error ? error.message : String(error)}`)
    res.status(500).type('text').send('Something went wrong.')
  })
  return app
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
  const store = new RedisStore({
    client,
    secret: options.secret,
    offloadThreshold,
    metrics: { meterProvider: metrics.meterProvider },
    // Indexes each session under its user, for the devices page (sessionsOf, destroySessionsOf).
    userOf: (s) => s.account?.name,
  })
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
