/**
 * Section 3, HTTP: Express 5 + express-session + each store in its own child process, loaded by
 * autocannon from this process: /work (read and modify a session of size S, through cookies of
 * sessions created beforehand) at full speed and, at the same time, /health at a low fixed rate.
 * Then, per size, a CPU profile of the server's main thread splits a request's cost.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon, { type Result } from 'autocannon'
import { createClient } from 'redis'
import { clearBenchKeys, STORE_CONTENDERS, type BenchSecrets, type Dispatch, type StoreContender } from './contenders.js'
import type { FromServer, ServerWindow, ToServer } from './http-protocol.js'
import { percentiles, type LoopDelay } from './measure.js'
import { CATEGORIES, type Breakdown } from './profile-breakdown.js'
import { sizeLabel } from './session-data.js'

const KB = 1024
const HEALTH_RATE = 50

/**
 * A quick run is a smoke test that must stay under a minute: each server child costs about a
 * second of CPU to start, so it runs only the contenders the goals compare (crypto at 1 KB only).
 */
const QUICK_CONTENDERS: readonly StoreContender[] = ['connect-redis', 'connect-redis-crypto', 'inline', 'auto']
const QUICK_LARGE: readonly StoreContender[] = ['connect-redis', 'inline', 'auto']

export interface HttpSettings {
  quick: boolean
  rounds: number
  /** Warm-up /work requests per connection before each measured run, for sessions up to 32 KB and above. */
  warmupPerConnection: { small: number; large: number }
  /** Whole seconds of each measured run. */
  runSeconds: number
  connections: number
  profileSeconds: number
}

export interface HttpRow {
  size: number
  contender: StoreContender
  /** /work requests answered 2xx per second (mean over rounds). */
  reqPerSec: number
  /** /work latency, ms (median over rounds). */
  latency: { p50: number; p99: number }
  /** /health latency p99, ms (median over rounds). */
  healthP99: number
  /** Server event-loop delay, ms (median over rounds of p50/p99, worst max). */
  loopDelay: LoopDelay
  /** Server main-thread ms and process CPU ms per /work request (median over rounds). */
  mainMsPerRequest: number
  cpuMsPerRequest: number
  /** Non-2xx responses, errors and timeouts of /work and /health together; a row with any is flagged. */
  failures: number
  /** Ours only: where the seals and opens of the measured windows ran. */
  dispatch?: Dispatch
}

export interface HttpBreakdownRow {
  size: number
  contender: StoreContender
  requests: number
  /** Main-thread ms per request, by category (from the CPU profile); `total` is their sum. */
  perRequest: Breakdown & { total: number }
}

interface Server {
  readonly contender: StoreContender
  readonly child: ChildProcess
  readonly base: string
  ask(message: ToServer, reply?: FromServer['type']): Promise<FromServer | undefined>
}

async function startServer(contender: StoreContender, redisUrl: string, secrets: BenchSecrets): Promise<Server> {
  const file = fileURLToPath(new URL('./http-server.ts', import.meta.url))
  const child = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const waiting: { type: FromServer['type']; resolve: (m: FromServer) => void; reject: (e: Error) => void }[] = []
  child.on('message', (message: FromServer) => {
    if (message.type === 'failed') return waiting.shift()?.reject(new Error(`${contender} server: ${message.message}`))
    const index = waiting.findIndex((w) => w.type === message.type)
    if (index >= 0) waiting.splice(index, 1)[0]?.resolve(message)
  })
  child.on('exit', (code) => waiting.splice(0).forEach((w) => w.reject(new Error(`${contender} server exited (${code})`))))
  const ask = (message: ToServer, reply?: FromServer['type']): Promise<FromServer | undefined> =>
    new Promise((resolve, reject) => {
      if (reply) waiting.push({ type: reply, resolve, reject })
      child.send(message)
      if (!reply) resolve(undefined)
    })
  const listening = (await ask({ type: 'start', contender, redisUrl, secrets }, 'listening')) as { port: number }
  return { contender, child, base: `http://127.0.0.1:${listening.port}`, ask }
}

