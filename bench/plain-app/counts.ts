/**
 * The counting pass of the plain-app bench: each app runs once more with probe.ts loaded, and
 * what one request costs is counted rather than timed (allocation, GCs, timers, immediates,
 * promises, thread wake-ups), as is what the app does while idle and how long it takes to start.
 * Counts do not depend on how busy the machine is, so this pass explains the timed figures.
 * Wake-ups are /proc voluntary context switches; under load they also depend on how requests arrive.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { launch, threadDelta, threadsOf, type AppSpec, type RunningApp } from './launch.js'
import type { ProbeSnapshot } from './probe.js'
import { commandStats, commandsPer } from './redis-commands.js'
import { drive, login, type PlainRoute } from './runs.js'

/** Per request of one route, from the probe's counts over a fixed number of requests. */
export interface RouteCounts {
  requests: number
  /** V8 heap bytes allocated per request. */
  allocatedBytes: number
  /** GCs per 1,000 requests, by kind. */
  gcPer1k: Record<string, number>
  /** Async resources created per request, by type (Timeout, Immediate, PROMISE, TickObject). */
  created: Record<string, number>
  /** Times the main thread blocked and was woken, per request (/proc voluntary context switches). */
  mainWakeups: number
  otherWakeups: number
  /** V8 deoptimisations per 1,000 requests once warm, and the most frequent as "function (reason) ×n". */
  deoptsPer1k: number
  deopts: string[]
  /** Redis commands per request by name, and the server's own µs per request (INFO commandstats). */
  redis: { commands: Record<string, number>; serverUs: number }
}

export interface AppCounts {
  label: string
  client: AppSpec['client']
  /** ms from spawn to "listening", and of the first POST /login (keys derived, pool started). */
  startMs: number
  firstLoginMs: number
  /** Threads of the process once warm. */
  threads: number
  /** While idle (no request), per second: wake-ups of the main thread and of all other threads, and the callbacks that ran by type. */
  idle: { seconds: number; mainWakeups: number; otherWakeups: number; ran: Record<string, number> }
  routes: Partial<Record<PlainRoute, RouteCounts>>
}

const COUNTED = ['Timeout', 'Immediate', 'PROMISE', 'TickObject']

function delta(after: Record<string, number>, before: Record<string, number>, per: number, keys = Object.keys(after)): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, ((after[k] ?? 0) - (before[k] ?? 0)) / per]))
}

/** Settings: `sessions` made, `requests` counted per route after `warmup` requests per route, `idleSeconds` watched. */
export interface CountSettings {
  sessions: number
  connections: number
  warmup: number
  requests: number
  idleSeconds: number
}

/** What one process of the counting pass saw: with the async hooks (created, ran) or without (the rest). */
interface Pass {
  startMs: number
  firstLoginMs: number
  threads: number
  idle: AppCounts['idle']
  routes: Partial<Record<PlainRoute, RouteCounts>>
}

async function pass(spec: AppSpec, redisUrl: string, prefix: string, secret: string, s: CountSettings, hooks: boolean): Promise<Pass> {
  const app = await launch(spec, redisUrl, prefix, secret, hooks ? 'hooks' : 'plain')
  try {
    const { cookies, firstMs } = await login(app, s.sessions)
    for (const route of ['/work', '/read'] as const) await drive(app, route, cookies, s.connections, s.warmup)
    // The load generator's sockets close after it finishes: let that pass before watching the idle app.
    await sleep(500)
    const idleFrom = await app.probe()
    const t0 = threadsOf(app.pid)
    await sleep(s.idleSeconds * 1000)
    const t1 = threadsOf(app.pid)
    const idleTo = await app.probe()
    const quiet = threadDelta(t0, t1)
    const idle = { seconds: s.idleSeconds, mainWakeups: quiet.main.wakeups / s.idleSeconds, otherWakeups: quiet.others.wakeups / s.idleSeconds, ran: delta(idleTo.ran, idleFrom.ran, s.idleSeconds) }
    const routes: Pass['routes'] = {}
    for (const route of ['/work', '/read'] as const) routes[route] = await countRoute(app, redisUrl, route, cookies, s)
    return { startMs: app.startMs, firstLoginMs: firstMs, threads: quiet.threads, idle, routes }
  } finally {
    await app.stop()
  }
}

/** Two processes of one app: without the async hooks (start, threads, wake-ups, allocation, GCs), then with them (async resources). */
export async function countApp(label: string, spec: AppSpec, redisUrl: string, prefix: string, secret: string, s: CountSettings): Promise<AppCounts> {
  const plain = await pass(spec, redisUrl, `${prefix}p:`, secret, s, false)
  const hooked = await pass(spec, redisUrl, `${prefix}h:`, secret, s, true)
  const routes: AppCounts['routes'] = {}
  for (const route of ['/work', '/read'] as const) {
    const p = plain.routes[route]
    const h = hooked.routes[route]
    if (p && h) routes[route] = { ...p, created: h.created, deoptsPer1k: h.deoptsPer1k, deopts: h.deopts }
  }
  return { label, client: spec.client, startMs: plain.startMs, firstLoginMs: plain.firstLoginMs, threads: plain.threads, idle: { ...plain.idle, ran: hooked.idle.ran }, routes }
}

async function countRoute(app: RunningApp, redisUrl: string, route: PlainRoute, cookies: readonly string[], s: CountSettings): Promise<RouteCounts> {
  const from: ProbeSnapshot = await app.probe()
  const redisFrom = await commandStats(redisUrl)
  const deoptsBefore = new Map(app.deopts)
  const t0 = threadsOf(app.pid)
  await drive(app, route, cookies, s.connections, s.requests)
  const t1 = threadsOf(app.pid)
  const redisTo = await commandStats(redisUrl)
  const to: ProbeSnapshot = await app.probe()
  const requests = (to.requests[route] ?? 0) - (from.requests[route] ?? 0)
  const n = Math.max(1, requests)
  const threads = threadDelta(t0, t1)
  const deopts = [...app.deopts].map(([key, count]) => [key, count - (deoptsBefore.get(key) ?? 0)] as const).filter(([, count]) => count > 0).sort((a, b) => b[1] - a[1])
  return {
    redis: commandsPer(redisFrom, redisTo, n),
    deoptsPer1k: (deopts.reduce((sum, [, count]) => sum + count, 0) * 1000) / n,
    deopts: deopts.slice(0, 3).map(([key, count]) => `${key} ×${count}`),
    requests,
    allocatedBytes: (to.allocatedBytes - from.allocatedBytes) / n,
    gcPer1k: delta(to.gc, from.gc, n / 1000),
    created: delta(to.created, from.created, n, COUNTED),
    mainWakeups: threads.main.wakeups / n,
    otherWakeups: threads.others.wakeups / n,
  }
}
