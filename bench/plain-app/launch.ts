/**
 * Starting and stopping one plain app (app.ts) as a user's process: transpiled once to
 * .tmp/plain-app/ and run with plain `node` (no tsx loader thread, no IPC channel), the built
 * package resolved by its own name. Also reads the process's threads from /proc (outside the app).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import ts from 'typescript'
import { REPO_ROOT } from '../repo-root.js'
import type { ProbeSnapshot } from './probe.js'

const OUT = join(REPO_ROOT, '.tmp', 'plain-app')

/** Transpiles app.ts and probe.ts to .tmp/plain-app/*.mjs (inside the repository, so `connect-redis-sealed` resolves to dist/). */
export function buildApp(): void {
  mkdirSync(OUT, { recursive: true })
  for (const name of ['app', 'probe']) {
    const source = readFileSync(join(REPO_ROOT, 'bench', 'plain-app', `${name}.ts`), 'utf8')
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
    writeFileSync(join(OUT, `${name}.mjs`), outputText)
  }
}

/** One app to start: which store, client and options, under which key prefix. */
export interface AppSpec {
  store: 'connect-redis' | 'ours'
  client: 'redis' | 'redis5'
  /** Our store's options beyond client, prefix and secret (JSON-serialisable). */
  options?: Record<string, unknown>
}

export interface RunningApp {
  readonly pid: number
  readonly base: string
  /** Milliseconds from spawn to "listening". */
  readonly startMs: number
  /** Asks the probe (if loaded) for its counts. */
  probe(): Promise<ProbeSnapshot>
  /** With the hooked probe (run under --trace-deopt): V8 deoptimisations so far, by "function (reason)". */
  readonly deopts: Map<string, number>
  stop(): Promise<void>
}

/** "[bailout (kind: deopt-eager, reason: wrong map): begin. deoptimizing 0x… <JSFunction get (sfi = …)>, …" → "get (wrong map)". */
export function deoptKey(line: string): string | undefined {
  if (!line.startsWith('[bailout')) return undefined
  const reason = /reason: (.*?)\): begin/.exec(line)?.[1] ?? '?'
  const name = /<JSFunction ([^ >]*)/.exec(line)?.[1] ?? '?'
  return `${name === '(sfi' || name === '' ? '(anonymous)' : name} (${reason})`
}

/**
 * Starts an app; `probe` loads probe.mjs into it (the counting pass only): 'plain' without async
 * hooks, 'hooks' with them and under --trace-deopt (V8's trace lines are tallied, not passed on).
 */
export async function launch(spec: AppSpec, redisUrl: string, prefix: string, secret: string, probe: false | 'plain' | 'hooks' = false): Promise<RunningApp> {
  const t0 = performance.now()
  const child: ChildProcess = spawn(process.execPath, [...(probe ? ['--import', join(OUT, 'probe.mjs')] : []), ...(probe === 'hooks' ? ['--trace-deopt'] : []), join(OUT, 'app.mjs')], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PROBE_HOOKS: probe === 'hooks' ? '1' : '0', REDIS_URL: redisUrl, PLAIN_STORE: spec.store, PLAIN_CLIENT: spec.client, PLAIN_OPTIONS: JSON.stringify(spec.options ?? {}), PLAIN_PREFIX: prefix, SESSION_SECRET: secret },
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const waiting: ((line: string) => void)[] = []
  const deopts = new Map<string, number>()
  lines.on('line', (line) => {
    const deopt = deoptKey(line)
    if (deopt) deopts.set(deopt, (deopts.get(deopt) ?? 0) + 1)
    else if (line.startsWith('listening ') || line.startsWith('probe ')) waiting.shift()?.(line)
  })
  const next = (what: string) =>
    Promise.race([
      new Promise<string>((resolve) => waiting.push(resolve)),
      exited.then((code) => Promise.reject(new Error(`${spec.store} app exited (${code}) before ${what}`))),
    ])
  const first = await next('listening')
  const port = /^listening (\d+)$/.exec(first)?.[1]
  if (!port) throw new Error(`${spec.store} app said "${first}"`)
  return {
    pid: child.pid as number,
    base: `http://127.0.0.1:${port}`,
    startMs: performance.now() - t0,
    deopts,
    async probe() {
      const reply = next('probe')
      child.kill('SIGUSR2')
      const line = await reply
      if (!line.startsWith('probe ')) throw new Error(`${spec.store} app said "${line}"`)
      return JSON.parse(line.slice('probe '.length)) as ProbeSnapshot
    },
    async stop() {
      if (child.exitCode !== null) return
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000)
      child.kill('SIGTERM')
      await exited
      clearTimeout(kill)
    },
  }
}

/** One thread's counters from /proc: CPU ticks and how often it slept and woke. */
export interface ThreadCounts {
  tid: number
  /** user + system CPU, in clock ticks (usually 10 ms). */
  ticks: number
  /** Voluntary context switches: the thread blocked (epoll, futex) and was woken again. */
  wakeups: number
  /** Involuntary context switches: the thread was preempted. */
  preempted: number
}

/** Parses /proc/<pid>/task/<tid>/stat and status into counters. */
export function parseThread(tid: number, stat: string, status: string): ThreadCounts {
  // The command name (field 2) may hold spaces; fields after its ")" are space-separated.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)$`, 'm').exec(status)?.[1] ?? Number.NaN)
  return { tid, ticks: Number(fields[11]) + Number(fields[12]), wakeups: field('voluntary_ctxt_switches'), preempted: field('nonvoluntary_ctxt_switches') }
}

/** Every thread of `pid` now, the main thread (tid = pid) first; empty where /proc does not exist. */
export function threadsOf(pid: number): ThreadCounts[] {
  try {
    const dir = `/proc/${pid}/task`
    return readdirSync(dir)
      .map(Number)
      .sort((a, b) => (a === pid ? -1 : b === pid ? 1 : a - b))
      .map((tid) => parseThread(tid, readFileSync(`${dir}/${tid}/stat`, 'latin1'), readFileSync(`${dir}/${tid}/status`, 'latin1')))
  } catch {
    return []
  }
}

/** What the main thread and all the other threads did between two readings. */
export function threadDelta(before: readonly ThreadCounts[], after: readonly ThreadCounts[]): { main: Omit<ThreadCounts, 'tid'>; others: Omit<ThreadCounts, 'tid'>; threads: number } {
  const zero = { ticks: 0, wakeups: 0, preempted: 0 }
  const was = new Map(before.map((t) => [t.tid, t]))
  const diff = (t: ThreadCounts) => {
    const b = was.get(t.tid) ?? { ...zero, tid: t.tid }
    return { ticks: t.ticks - b.ticks, wakeups: t.wakeups - b.wakeups, preempted: t.preempted - b.preempted }
  }
  const [main, ...rest] = after
  const others = rest.map(diff).reduce((s, d) => ({ ticks: s.ticks + d.ticks, wakeups: s.wakeups + d.wakeups, preempted: s.preempted + d.preempted }), zero)
  return { main: main ? diff(main) : zero, others, threads: after.length }
}