async function createSessions(server: Server, size: number, count: number): Promise<string[]> {
  const cookies: string[] = []
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${server.base}/init?size=${size}`, { method: 'POST' })
    await response.arrayBuffer()
    const cookie = response.headers.getSetCookie()[0]?.split(';')[0]
    if (!response.ok || !cookie) throw new Error(`${server.contender}: could not create a session (${response.status})`)
    cookies.push(cookie)
  }
  return cookies
}

/** Loads /work for `duration` seconds (autocannon rounds it up to whole seconds) or `amount` requests. */
function load(server: Server, cookies: readonly string[], connections: number, limit: { duration: number } | { amount: number }): Promise<Result> {
  let next = 0
  return Promise.resolve(
    autocannon({
      url: server.base,
      connections,
      ...limit,
      timeout: 30,
      requests: [{ method: 'GET', path: '/work', setupRequest: (request) => ({ ...request, headers: { ...request.headers, cookie: cookies[next++ % cookies.length] as string } }) }],
    }),
  )
}

function health(server: Server, seconds: number): Promise<Result> {
  return Promise.resolve(autocannon({ url: `${server.base}/health`, connections: 2, overallRate: HEALTH_RATE, duration: seconds, timeout: 30 }))
}

const failuresOf = (r: Result) => r.non2xx + r.errors + r.timeouts

interface Round {
  work: Result
  health: Result
  server: ServerWindow
}

function summarize(size: number, contender: StoreContender, rounds: Round[]): HttpRow {
  const med = (pick: (r: Round) => number) => percentiles(rounds.map(pick)).p50
  return {
    size,
    contender,
    reqPerSec: rounds.reduce((s, r) => s + r.work['2xx'] / r.work.duration, 0) / rounds.length,
    latency: { p50: med((r) => r.work.latency.p50), p99: med((r) => r.work.latency.p99) },
    healthP99: med((r) => r.health.latency.p99),
    loopDelay: {
      p50: med((r) => r.server.loopDelay.p50),
      p99: med((r) => r.server.loopDelay.p99),
      max: Math.max(...rounds.map((r) => r.server.loopDelay.max)),
      samples: rounds.reduce((s, r) => s + r.server.loopDelay.samples, 0),
    },
    mainMsPerRequest: med((r) => r.server.mainMsPerRequest),
    cpuMsPerRequest: med((r) => r.server.cpuMsPerRequest),
    failures: rounds.reduce((s, r) => s + failuresOf(r.work) + failuresOf(r.health), 0),
    dispatch: rounds.every((r) => r.server.dispatch)
      ? rounds.reduce<Dispatch>((a, r) => {
          const d = r.server.dispatch as Dispatch
          return { inline: a.inline + d.inline, pooled: a.pooled + d.pooled, fallbacks: a.fallbacks + d.fallbacks, workerFailures: a.workerFailures + d.workerFailures }
        }, { inline: 0, pooled: 0, fallbacks: 0, workerFailures: 0 })
      : undefined,
  }
}

export interface HttpResult {
  rows: HttpRow[]
  breakdown: HttpBreakdownRow[]
}

export async function runHttp(redisUrl: string, secrets: BenchSecrets, settings: HttpSettings, log: (line: string) => void): Promise<HttpResult> {
  const sizes = settings.quick ? [KB, 256 * KB] : [KB, 32 * KB, 256 * KB, 1024 * KB]
  const profiled: StoreContender[] = settings.quick ? ['auto'] : ['connect-redis', 'inline', 'auto']
  const admin = createClient({ url: redisUrl })
  admin.on('error', () => {})
  await admin.connect()
  const contenders = settings.quick ? QUICK_CONTENDERS : STORE_CONTENDERS
  const servers = await Promise.all(contenders.map((c) => startServer(c, redisUrl, secrets)))
  const rows: HttpRow[] = []
  const breakdowns: HttpBreakdownRow[] = []
  try {
    for (const size of sizes) {
      log(`http: ${sizeLabel(size)}`)
      const cookies = new Map<StoreContender, string[]>()
      const active = servers.filter((s) => !settings.quick || size < 256 * KB || QUICK_LARGE.includes(s.contender))
      for (const server of active) cookies.set(server.contender, await createSessions(server, size, settings.connections))
      const rounds = new Map<StoreContender, Round[]>(active.map((s) => [s.contender, []]))
      for (let round = 0; round < settings.rounds; round++) {
        const shift = round % active.length
        for (const server of [...active.slice(shift), ...active.slice(0, shift)]) {
          const jar = cookies.get(server.contender) as string[]
          const perConnection = size <= 32 * KB ? settings.warmupPerConnection.small : settings.warmupPerConnection.large
          await load(server, jar, settings.connections, { amount: settings.connections * perConnection })
          await server.ask({ type: 'reset' })
          const [work, healthResult] = await Promise.all([load(server, jar, settings.connections, { duration: settings.runSeconds }), health(server, settings.runSeconds)])
          const report = (await server.ask({ type: 'report' }, 'report')) as { window: ServerWindow }
          rounds.get(server.contender)?.push({ work, health: healthResult, server: report.window })
          await server.ask({ type: 'quiet' }, 'quiet')
        }
      }
      for (const server of active) rows.push(summarize(size, server.contender, rounds.get(server.contender) ?? []))
      for (const server of active.filter((s) => profiled.includes(s.contender))) {
        await server.ask({ type: 'profile-start', intervalMicros: 250 })
        await load(server, cookies.get(server.contender) as string[], settings.connections, { duration: settings.profileSeconds })
        const { window, breakdown } = (await server.ask({ type: 'profile-stop' }, 'profile')) as { window: ServerWindow; breakdown: Breakdown }
        await server.ask({ type: 'quiet' }, 'quiet')
        const n = Math.max(1, window.requests)
        const perRequest = Object.fromEntries(CATEGORIES.map((c) => [c, breakdown[c] / n])) as Breakdown
        breakdowns.push({ size, contender: server.contender, requests: window.requests, perRequest: { ...perRequest, total: CATEGORIES.reduce((s, c) => s + perRequest[c], 0) } })
      }
      await clearBenchKeys(admin)
    }
    return { rows, breakdown: breakdowns }
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
      if (s.child.exitCode !== null) return resolve()
      const kill = setTimeout(() => s.child.kill(), 10_000)
      s.child.once('exit', () => {
        clearTimeout(kill)
        resolve()
      })
      s.ask({ type: 'stop' }).catch(() => s.child.kill())
    })))
    await admin.close()
  }
}
