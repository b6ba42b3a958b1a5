/**
 * The plain-app bench's server: a small Express 5 + express-session app with one store, as a user
 * would write it. No IPC and no measuring code: the harness (main.ts) starts it with plain `node`
 * (transpiled to .tmp/plain-app/, see launch.ts), reads "listening <port>" from stdout and stops it
 * with SIGTERM. Configured by the environment:
 *   PLAIN_STORE    'connect-redis' (connect-redis 9) or 'ours' (this package, the built dist/)
 *   PLAIN_CLIENT   'redis' (node-redis 6) or 'redis5' (node-redis 5)
 *   PLAIN_OPTIONS  JSON of our store's extra options, e.g. {"touchAfter":60}
 *   PLAIN_PREFIX   the Redis key prefix; REDIS_URL; SESSION_SECRET (a passphrase, ours only)
 * Routes: GET /health (before the session middleware), POST /login (JSON body: the session's
 * fields), GET /work (read + write: one counter changes), GET /read (read + touch: nothing changes).
 */
import type { AddressInfo } from 'node:net'
import express from 'express'
import session from 'express-session'
import { RedisStore as ConnectRedis } from 'connect-redis'
import type { RedisStoreOptions } from '../../src/index.js'

interface Client {
  on(event: 'error', listener: (error: Error) => void): unknown
  connect(): Promise<unknown>
  close(): Promise<unknown>
}

const env = process.env
const kind = env.PLAIN_STORE === 'ours' ? 'ours' : 'connect-redis'
// Names kept in variables so that TypeScript does not resolve the package's own name to dist/ types.
const clientPackage: string = env.PLAIN_CLIENT === 'redis5' ? 'redis5' : 'redis'
const sealedPackage: string = 'connect-redis-sealed'
const { createClient } = (await import(clientPackage)) as { createClient(options: { url?: string }): Client }

const client = createClient({ url: env.REDIS_URL })
client.on('error', (error) => process.stderr.write(`redis: ${error.message}\n`))
await client.connect()

const prefix = env.PLAIN_PREFIX ?? 'plain:'
let store: session.Store
let closeStore = async (): Promise<void> => {}
if (kind === 'ours') {
  const { RedisStore } = (await import(sealedPackage)) as typeof import('../../src/index.js')
  const options = JSON.parse(env.PLAIN_OPTIONS ?? '{}') as Partial<RedisStoreOptions>
  const ours = new RedisStore({ client: client as never, prefix, secret: env.SESSION_SECRET ?? '', ...options })
  store = ours
  closeStore = () => ours.close()
} else {
  store = new ConnectRedis({ client: client as never, prefix })
}

interface AppSession {
  counter?: number
}

const app = express()
app.get('/health', (_req, res) => void res.type('text/plain').send('ok'))
app.use(session({ store, name: 'sid', secret: 'plain-app-cookie-signing-secret', resave: false, saveUninitialized: false, cookie: { maxAge: 86_400_000, httpOnly: true } }))
app.post('/login', express.json({ limit: '64kb' }), (req, res) => {
  Object.assign(req.session, req.body as object)
  res.json({ ok: true })
})
app.get('/work', (req, res) => {
  const s = req.session as unknown as AppSession
  if (typeof s.counter !== 'number') return void res.status(410).json({ error: 'no session' })
  s.counter++
  res.json({ counter: s.counter })
})
app.get('/read', (req, res) => {
  const s = req.session as unknown as AppSession
  if (typeof s.counter !== 'number') return void res.status(410).json({ error: 'no session' })
  res.json({ counter: s.counter })
})

const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`))

process.once('SIGTERM', () => {
  server.close(() => {
    closeStore()
      .then(() => client.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      )
  })
  server.closeAllConnections()
})
