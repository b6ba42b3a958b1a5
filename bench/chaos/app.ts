/**
 * One app process of the chaos soak: Express + express-session + the store, one server per
 * configuration (client library × durability), all on loopback. Started by soak.ts with the
 * topology's addresses in CHAOS_APP (JSON); prints `{"ports":[...]}` once listening.
 *
 * Every route saves or destroys explicitly and answers only once the store has answered, so the
 * status code is exactly what the store acknowledged (express-session's own save at the end of a
 * response would send the response whatever the save's outcome).
 */
import type { AddressInfo } from 'node:net'
import express, { type Request, type Response } from 'express'
import session from 'express-session'
import { RedisStore } from '../../src/index.js'
import type { LocalCluster } from '../../test/support/redis-cluster.js'
import type { LocalSentinelSet } from '../../test/support/redis-sentinel.js'
import { connectClient, type Servers } from '../../test/support/topology-clients.js'
import type { AppConfig, AppSetup } from './config.js'

/** What the soak keeps in a session (no module augmentation: it would change SessionData for the whole project). */
interface Soaked {
  user?: string
  n?: number
}
const data = (req: Request): Soaked => req.session as unknown as Soaked

const failed = (res: Response, error: unknown) => res.status(503).json({ error: (error as { code?: string }).code ?? String(error) })

async function serve(setup: AppSetup, config: AppConfig, index: number): Promise<number> {
  const servers = {
    cluster: setup.cluster && ({ rootNodes: setup.cluster } as unknown as LocalCluster),
    sentinel: setup.sentinel && (setup.sentinel as unknown as LocalSentinelSet),
  } as Servers
  const { client } = await connectClient(config.client, setup.topology, servers)
  const store = new RedisStore({
    client,
    secret: Buffer.alloc(32, 0x5e),
    prefix: `chaos${index}:`,
    pool: false,
    timeout: setup.timeout,
    userOf: (s) => (s as Soaked).user,
    ...(config.durable ? { durability: { replicas: 1, timeout: setup.waitMs, writes: true } } : {}),
  })
  const app = express()
  app.use(session({ store, secret: 'chaos-soak', resave: false, saveUninitialized: false, name: 'sid' }))
  app.post('/login', (req: Request, res: Response) => {
    data(req).user = String(req.query.user)
    data(req).n = 0
    req.session.save((error) => (error ? failed(res, error) : res.json({ sid: req.sessionID })))
  })
  app.get('/read', (req: Request, res: Response) => {
    const { user, n } = data(req)
    if (user === undefined) return void res.status(401).json({})
    res.json({ user, n })
  })
  app.post('/write', (req: Request, res: Response) => {
    if (data(req).user === undefined) return void res.status(401).json({})
    data(req).n = Number(req.query.n)
    req.session.save((error) => (error ? failed(res, error) : res.json({ n: data(req).n })))
  })
  app.post('/logout', (req: Request, res: Response) => {
    req.session.destroy((error) => (error ? failed(res, error) : res.json({})))
  })
  app.post('/revoke', (req: Request, res: Response) => {
    store.destroySessionsOf(String(req.query.user)).then((count) => res.json({ count }), (error: unknown) => failed(res, error))
  })
  app.get('/health', (_req: Request, res: Response) => void res.json({}))
  // A failed session load (Redis down, timeout) is a 503 the traffic counts, not a stack trace on
  // stderr; a failed touch after the response was sent (express-session's end hook) is dropped.
  app.use((error: unknown, _req: Request, res: Response, _next: () => void) => void (res.headersSent || failed(res, error)))
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  return (server.address() as AddressInfo).port
}

const setup = JSON.parse(process.env.CHAOS_APP ?? '') as AppSetup
const ports = await Promise.all(setup.configs.map((config, i) => serve(setup, config, i)))
console.log(JSON.stringify({ ports }))
// The soak stops this process with SIGTERM when the run ends.
process.on('SIGTERM', () => process.exit(0))
