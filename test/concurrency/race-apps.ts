/**
 * The parent side of the race tests: starts app processes of fixtures/race-app.ts, talks to them
 * over HTTP (one session cookie by hand) and IPC, and runs the 64-request rounds of issue 22.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import type { RaceAppConfig, ToChild, ToParent } from './fixtures/race-app.js'

export type { RaceAppConfig }

export interface RaceApp {
  readonly port: number
  /** Resolves when GET /slow?tag=`tag` has read its session and waits. */
  entered(tag: string): Promise<void>
  /** Lets that request go on to change and save its session. */
  release(tag: string): void
  readonly stderr: string[]
  close(): Promise<void>
}

export interface Reply {
  readonly status: number
  readonly body: Record<string, unknown>
  /** `connect.sid=…` when the response set the cookie. */
  readonly cookie: string | undefined
}

const FIXTURE = fileURLToPath(new URL('./fixtures/race-app.ts', import.meta.url))

/** One app process per config, all with one secret (and the default prefix). */
export async function startRaceApps(configs: readonly Omit<RaceAppConfig, 'secret'>[]): Promise<RaceApp[]> {
  const secret = randomBytes(32).toString('base64')
  const started = await Promise.allSettled(configs.map((config) => startRaceApp({ ...config, secret })))
  const apps = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []))
  const failed = started.find((outcome) => outcome.status === 'rejected')
  if (failed) {
    await Promise.all(apps.map((app) => app.close()))
    throw failed.reason
  }
  return apps
}

async function startRaceApp(config: RaceAppConfig): Promise<RaceApp> {
  const child: ChildProcess = fork(FIXTURE, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, RACE_APP: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  })
  const stderr: string[] = []
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()))
  const entered = new Map<string, { promise: Promise<void>; resolve: () => void }>()
  const slot = (tag: string) => {
    let entry = entered.get(tag)
    if (!entry) {
      let resolve!: () => void
      entry = { promise: new Promise<void>((r) => (resolve = r)), resolve }
      entered.set(tag, entry)
    }
    return entry
  }
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (message: ToParent) => {
      if (message.type === 'listening') resolve(message.port)
      if (message.type === 'entered') slot(message.tag).resolve()
    })
    child.once('exit', (code) => reject(new Error(`race app exited (${code}) before listening: ${stderr.join('')}`)))
  })
  return {
    port,
    stderr,
    entered: async (tag) => {
      await slot(tag).promise
      entered.delete(tag)
    },
    release: (tag) => void child.send({ type: 'release', tag } satisfies ToChild),
    close: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.disconnect()
      await exited
    },
  }
}

/** One HTTP request on a fresh connection; rejects on a network error or after 20 s without an answer. */
export function call(port: number, method: string, path: string, cookie?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, headers: cookie ? { cookie } : {} }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, cookie: res.headers['set-cookie']?.[0]?.split(';')[0] })
        } catch (error) {
          reject(error)
        }
      })
    })
    req.setTimeout(20_000, () => req.destroy(new Error(`${method} ${path}: no answer within 20 s`)))
    req.on('error', reject)
    req.end()
  })
}

/** Logs in through `app` as `user`; the session cookie and id. */
export async function login(app: RaceApp, user: string): Promise<{ cookie: string; sid: string }> {
  const reply = await call(app.port, 'POST', `/login?user=${encodeURIComponent(user)}`)
  if (reply.status !== 200 || !reply.cookie) throw new Error(`login failed: ${reply.status} ${JSON.stringify(reply.body)}`)
  return { cookie: reply.cookie, sid: String(reply.body.sid) }
}

/** The session as the app reads it (without its cookie), or null when there is none. */
export async function stateOf(app: RaceApp, cookie: string): Promise<Record<string, unknown> | null> {
  const reply = await call(app.port, 'GET', '/state', cookie)
  return (reply.body.session as Record<string, unknown> | null) ?? null
}

/** The sum of the apps' `stats()` write counters (ours only; zeros for connect-redis). */
export async function writeCounts(apps: readonly RaceApp[]): Promise<Record<'conflicts' | 'merges' | 'mergeConflicts' | 'droppedWrites', number>> {
  const sum = { conflicts: 0, merges: 0, mergeConflicts: 0, droppedWrites: 0 }
  for (const app of apps) {
    const stats = (await call(app.port, 'GET', '/stats')).body as Record<string, unknown> | null
    for (const name of Object.keys(sum) as (keyof typeof sum)[]) sum[name] += Number(stats?.[name] ?? 0)
  }
  return sum
}

export interface RaceCounts {
  readonly rounds: number
  readonly requests: number
  /** Additions (keys and cart items) missing after a round where they were expected (each counted once). */
  readonly lost: number
  /** Deletions (keys and cart items) present after a round where they were expected gone (each counted once). */
  readonly revived: number
  /** Cart items present more than once. */
  readonly duplicated: number
  /** Requests answered with anything but 200. */
  readonly failed: number
  readonly additions: number
  readonly deletions: number
}

/**
 * Issue 22's HTTP race: one session, `rounds` rounds of `perRound` concurrent requests split
 * across the apps in turn. Request i of round r adds key `k<r>.<i>` (even i) or pushes item
 * `c<r>.<i>` (odd i); from round 1, every i with i % 4 < 2 also deletes what request i added
 * in the round before. After each round the session must hold every addition not deleted since,
 * and no deleted one. Counts, over all rounds, the names for which it did not.
 */
export async function runHttpRace(apps: readonly RaceApp[], rounds: number, perRound = 64): Promise<RaceCounts> {
  const first = apps[0]
  if (!first) throw new Error('no app')
  const { cookie } = await login(first, 'racer')
  const present = new Set<string>()
  const gone = new Set<string>()
  const lost = new Set<string>()
  const revived = new Set<string>()
  const counts = { rounds, requests: 0, lost: 0, revived: 0, duplicated: 0, failed: 0, additions: 0, deletions: 0 }
  for (let r = 0; r < rounds; r++) {
    const requests = Array.from({ length: perRound }, (_, i) => {
      const isKey = i % 2 === 0
      const mine = (round: number) => (isKey ? `k${round}.${i}` : `c${round}.${i}`)
      const params = new URLSearchParams({ [isKey ? 'addKey' : 'push']: mine(r) })
      present.add(mine(r))
      if (r > 0 && i % 4 < 2) {
        params.set(isKey ? 'delKey' : 'pull', mine(r - 1))
        present.delete(mine(r - 1))
        gone.add(mine(r - 1))
      }
      const app = apps[i % apps.length] as RaceApp
      return call(app.port, 'POST', `/op?${params}`, cookie)
    })
    const replies = await Promise.all(requests)
    counts.requests += replies.length
    counts.failed += replies.filter((reply) => reply.status !== 200).length
    const session = (await stateOf(first, cookie)) ?? {}
    const cart = Array.isArray(session.cart) ? (session.cart as unknown[]).map(String) : []
    const held = new Set([...Object.keys(session), ...cart])
    counts.duplicated += cart.length - new Set(cart).size
    for (const name of present) if (!held.has(name)) lost.add(name)
    for (const name of gone) if (held.has(name)) revived.add(name)
    counts.additions += perRound
    counts.deletions += r > 0 ? perRound / 2 : 0
  }
  return { ...counts, lost: lost.size, revived: revived.size }
}
