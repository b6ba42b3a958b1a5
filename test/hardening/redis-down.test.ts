/**
 * Redis stopped, paused and restarted under real HTTP load: every request finishes within a
 * bound (a 500 is fine, a hang is not), nothing is left unhandled, and the same store serves
 * again once Redis is back.
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { ask, startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import { RedisStore } from '../../src/index.js'
import { CLIENT_KINDS, connectClient, watchUnhandledRejections, type ClientName } from './clients.js'
import { waitFor } from '../support/sessions.js'
import { send, startApp, type AppHandle, type Reply } from './http-app.js'

const rejections = watchUnhandledRejections()
const TIMEOUT = 400
/** A request reads and may write: two commands, each bounded by the store's timeout, plus a margin for a busy machine. */
const BOUND = 2 * TIMEOUT + 1500
const USERS = 8
const SECRET = Buffer.alloc(32, 0x42)

interface Tally {
  sent: number
  ok: number
  failed: number
  hung: number
  odd: number[]
}

async function setup(t: TestContext, kind: ClientName) {
  const holder: { redis: LocalRedis } = { redis: await startRedis() }
  const client = await connectClient(kind, holder.redis.port)
  const store = new RedisStore({ client: client.client, secret: SECRET, timeout: TIMEOUT, pool: false })
  const app = await startApp(store)
  t.after(async () => {
    await app.close()
    await store.close()
    await client.close()
    await holder.redis.stop()
  })
  return { holder, store, app }
}

/** Virtual users that log in and then read or change their session until `stop()`. */
function runLoad(app: AppHandle) {
  const tally: Tally = { sent: 0, ok: 0, failed: 0, hung: 0, odd: [] }
  const log: { startedAt: number; path: string; reply: Reply | 'hung' }[] = []
  let stopping = false
  const record = (startedAt: number, path: string, reply: Reply | 'hung') => {
    log.push({ startedAt, path, reply })
    if (reply === 'hung') tally.hung++
    else if (reply.status === 200) tally.ok++
    else if (reply.status === 500) tally.failed++
    else tally.odd.push(reply.status)
  }
  const user = async (i: number) => {
    let cookie: string | undefined
    for (let n = 0; !stopping && n < 5000; n++) {
      const startedAt = performance.now()
      tally.sent++
      if (cookie === undefined) {
        const reply = await send(app.port, 'POST', `/login?user=u${i}`, undefined, BOUND)
        record(startedAt, '/login', reply)
        if (reply !== 'hung' && reply.status === 200) cookie = reply.cookie
        continue
      }
      const path = n % 2 ? '/visit' : '/me'
      const reply = await send(app.port, n % 2 ? 'POST' : 'GET', path, cookie, BOUND)
      record(startedAt, path, reply)
      // After a restart the empty Redis no longer knows the session: log in again.
      if (reply !== 'hung' && reply.status === 200 && reply.body.includes('"user":null')) cookie = undefined
    }
  }
  const users = Array.from({ length: USERS }, (_, i) => user(i))
  return {
    tally,
    log,
    async stop() {
      stopping = true
      await Promise.all(users)
    },
  }
}

for (const kind of CLIENT_KINDS) {
  test(`${kind}: redis-server stopped mid-load, every request finishes; restarted on the same port, the same store serves again`, async (t) => {
    const { holder, app } = await setup(t, kind)
    const port = holder.redis.port
    const load = runLoad(app)
    await waitFor(() => load.tally.ok >= 40, '40 requests served', 15_000)

    await holder.redis.stop()
    const downAt = performance.now()
    const okBeforeStop = load.tally.ok
    await waitFor(() => load.log.filter((e) => e.startedAt > downAt).length >= 24, '24 requests finished (or hung) while Redis is down', 15_000)

    const restartAt = performance.now()
    holder.redis = await startRedis([], port)
    const upAt = performance.now()
    await waitFor(() => load.log.filter((e) => e.startedAt > upAt && e.reply !== 'hung' && e.reply.status === 200).length >= 16, '16 requests served after the restart', 20_000)
    await load.stop()

    const { tally } = load
    t.diagnostic(`${kind}: ${tally.sent} requests, ${tally.ok} ok, ${tally.failed} failed (500), ${tally.hung} hung; store errors: ${[...new Set(app.errors)].join(', ')}`)
    assert.equal(tally.hung, 0, 'no request hung')
    assert.deepEqual(tally.odd, [], 'every answer was a 200 or a 500')
    assert.ok(okBeforeStop >= 40)
    // Started and answered while no Redis was listening (later ones may be served by the restarted Redis).
    const whileDown = load.log.filter((e) => e.startedAt > downAt && e.reply !== 'hung' && e.startedAt + e.reply.ms < restartAt)
    assert.ok(whileDown.length >= 16, `${whileDown.length} requests answered while Redis was down`)
    const reads = whileDown.filter((e) => e.path !== '/login')
    assert.ok(reads.length > 0)
    assert.ok(
      reads.every((e) => e.reply !== 'hung' && e.reply.status === 500),
      'every request that had to load its session while Redis was down failed with a 500',
    )
    // A login has nothing to load; its save fails after the 200 went out, which only the error handler sees.
    assert.ok(app.errors.length >= whileDown.length, `${app.errors.length} store errors for ${whileDown.length} requests while down`)
    assert.ok(app.errors.includes('ERR_SEALED_TIMEOUT'), 'the store timed commands out instead of waiting in the offline queue')

    const login = await send(app.port, 'POST', '/login?user=after', undefined, BOUND)
    assert.ok(login !== 'hung' && login.status === 200 && login.cookie)
    const visit = await send(app.port, 'POST', '/visit', login.cookie, BOUND)
    assert.ok(visit !== 'hung' && visit.status === 200)
    const me = await send(app.port, 'GET', '/me', login.cookie, BOUND)
    assert.ok(me !== 'hung')
    assert.deepEqual(JSON.parse(me.body), { user: 'after', visits: 1 })
    assert.deepEqual(rejections, [], 'no unhandled rejection')
  })

  test(`${kind}: a paused (slow) Redis fails requests within the timeout, then serves them again without a reconnect`, async (t) => {
    const { holder, store, app } = await setup(t, kind)
    const login = await send(app.port, 'POST', '/login?user=paused', undefined, BOUND)
    assert.ok(login !== 'hung' && login.status === 200 && login.cookie)

    assert.equal(await ask(holder.redis.port, `CLIENT PAUSE ${4 * TIMEOUT} ALL`), '+OK')
    const pausedAt = performance.now()
    const during = await Promise.all(Array.from({ length: 6 }, () => send(app.port, 'GET', '/me', login.cookie, BOUND)))
    const started = performance.now()
    await assert.rejects(store.get('direct'), { code: 'ERR_SEALED_TIMEOUT' })
    const directMs = performance.now() - started
    assert.ok(performance.now() - pausedAt < 4 * TIMEOUT, 'the checks ran while Redis was still paused')
    for (const reply of during) {
      assert.ok(reply !== 'hung', 'no hang')
      assert.equal(reply.status, 500)
    }
    assert.ok(directMs >= TIMEOUT - 5 && directMs < TIMEOUT + 1000, `store.get settled after ${directMs.toFixed(0)} ms`)

    const answers = async (): Promise<boolean> => {
      const me = await send(app.port, 'GET', '/me', login.cookie, BOUND)
      return me !== 'hung' && me.status === 200 && JSON.parse(me.body).user === 'paused'
    }
    await waitFor(answers, 'Redis answers after the pause', 15_000)
    assert.deepEqual(rejections, [], 'no unhandled rejection')
  })
}
