/**
 * The load side of the plain-app bench: sessions made through POST /login, autocannon on /work or
 * /read, /health pinged every 20 ms from a process of its own, and the server's CPU read from
 * /proc (outside the app) around each measured run.
 */
import { request as httpRequest } from 'node:http'
import { hammer, type Pinger } from '../pairs-http.js'
import { makeCart } from './cart.js'
import { threadDelta, threadsOf, type RunningApp } from './launch.js'

export type PlainRoute = '/work' | '/read'

/**
 * One request on a connection of its own, closed after the answer (`agent: false`): a kept-alive
 * socket closing seconds later would wake the app in the middle of a measurement.
 */
export function once(base: string, path: string, init: { method?: string; body?: string; cookie?: string } = {}): Promise<{ status: number; cookie: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {}
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    if (init.cookie !== undefined) headers.cookie = init.cookie
    const req = httpRequest(`${base}${path}`, { method: init.method ?? 'GET', agent: false, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cookie: res.headers['set-cookie']?.[0]?.split(';')[0], body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

/** Creates `count` sessions; returns their cookies and how long the first one took (a passphrase's scrypt, a worker starting). */
export async function login(app: RunningApp, count: number): Promise<{ cookies: string[]; firstMs: number }> {
  const cookies: string[] = []
  let firstMs = Number.NaN
  for (let i = 0; i < count; i++) {
    const t0 = performance.now()
    const { status, cookie } = await once(app.base, '/login', { method: 'POST', body: JSON.stringify(makeCart(i)) })
    if (i === 0) firstMs = performance.now() - t0
    if (status !== 200 || !cookie) throw new Error(`${app.base}: could not create a session (${status})`)
    cookies.push(cookie)
  }
  return { cookies, firstMs }
}

/** Loads `route` for `amount` requests, e.g. to warm an app up; resolves when every answer is in. */
export async function drive(app: RunningApp, route: PlainRoute, cookies: readonly string[], connections: number, amount: number): Promise<number> {
  const result = await hammer(app.base, route, cookies, connections, { amount })
  const failures = result.non2xx + result.errors + result.timeouts
  if (failures > 0) throw new Error(`${app.base}${route}: ${failures} of ${amount} requests failed`)
  return result['2xx']
}

export interface PlainRun {
  reqPerSec: number
  latencyP99: number
  /** /health p99 (ms) from the pinger process. */
  healthP99: number
  failures: number
  /** Server CPU µs per answered request, from /proc: the main thread, and every thread together. */
  mainUsPerRequest: number
  cpuUsPerRequest: number
}

/** One measured run: a warm-up of `warmup` requests, then `seconds` of load with /health pinged meanwhile. */
export async function measuredRun(app: RunningApp, route: PlainRoute, cookies: readonly string[], settings: { connections: number; seconds: number; warmup: number }, pinger: Pinger): Promise<PlainRun> {
  await drive(app, route, cookies, settings.connections, settings.warmup)
  const before = threadsOf(app.pid)
  const [work, health] = await Promise.all([hammer(app.base, route, cookies, settings.connections, { duration: settings.seconds }), pinger.ping(`${app.base}/health`, settings.seconds)])
  const cost = threadDelta(before, threadsOf(app.pid))
  // Requests cut off when autocannon stopped finish before the next run: one more answer after them.
  await once(app.base, '/health')
  const answered = Math.max(1, work['2xx'])
  const tickUs = 10_000
  return {
    reqPerSec: work['2xx'] / work.duration,
    latencyP99: work.latency.p99,
    healthP99: health.p99,
    failures: work.non2xx + work.errors + work.timeouts + health.failures,
    mainUsPerRequest: (cost.main.ticks * tickUs) / answered,
    cpuUsPerRequest: ((cost.main.ticks + cost.others.ticks) * tickUs) / answered,
  }
}
