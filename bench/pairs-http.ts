/**
 * The HTTP side of the paired bench: one server child per contender (pair-server.ts), a /health
 * pinger in a process of its own (pinger.ts), autocannon on /work or /read from this process.
 * Sessions are created by POST /init and their cookie is used only after the response's body
 * has arrived: express-session sends headers before the store's save completes.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import type { PairFromServer, PairToServer, PairWindow, StoreSpec } from './pair-server.js'
import type { PingReply, PingRequest } from './pinger.js'
import type { Shape } from './shapes.js'

export interface PairServer {
  readonly label: string
  readonly base: string
  readonly pid: number
  ask(message: PairToServer, reply?: PairFromServer['type']): Promise<PairFromServer | undefined>
  stop(): Promise<void>
}

function ipc<In, Out extends { type: string }>(child: ChildProcess, label: string) {
  const waiting: { type: string; resolve: (m: Out) => void; reject: (e: Error) => void }[] = []
  child.on('message', (m: Out) => {
    if (m.type === 'failed') return waiting.shift()?.reject(new Error(`${label}: ${(m as unknown as { message: string }).message}`))
    const i = waiting.findIndex((w) => w.type === m.type)
    if (i >= 0) waiting.splice(i, 1)[0]?.resolve(m)
  })
  child.on('exit', (code) => waiting.splice(0).forEach((w) => w.reject(new Error(`${label} exited (${code})`))))
  return (message: In, reply?: string): Promise<Out | undefined> =>
    new Promise((resolve, reject) => {
      if (reply) waiting.push({ type: reply, resolve, reject })
      child.send(message as object)
      if (!reply) resolve(undefined)
    })
}

/** `nodeFlags`: extra flags for the server's Node process (e.g. `--cpu-prof`). */
export async function startPairServer(label: string, spec: StoreSpec, redisUrl: string, secret: string, prefix: string, nodeFlags: readonly string[] = []): Promise<PairServer> {
  const child = fork(fileURLToPath(new URL('./pair-server.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...nodeFlags] })
  const ask = ipc<PairToServer, PairFromServer>(child, label)
  const listening = (await ask({ type: 'start', spec, redisUrl, secret, prefix }, 'listening')) as { port: number }
  return {
    label,
    base: `http://127.0.0.1:${listening.port}`,
    pid: child.pid as number,
    ask,
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      const kill = setTimeout(() => child.kill(), 15_000)
      await ask({ type: 'stop' }).catch(() => child.kill())
      await exited
      clearTimeout(kill)
    },
  }
}

/** A /health pinger in its own process. */
export interface Pinger {
  ping(url: string, seconds: number): Promise<PingReply>
  stop(): void
}

export function startPinger(rate = 50): Pinger {
  const child = fork(fileURLToPath(new URL('./pinger.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return {
    ping: (url, seconds) =>
      new Promise((resolve) => {
        child.once('message', (m: PingReply) => resolve(m))
        child.send({ url, seconds, rate } satisfies PingRequest)
      }),
    stop: () => child.disconnect(),
  }
}

export async function createSessions(server: PairServer, shape: Shape, size: number, count: number): Promise<string[]> {
  const cookies: string[] = []
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${server.base}/init?shape=${shape}&size=${size}`, { method: 'POST' })
    await response.arrayBuffer()
    const cookie = response.headers.getSetCookie()[0]?.split(';')[0]
    if (!response.ok || !cookie) throw new Error(`${server.label}: could not create a session (${response.status})`)
    cookies.push(cookie)
  }
  return cookies
}

export type Route = '/work' | '/read'

export interface HttpRun {
  reqPerSec: number
  latencyP99: number
  /** /health p99 ms from the pinger process, when pinged. */
  healthP99: number
  mainMsPerRequest: number
  cpuMsPerRequest: number
  failures: number
  inline: number
  pooled: number
}

/** Loads `route` of the server at `base` for `duration` seconds or `amount` requests, each request taking the next cookie. */
export function hammer(base: string, route: string, cookies: readonly string[], connections: number, limit: { duration: number } | { amount: number }) {
  let next = 0
  return Promise.resolve(
    autocannon({
      url: base,
      connections,
      ...limit,
      timeout: 30,
      requests: [{ method: 'GET', path: route, setupRequest: (r) => ({ ...r, headers: { ...r.headers, cookie: cookies[next++ % cookies.length] as string } }) }],
    }),
  )
}

/** One measured run: a warm-up of `warmup` requests, then `seconds` of load, /health pinged meanwhile if a pinger is given. */
export async function httpRun(server: PairServer, route: Route, cookies: readonly string[], connections: number, seconds: number, warmup: number, pinger?: Pinger): Promise<HttpRun> {
  await hammer(server.base, route, cookies, connections, { amount: warmup })
  await server.ask({ type: 'quiet' }, 'quiet')
  await server.ask({ type: 'window' })
  const [work, health] = await Promise.all([hammer(server.base, route, cookies, connections, { duration: seconds }), pinger?.ping(`${server.base}/health`, seconds)])
  const { window } = (await server.ask({ type: 'report' }, 'report')) as { window: PairWindow }
  await server.ask({ type: 'quiet' }, 'quiet')
  return {
    reqPerSec: work['2xx'] / work.duration,
    latencyP99: work.latency.p99,
    healthP99: health?.p99 ?? Number.NaN,
    mainMsPerRequest: window.mainMsPerRequest,
    cpuMsPerRequest: window.cpuMsPerRequest,
    failures: work.non2xx + work.errors + work.timeouts + (health?.failures ?? 0),
    inline: window.inline,
    pooled: window.pooled,
  }
}
