/**
 * How the example app picks its Redis (examples/redis-source.ts), and the `npm start` entry
 * (examples/app.ts) as a real child process: its messages, its exit codes, and that a private
 * redis-server it started is gone after SIGTERM or SIGINT while a found one is left alone.
 * The system Redis on 6379 is never used: REDIS_PROBE_PORT points the probe at our own servers.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { chooseRedis, maskUrl } from '../examples/redis-source.js'
import { ask, findRedisServer, freePort, INSTALL_HINT, startRedis, type LocalRedis } from '../scripts/local-redis.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const WAIT_MS = 30_000

let redis: LocalRedis
let closedPort: number
/** A PATH with `sh` but no redis-server. */
let bareBin: string

before(async () => {
  redis = await startRedis()
  closedPort = await freePort()
  bareBin = mkdtempSync(join(tmpdir(), 'sealed-bare-bin-'))
  symlinkSync('/bin/sh', join(bareBin, 'sh'))
})

after(async () => {
  await redis?.stop()
  if (bareBin) rmSync(bareBin, { recursive: true, force: true })
})

const answers = (port: number) => ask(port, 'PING', 500).then((reply) => reply === '+PONG', () => false)

describe('chooseRedis', () => {
  test('REDIS_URL wins, and its password is masked in the description', async () => {
    const source = await chooseRedis({ REDIS_URL: 'redis://user:hunter2@127.0.0.1:1/0', REDIS_PROBE_PORT: String(redis.port) })
    assert.equal(source?.url, 'redis://user:hunter2@127.0.0.1:1/0')
    assert.equal(source?.description, 'from REDIS_URL (redis://user:***@127.0.0.1:1/0)')
    await source?.stop()
    assert.equal(maskUrl('not a url'), '(unparsable REDIS_URL)')
    assert.equal(maskUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379')
  })

  test('an empty REDIS_URL is unset; a Redis answering on the probe port is used and not stopped', async () => {
    const source = await chooseRedis({ REDIS_URL: '', REDIS_PROBE_PORT: String(redis.port) })
    assert.equal(source?.url, `redis://127.0.0.1:${redis.port}`)
    assert.equal(source?.description, `found at 127.0.0.1:${redis.port}`)
    await source?.stop()
    assert.equal(await answers(redis.port), true, 'stop() must leave a found Redis running')
  })

  test('nothing on the probe port: a private redis-server is started, and stop() ends it', async () => {
    const source = await chooseRedis({ REDIS_PROBE_PORT: String(closedPort) })
    assert.ok(source)
    const port = Number(new URL(source.url).port)
    assert.notEqual(port, closedPort)
    assert.match(source.description, new RegExp(`^started a private redis-server on port ${port} `))
    assert.equal(await answers(port), true)
    await source.stop()
    assert.equal(await answers(port), false, 'the private redis-server still answers after stop()')
  })

  test('a Redis that wants a password is reported in a note and passed over', async () => {
    const locked = await startRedis()
    try {
      assert.equal(await ask(locked.port, 'CONFIG SET requirepass not-the-default'), '+OK')
      const notes: string[] = []
      const source = await chooseRedis({ REDIS_PROBE_PORT: String(locked.port) }, (line) => notes.push(line))
      assert.ok(source)
      assert.match(source.description, /^started a private redis-server/)
      await source.stop()
      assert.equal(notes.length, 1)
      assert.match(notes[0] as string, new RegExp(`127\\.0\\.0\\.1:${locked.port} answered PING with "-NOAUTH`))
    } finally {
      await locked.stop()
    }
  })

  test('no Redis and no redis-server: undefined', async () => {
    const path = process.env.PATH
    process.env.PATH = bareBin
    try {
      assert.equal(findRedisServer(), undefined)
      assert.equal(await chooseRedis({ REDIS_PROBE_PORT: String(closedPort) }), undefined)
    } finally {
      process.env.PATH = path
    }
  })

  test('a bad REDIS_PROBE_PORT is an error that names it', async () => {
    await assert.rejects(chooseRedis({ REDIS_PROBE_PORT: 'six' }), /REDIS_PROBE_PORT must be a port number, got "six"/)
  })
})

interface Cli {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Resolves with the match once stdout matches, rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>
}

function startCli(env: Record<string, string>): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/app.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', REDIS_URL: '', REDIS_PROBE_PORT: String(closedPort), SESSION_STORE_SECRET: 'a test secret of at least 32 characters', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal })
    }),
  )
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(out)
          if (!match) return false
          child.stdout?.off('data', check)
          resolve(match)
          return true
        }
        if (check()) return
        child.stdout?.on('data', check)
        void exited.then(() => check() || reject(new Error(`exited before printing ${pattern}\nstdout: ${out}\nstderr: ${err}`)))
      }),
  }
}

