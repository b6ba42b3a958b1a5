/**
 * The destroy/set race of connect-redis #75 and #328 over real HTTP: a slow request saves its
 * session after a logout destroyed it. With `concurrency: 'overwrite'` and no `destroyGuard` the
 * session comes back (connect-redis's behaviour); with the default compare-and-set, or with the
 * guard, it stays dead.
 */
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { startRedis } from '../../scripts/local-redis.js'
import { RedisStore, type RedisStoreOptions } from '../../src/index.js'
import { CLIENT_KINDS, connectClient, watchUnhandledRejections, type ClientName } from './clients.js'
import { deferred, send, startApp } from './http-app.js'

const rejections = watchUnhandledRejections()

async function raceLogoutAgainstSlowRequest(t: TestContext, kind: ClientName, options: Pick<RedisStoreOptions, 'destroyGuard' | 'concurrency'>) {
  const redis = await startRedis()
  const client = await connectClient(kind, redis.port)
  const store = new RedisStore({ client: client.client, secret: Buffer.alloc(32, 9), pool: false, ...options })
  const entered = deferred()
  const release = deferred()
  const app = await startApp(store, {
    hold: async () => {
      entered.resolve()
      await release.promise
    },
  })
  t.after(async () => {
    await app.close()
    await store.close()
    await client.close()
    await redis.stop()
  })

  const login = await send(app.port, 'POST', '/login?user=alice')
  assert.ok(login !== 'hung' && login.status === 200 && login.cookie)
  const cookie = login.cookie
  const sid = decodeURIComponent(cookie.split('=')[1] as string).slice(2).split('.')[0] as string
  assert.ok(await store.get(sid), 'logged in')

  const slow = send(app.port, 'GET', '/slow', cookie)
  await entered.promise
  const logout = await send(app.port, 'POST', '/logout', cookie)
  assert.ok(logout !== 'hung' && logout.status === 200 && logout.body === 'bye')
  assert.equal(await store.get(sid), null, 'the logout destroyed the session')

  release.resolve()
  const late = await slow
  assert.ok(late !== 'hung' && late.status === 200, 'the slow request completed and saved')
  const me = await send(app.port, 'GET', '/me', cookie)
  assert.ok(me !== 'hung' && me.status === 200)
  assert.deepEqual(app.errors, [], 'no store error on either path')
  assert.deepEqual(rejections, [])
  return { user: (JSON.parse(me.body) as { user: string | null }).user, stored: await store.get(sid) }
}

for (const kind of CLIENT_KINDS) {
  test(`${kind}: with concurrency 'overwrite' and no destroyGuard a slow request resurrects a session destroyed by logout (connect-redis's bug)`, async (t) => {
    const { user, stored } = await raceLogoutAgainstSlowRequest(t, kind, { concurrency: 'overwrite' })
    assert.equal(user, 'alice', 'the logged-out user is logged in again')
    assert.equal((stored as { visits?: number } | null)?.visits, 1, 'the slow request wrote it back')
  })

  test(`${kind}: with the default options the slow request's save writes nothing and the session stays destroyed`, async (t) => {
    const { user, stored } = await raceLogoutAgainstSlowRequest(t, kind, {})
    assert.equal(user, null)
    assert.equal(stored, null)
  })

  test(`${kind}: with destroyGuard (and 'overwrite') the slow request's save is refused and the session stays destroyed`, async (t) => {
    const { user, stored } = await raceLogoutAgainstSlowRequest(t, kind, { destroyGuard: 60, concurrency: 'overwrite' })
    assert.equal(user, null)
    assert.equal(stored, null)
  })
}
