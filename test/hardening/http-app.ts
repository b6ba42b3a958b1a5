/** A real Express 5 + express-session app over a store, and a tiny HTTP client that never waits forever. */
import { request as httpRequest, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type NextFunction, type Request, type Response } from 'express'
import session, { type Store } from 'express-session'

declare module 'express-session' {
  interface SessionData {
    user?: string
    visits?: number
  }
}

export interface AppHandle {
  readonly port: number
  /** Codes (or messages) of the errors that reached Express's error handler. */
  readonly errors: string[]
  close(): Promise<void>
}

export interface AppOptions {
  /** Awaited by GET /slow after it changed the session and before it responds (and so before the save). */
  hold?: () => Promise<void>
  rolling?: boolean
}

export const COOKIE_SECRET = 'hardening-cookie-signing-secret'

export async function startApp(store: Store, options: AppOptions = {}): Promise<AppHandle> {
  const errors: string[] = []
  const app = express()
  app.use(
    session({
      store,
      secret: COOKIE_SECRET,
      resave: false,
      saveUninitialized: false,
      rolling: options.rolling ?? false,
      cookie: { maxAge: 3_600_000 },
    }),
  )
  app.post('/login', (req, res) => {
    req.session.user = String(req.query.user ?? 'someone')
    req.session.visits = 0
    res.send('ok')
  })
  app.get('/me', (req, res) => {
    res.json({ user: req.session.user ?? null, visits: req.session.visits ?? null })
  })
  app.post('/visit', (req, res) => {
    req.session.visits = (req.session.visits ?? 0) + 1
    res.json({ visits: req.session.visits })
  })
  app.get('/slow', async (req, res) => {
    req.session.visits = (req.session.visits ?? 0) + 1
    await options.hold?.()
    res.json({ visits: req.session.visits })
  })
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.send('bye')))
  })
  app.get('/probe', (req, res) => {
    const probe: Record<string, unknown> = {}
    res.json({
      user: req.session.user ?? null,
      polluted: probe.polluted ?? null,
      objectPrototypeClean: Object.keys(Object.prototype).length === 0,
    })
  })
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const code = (err as { code?: unknown }).code
    errors.push(typeof code === 'string' ? code : String((err as Error).message))
    // express-session saves after the route answered: then the status is already out and the
    // failed save is only visible here (a route that must know calls req.session.save first).
    if (!res.headersSent) res.status(500).send('store error')
  })
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  return {
    port: (server.address() as AddressInfo).port,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export interface Reply {
  readonly status: number
  readonly body: string
  /** `connect.sid=...` from Set-Cookie, when the response set one. */
  readonly cookie: string | undefined
  readonly ms: number
}

/** One request on a fresh connection; resolves `'hung'` if no full response came within `boundMs`. */
export function send(port: number, method: string, path: string, cookie?: string, boundMs = 10_000): Promise<Reply | 'hung'> {
  const started = performance.now()
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false, headers: cookie ? { cookie } : {} }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => {
        clearTimeout(timer)
        const setCookie = res.headers['set-cookie']?.[0]
        resolve({ status: res.statusCode ?? 0, body, cookie: setCookie?.split(';')[0], ms: performance.now() - started })
      })
    })
    const timer = setTimeout(() => {
      req.destroy()
      resolve('hung')
    }, boundMs)
    req.on('error', () => {
      clearTimeout(timer)
      resolve({ status: 0, body: '', cookie: undefined, ms: performance.now() - started })
    })
    req.end()
  })
}

/** A promise with its resolver, for holding a request until the test lets it go. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}
