/** `sessions <user>` and `revoke <user>` of the CLI against a real redis-server. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SessionData } from 'express-session'
import { useRedis } from '../support/redis.js'
import { StoreTracker, sessionWith } from '../support/sessions.js'
import { runCli } from '../support/cli-process.js'

const SECRET = 'a cli test passphrase of more than 32 characters'
const redis = useRedis()
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

const cli = (args: readonly string[]) => runCli(args, { REDIS_URL: redis.url, SESSION_STORE_SECRET: SECRET })

test('sessions lists ids and times without contents unless --show; revoke ends all but --except', async () => {
  await redis.started()
  const userOf = (s: SessionData) => (s as unknown as { user?: { id: string } }).user?.id
  const store = stores.create({ url: redis.url, prefix: 'cli:', secret: SECRET, userOf })
  await store.set('laptop', sessionWith({ user: { id: 'zoe' }, token: 'secret-token-123' }))
  await store.set('phone', sessionWith({ user: { id: 'zoe' }, token: 'secret-token-456' }))

  const listed = await cli(['sessions', 'zoe', '--prefix', 'cli:', '--json'])
  assert.equal(listed.code, 0, listed.stderr)
  const rows = JSON.parse(listed.stdout) as { id: string; createdAt: number; sealedAt: number; expiresAt: number }[]
  assert.deepEqual(rows.map((r) => r.id).sort(), ['laptop', 'phone'])
  assert.ok(rows.every((r) => typeof r.sealedAt === 'number' && typeof r.expiresAt === 'number'))
  assert.doesNotMatch(listed.stdout, /secret-token/)
  const text = await cli(['sessions', 'zoe', '--prefix', 'cli:'])
  assert.match(text.stdout, /2 session\(s\)[\s\S]*laptop {2}created \S+ {2}last sealed \S+ {2}expires \S+/)
  assert.doesNotMatch(text.stdout, /secret-token/)
  assert.match((await cli(['sessions', 'zoe', '--prefix', 'cli:', '--show'])).stdout, /secret-token-123/)

  const revoked = await cli(['revoke', 'zoe', '--prefix', 'cli:', '--except', 'phone'])
  assert.equal(revoked.code, 0, revoked.stderr)
  assert.match(revoked.stdout, /ended 1 session/)
  assert.equal(await store.get('laptop'), null)
  assert.ok(await store.get('phone'))
  assert.equal((await cli(['revoke', 'zoe', '--secret-env', 'NOPE'])).code, 2, 'no secret: a usage error')
})
