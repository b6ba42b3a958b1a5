/**
 * `sessions` and `revoke` with a secret that opens nothing: a user's index is found through an
 * HMAC under the store's keys, so a wrong key must not pass for "this user has no sessions".
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SessionData } from 'express-session'
import { runCli } from '../support/cli-process.js'
import { useRedis } from '../support/redis.js'
import { SECRET_A, SECRET_B, StoreTracker, sessionWith } from '../support/sessions.js'

const redis = useRedis()
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

const userOf = (s: SessionData) => (s as unknown as { user?: { id: string } }).user?.id
const cli = (args: readonly string[], secret: Buffer) =>
  runCli([...args, '--prefix', 'wk:', '--secret-encoding', 'base64url'], { REDIS_URL: redis.url, SESSION_STORE_SECRET: secret.toString('base64url') })

test('a wrong secret: sessions and revoke say that it opens nothing and exit 1; the sessions stay', async () => {
  await redis.started()
  const store = stores.create({ url: redis.url, prefix: 'wk:', secret: SECRET_A, userOf })
  await store.set('laptop', sessionWith({ user: { id: 'alice' } }))
  await store.set('phone', sessionWith({ user: { id: 'alice' } }))

  for (const args of [['sessions', 'alice'], ['sessions', 'alice', '--json'], ['revoke', 'alice']]) {
    const wrong = await cli(args, SECRET_B)
    assert.equal(wrong.code, 1, `${args.join(' ')}: ${wrong.stdout}${wrong.stderr}`)
    assert.match(wrong.stderr, /the given secret opens none of the 2 sealed record\(s\) under "wk:": wrong secret, --prefix or --key-salt\?/)
    assert.doesNotMatch(wrong.stdout, /0 session/)
  }
  assert.ok(await store.get('laptop'))
  assert.ok(await store.get('phone'))

  const right = await cli(['sessions', 'alice'], SECRET_A)
  assert.equal(right.code, 0, right.stderr)
  assert.match(right.stdout, /^2 session\(s\) of user "alice"/)
})

test('the right secret and a user without sessions: 0 session(s), exit 0', async () => {
  await redis.started()
  const listed = await cli(['sessions', 'nobody'], SECRET_A)
  assert.equal(listed.code, 0, listed.stderr)
  assert.match(listed.stdout, /^0 session\(s\) of user "nobody"/)
  const revoked = await cli(['revoke', 'nobody'], SECRET_A)
  assert.equal(revoked.code, 0, revoked.stderr)
  assert.match(revoked.stdout, /^ended 0 session\(s\)/)
})
