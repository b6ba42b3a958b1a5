/**
 * Many app processes: the Express app of fixtures/session-app.ts runs in two workers of node's
 * `cluster` module behind one port (one worker on node-redis, the other on ioredis, both on the
 * same Redis Cluster). A login through one worker is seen by the other, and so is the logout.
 * The primary hands each new connection to the next worker (round-robin, the default except on
 * Windows); every request uses a fresh connection and the tests read which worker answered.
 */
import assert from 'node:assert/strict'
import cluster, { type Worker } from 'node:cluster'
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import { freePort } from '../../scripts/local-redis.js'
import { startRedisCluster, type LocalCluster } from '../support/redis-cluster.js'

interface Reply {
  readonly worker: string
  readonly cookie: string | undefined
  readonly body: { pid: number; user: string | null }
}

/** One request on a fresh connection (no keep-alive), so the primary hands it to the next worker. */
function send(port: number, method: string, path: string, cookie?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, headers: { connection: 'close', ...(cookie ? { cookie } : {}) } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => {
        try {
          if (res.statusCode !== 200) throw new Error(`${method} ${path}: HTTP ${res.statusCode} ${text}`)
          resolve({ worker: String(res.headers['x-worker']), cookie: res.headers['set-cookie']?.[0]?.split(';')[0], body: JSON.parse(text) })
        } catch (error) {
          reject(error)
        }
      })
    })
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)))
    req.on('error', reject)
    req.end()
  })
}

/** Repeats `GET /me` until a worker other than `not` answers (bounded), and returns that reply. */
async function meFromAnotherWorker(port: number, cookie: string, not: string): Promise<Reply> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const reply = await send(port, 'GET', '/me', cookie)
    if (reply.worker !== not) return reply
  }
  throw new Error(`20 requests in a row were answered by ${not}; the primary did not balance connections`)
}

describe('two app processes (node:cluster) behind one port, one Redis Cluster', () => {
  let redis: LocalCluster | undefined
  const workers: Worker[] = []
  const stderr: string[] = []
  let port = 0

  before(async () => {
    redis = await startRedisCluster()
    port = await freePort()
    cluster.setupPrimary({ exec: fileURLToPath(new URL('./fixtures/session-app.ts', import.meta.url)), execArgv: ['--import', 'tsx'], silent: true })
    const env = {
      ...process.env,
      NODE_TEST_CONTEXT: undefined,
      APP_PORT: String(port),
      REDIS_CLUSTER_PORTS: redis.rootNodes.map((node) => node.port).join(','),
      SESSION_STORE_SECRET: randomBytes(32).toString('base64'),
    }
    for (const client of ['node-redis', 'ioredis']) {
      const worker = cluster.fork({ ...env, REDIS_CLIENT: client })
      worker.process.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()))
      workers.push(worker)
    }
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.once('listening', () => resolve())
            worker.once('exit', (code) => reject(new Error(`worker exited (${code}) before listening: ${stderr.join('')}`)))
          }),
      ),
    )
  })

  after(async () => {
    await Promise.all(
      workers.map((worker) => {
        if (worker.isDead()) return undefined
        const exited = new Promise((resolve) => worker.once('exit', resolve))
        worker.disconnect()
        return exited
      }),
    )
    await redis?.stop()
  })

  it('a login through one worker is the session of the other; a logout through the other ends it for both', async () => {
    const login = await send(port, 'POST', '/login?user=ada')
    assert.equal(login.body.user, 'ada')
    assert.ok(login.cookie, 'the login set a session cookie')
    const cookie = login.cookie

    const elsewhere = await meFromAnotherWorker(port, cookie, login.worker)
    assert.notEqual(elsewhere.body.pid, login.body.pid)
    assert.notEqual(elsewhere.worker.split(' ')[1], login.worker.split(' ')[1], 'one worker uses node-redis, the other ioredis')
    assert.equal(elsewhere.body.user, 'ada')

    const logout = await send(port, 'POST', '/logout', cookie)
    assert.equal(logout.body.user, null)
    const afterLogout = await meFromAnotherWorker(port, cookie, logout.worker)
    assert.notEqual(afterLogout.body.pid, logout.body.pid)
    assert.equal(afterLogout.body.user, null)
  })

  it('both workers serve many sessions at once, each read through the other worker', async () => {
    const users = Array.from({ length: 20 }, (_, i) => `user-${i}`)
    const logins = await Promise.all(users.map((user) => send(port, 'POST', `/login?user=${user}`)))
    assert.equal(new Set(logins.map((l) => l.worker)).size, 2, 'logins landed on both workers')
    for (const [i, login] of logins.entries()) {
      const elsewhere = await meFromAnotherWorker(port, login.cookie as string, login.worker)
      assert.equal(elsewhere.body.user, users[i])
    }
  })
})
