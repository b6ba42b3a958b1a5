/**
 * Starts a private redis-server on a free loopback port and stops it again. Used by the tests,
 * the benchmarks and the example app; never by the published package.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The one hint for a missing redis-server: `npm start`, `npm test`'s pretest and the test helpers print it. */
export const INSTALL_HINT =
  'redis-server was not found on PATH. Install it (Debian/Ubuntu: `sudo apt-get install -y redis-server`, macOS: `brew install redis`) and run again.'

export interface LocalRedis {
  readonly port: number
  readonly url: string
  readonly process: ChildProcess
  /** Stops the server and removes its directory. Safe to call twice. */
  stop(): Promise<void>
}

/** The redis-server binary on PATH, or undefined. */
export function findRedisServer(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' })
  const path = found.stdout.trim()
  return found.status === 0 && path ? path : undefined
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Sends one inline command and resolves with the first reply line, or rejects. */
export function ask(port: number, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' })
    let reply = ''
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no reply from 127.0.0.1:${port}`)))
    socket.on('connect', () => socket.write(`${command}\r\n`))
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1')
      if (reply.includes('\r\n')) {
        socket.end()
        resolve(reply.slice(0, reply.indexOf('\r\n')))
      }
    })
    socket.on('error', reject)
  })
}

/** Resolves once PING answers PONG, polling on each failure; rejects after `timeoutMs`. */
export async function waitForPing(port: number, timeoutMs = 10_000, exited?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const why = exited?.()
    if (why) throw new Error(why)
    // Any reply but +PONG (e.g. -LOADING, -NOAUTH) is waited out like no reply, up to the deadline.
    const reply = await ask(port, 'PING', 250).catch(() => undefined)
    if (reply === '+PONG') return
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms${reply ? ` (last reply: ${reply})` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/**
 * Starts redis-server with no persistence on a free port. `extraArgs` are passed through
 * (for example `['--cluster-enabled', 'yes']`).
 */
export async function startRedis(extraArgs: readonly string[] = [], port?: number): Promise<LocalRedis> {
  const binary = findRedisServer()
  if (!binary) throw new Error(INSTALL_HINT)
  const chosen = port ?? (await freePort())
  const dir = mkdtempSync(join(tmpdir(), 'sealed-redis-'))
  const child = spawn(
    binary,
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', ...extraArgs],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  let exit: string | undefined
  child.on('exit', (code, signal) => (exit ??= `redis-server exited (${signal ?? code}) ${stderr}`.trim()))
  try {
    await waitForPing(chosen, 10_000, () => exit)
  } catch (error) {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  let stopping: Promise<void> | undefined
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    process: child,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true })
          resolve()
        }
        if (child.exitCode !== null || child.signalCode !== null) return done()
        child.once('exit', done)
        child.kill('SIGTERM')
      })
      return stopping
    },
  }
}