describe('npm start (examples/app.ts)', () => {
  test('with no Redis found it starts a private one, serves, and stops both on SIGTERM', async () => {
    const cli = startCli({})
    const [, redisPort] = await cli.waitFor(/Redis: started a private redis-server on port (\d+)/)
    const [, url] = await cli.waitFor(/Example app listening on (http:\/\/127\.0\.0\.1:\d+)/)
    assert.equal(await answers(Number(redisPort)), true)
    const health = await fetch(`${url}/health`)
    assert.equal(health.status, 200)
    assert.doesNotMatch(cli.stdout(), /SESSION_STORE_SECRET is not set/)
    cli.child.kill('SIGTERM')
    assert.deepEqual(await cli.exited, { code: 0, signal: null }, cli.stderr())
    assert.match(cli.stdout(), /SIGTERM: shutting down…\nStopped\./)
    assert.equal(await answers(Number(redisPort)), false, 'the private redis-server outlived the app')
  })

  test('REDIS_URL is used as given; without SESSION_STORE_SECRET it says sessions will not survive; SIGINT stops it', async () => {
    const cli = startCli({ REDIS_URL: redis.url, SESSION_STORE_SECRET: '' })
    await cli.waitFor(new RegExp(`Redis: from REDIS_URL \\(redis://127\\.0\\.0\\.1:${redis.port}\\)`))
    const [, url] = await cli.waitFor(/listening on (http:\/\/\S+)/)
    assert.match(cli.stdout(), /SESSION_STORE_SECRET is not set.*sessions will not survive a restart/)
    assert.match(cli.stdout(), /Make one with `npx connect-redis-sealed keygen` and set SESSION_STORE_SECRET/)
    assert.doesNotMatch(cli.stdout(), /openssl/)
    const login = await fetch(`${url}/login`, { method: 'POST', body: new URLSearchParams({ name: 'Dee' }), redirect: 'manual' })
    assert.equal(login.status, 303)
    cli.child.kill('SIGINT')
    assert.deepEqual(await cli.exited, { code: 0, signal: null }, cli.stderr())
    assert.equal(await answers(redis.port), true, 'the app must not stop a Redis it did not start')
  })

  test('a Redis answering on the probe port is used ("found at") and left running', async () => {
    const cli = startCli({ REDIS_PROBE_PORT: String(redis.port) })
    await cli.waitFor(new RegExp(`Redis: found at 127\\.0\\.0\\.1:${redis.port}\\n`))
    await cli.waitFor(/listening on/)
    cli.child.kill('SIGTERM')
    assert.equal((await cli.exited).code, 0, cli.stderr())
    assert.equal(await answers(redis.port), true)
  })

  test('no Redis and no redis-server: the install hint and exit code 1', async () => {
    const cli = startCli({ PATH: bareBin })
    assert.deepEqual(await cli.exited, { code: 1, signal: null })
    assert.ok(cli.stderr().includes(INSTALL_HINT), cli.stderr())
    assert.match(cli.stderr(), new RegExp(`nothing answers on 127\\.0\\.0\\.1:${closedPort}, and redis-server is not installed`))
    assert.doesNotMatch(cli.stdout(), /listening/)
  })

  test('a busy port: a clear message, exit code 1, and the private redis-server is stopped', async () => {
    const holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const { port } = holder.address() as { port: number }
    try {
      const cli = startCli({ PORT: String(port) })
      assert.deepEqual(await cli.exited, { code: 1, signal: null })
      assert.match(cli.stderr(), new RegExp(`Port ${port} is already in use\\. .*PORT=3001 npm start`))
      const started = /private redis-server on port (\d+)/.exec(cli.stdout())
      assert.ok(started, cli.stdout())
      assert.equal(await answers(Number(started[1])), false, 'the private redis-server outlived the failed start')
    } finally {
      holder.close()
    }
  })

  test('a bad PORT is refused with exit code 1', async () => {
    const cli = startCli({ PORT: 'eighty' })
    assert.deepEqual(await cli.exited, { code: 1, signal: null })
    assert.match(cli.stderr(), /PORT must be a port number \(0-65535\), got "eighty"/)
  })
})

/** Every descendant of `pid`, from `ps` (children before grandchildren). */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
  const rows = table.trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number) as [number, number])
  const found: number[] = []
  for (let queue = [pid]; queue.length > 0; ) {
    const parent = queue.shift()
    for (const [child, ppid] of rows) {
      if (ppid !== parent) continue
      found.push(child)
      queue.push(child)
    }
  }
  return found
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('npm start under a process manager', () => {
  test('SIGTERM to the npm process stops the app: the process tree is gone and the port is free', async () => {
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: { ...process.env, PORT: '0', REDIS_URL: redis.url, SESSION_STORE_SECRET: 'a test secret of at least 32 characters' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    npm.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    npm.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => npm.on('close', (code) => resolve(code)))
    const deadline = Date.now() + WAIT_MS
    let url: string | undefined
    while (!(url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1])) {
      assert.ok(Date.now() < deadline && npm.exitCode === null, `npm start did not start listening:\n${out}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.equal((await fetch(`${url}/health`)).status, 200)
    const tree = descendants(npm.pid as number)
    assert.ok(tree.length > 0, 'npm start runs the app in a child process')

    npm.kill('SIGTERM')
    // Not npm's 'close': an orphaned app would hold the pipes open; wait for its exit under the deadline.
    await Promise.race([exited, new Promise((resolve) => npm.once('exit', resolve))])
    const stopBy = Date.now() + WAIT_MS
    while (tree.some(alive) && Date.now() < stopBy) await new Promise((resolve) => setTimeout(resolve, 50))
    const survivors = tree.filter(alive)
    for (const pid of survivors) process.kill(pid, 'SIGKILL')
    assert.deepEqual(survivors, [], `processes outlived npm:\n${out}`)
    const port = Number(new URL(url).port)
    const probe = createServer()
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve))
    await new Promise((resolve) => probe.close(resolve))
    assert.match(out, /SIGTERM: shutting down…\nStopped\./, 'the app shut down gracefully')
  })
})
