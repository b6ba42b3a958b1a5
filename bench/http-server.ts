/**
 * The HTTP server under load, run as a child process so that the load generator does not share
 * its event loop: Express 5 + express-session + one contender's store. Driven over IPC (see
 * http-protocol.ts). Routes: GET /health (before the session middleware), POST /init?size=N
 * (creates a session of N bytes), GET /work (reads the session, changes it, so it is saved).
 */
import type { AddressInfo } from 'node:net'
import { Session as Inspector } from 'node:inspector/promises'
import express from 'express'
import session from 'express-session'
import { dispatchDelta, dispatchOf, openStore, type Dispatch, type OpenedStore } from './contenders.js'
import type { FromServer, ServerWindow, ToServer } from './http-protocol.js'
import { REPO_ROOT } from './machine.js'
import { startCostMeter, startLoopDelay } from './measure.js'
import { breakdown, type CpuProfile } from './profile-breakdown.js'
import { makeSession, sessionFields } from './session-data.js'

interface Counters {
  work: number
  /** Requests whose connection is still open. */
  inFlight: number
  /** Store calls not yet called back: requests cut off by the load generator still run to the end. */
  storeCalls: number
}

function send(message: FromServer): void {
  process.send?.(message)
}

const counters: Counters = { work: 0, inFlight: 0, storeCalls: 0 }
let opened: OpenedStore | undefined
let server: ReturnType<express.Express['listen']> | undefined
const sessionsBySize = new Map<number, Record<string, unknown>>()

function fieldsFor(size: number): Record<string, unknown> {
  let fields = sessionsBySize.get(size)
  if (!fields) {
    fields = sessionFields(makeSession(size))
    sessionsBySize.set(size, fields)
  }
  return fields
}

/** Counts the store calls in flight, so that the server can tell when it has gone quiet. */
function counted(store: session.Store): session.Store {
  for (const method of ['get', 'set', 'touch', 'destroy'] as const) {
    const original = store[method] as (...args: unknown[]) => unknown
    ;(store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const callback = args.pop() as (...results: unknown[]) => void
      counters.storeCalls++
      return original.call(store, ...args, (...results: unknown[]) => {
        counters.storeCalls--
        callback(...results)
      })
    }
  }
  return store
}

/** Resolves once no request and no store call has been in flight for three polls 5 ms apart. */
async function quiet(): Promise<void> {
  for (let calm = 0; calm < 3; ) {
    await new Promise((resolve) => setTimeout(resolve, 5))
    calm = counters.inFlight === 0 && counters.storeCalls === 0 ? calm + 1 : 0
  }
}

function buildApp(store: session.Store): express.Express {
  const app = express()
  app.use((_req, res, next) => {
    counters.inFlight++
    res.once('close', () => counters.inFlight--)
    next()
  })
  app.get('/health', (_req, res) => {
    res.type('text/plain').send('ok')
  })
  app.use(
    session({
      store,
      name: 'sid',
      secret: 'bench-cookie-signing-secret',
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 86_400_000, httpOnly: true },
    }),
  )
  app.post('/init', (req, res) => {
    const size = Number(req.query.size)
    if (!Number.isInteger(size) || size <= 0) {
      res.status(400).send('size?')
      return
    }
    Object.assign(req.session, structuredClone(fieldsFor(size)))
    res.json({ ok: true })
  })
  app.get('/work', (req, res) => {
    const data = req.session as unknown as { views?: number }
    if (typeof data.views !== 'number') {
      res.status(410).json({ error: 'session lost' })
      return
    }
    data.views++
    counters.work++
    res.json({ views: data.views })
  })
  return app
}

let window: { meter: ReturnType<typeof startCostMeter>; delay: ReturnType<typeof startLoopDelay>; dispatch: Dispatch | undefined } | undefined
let inspector: Inspector | undefined

function openWindow(): void {
  window?.delay.stop()
  counters.work = 0
  window = { meter: startCostMeter(), delay: startLoopDelay(), dispatch: opened && dispatchOf(opened.store) }
}

function closeWindow(): ServerWindow {
  if (!window) throw new Error('no measurement window open')
  const cost = window.meter.stop()
  const loopDelay = window.delay.stop()
  const dispatch = dispatchDelta(opened && dispatchOf(opened.store), window.dispatch)
  window = undefined
  const requests = Math.max(1, counters.work)
  return { requests: counters.work, loopDelay, utilization: cost.utilization, mainMsPerRequest: cost.mainMs / requests, cpuMsPerRequest: cost.cpuMs / requests, dispatch }
}


async function handle(message: ToServer): Promise<void> {
  switch (message.type) {
    case 'start': {
      opened = await openStore(message.contender, message.redisUrl, message.secrets)
      const app = buildApp(counted(opened.store))
      server = app.listen(0, '127.0.0.1', () => send({ type: 'listening', port: (server?.address() as AddressInfo).port }))
      return
    }
    case 'reset':
      return openWindow()
    case 'report':
      return send({ type: 'report', window: closeWindow() })
    case 'profile-start':
      inspector = new Inspector()
      inspector.connect()
      await inspector.post('Profiler.enable')
      await inspector.post('Profiler.setSamplingInterval', { interval: message.intervalMicros })
      await inspector.post('Profiler.start')
      return openWindow()
    case 'profile-stop': {
      if (!inspector) throw new Error('profiler not started')
      const window = closeWindow()
      const { profile } = (await inspector.post('Profiler.stop')) as { profile: CpuProfile }
      inspector.disconnect()
      inspector = undefined
      return send({ type: 'profile', window, breakdown: breakdown(profile, REPO_ROOT) })
    }
    case 'quiet':
      await quiet()
      return send({ type: 'quiet' })
    case 'stop': {
      const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
      server?.closeAllConnections()
      await closed
      await quiet()
      await opened?.close()
      process.disconnect?.()
      return
    }
  }
}

process.on('message', (message: ToServer) => {
  handle(message).catch((error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }))
})
