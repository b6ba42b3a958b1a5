/** An app that installed ioredis and not node-redis: the CLI uses ioredis for every command. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { SessionData } from 'express-session'
import { runCli } from './support/cli-process.js'
import { useRedis } from './support/redis.js'
import { SECRET_A, SECRET_B, StoreTracker, sessionWith } from './support/sessions.js'

const redis = useRedis()
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

const HIDE_NODE_REDIS = fileURLToPath(new URL('fixtures/hide-node-redis.mjs', import.meta.url))
const userOf = (s: SessionData) => (s as unknown as { user?: { id: string } }).user?.id
const cli = (args: readonly string[], secrets: Buffer[]) =>
  runCli([...args, '--prefix', 'io:', '--secret-encoding', 'base64url'], {
    REDIS_URL: redis.url,
    SESSION_STORE_SECRET: secrets.map((s) => s.toString('base64url')).join(','),
    NODE_OPTIONS: `--import=${HIDE_NODE_REDIS}`,
  })

test('without the "redis" package: the preload really hides it', () => {
  const probe = spawnSync(process.execPath, ['--import', HIDE_NODE_REDIS, '--input-type=module', '-e', "await import('redis')"], { encoding: 'utf8' })
  assert.notEqual(probe.status, 0)
  assert.match(probe.stderr, /Cannot find package redis/)
})

test('without the "redis" package: stats, inspect, sessions, revoke and rekey run on ioredis', async () => {
  await redis.started()
  const store = stores.create({ url: redis.url, prefix: 'io:', secret: SECRET_A, userOf })
  await store.set('one', sessionWith({ user: { id: 'ann' }, n: 1 }))
  await store.set('two', sessionWith({ user: { id: 'ann' }, n: 2 }))

  const stats = await cli(['stats', '--json'], [SECRET_A])
  assert.equal(stats.code, 0, stats.stderr)
  assert.equal((JSON.parse(stats.stdout) as { total: number }).total, 2)
  const inspected = await cli(['inspect', 'one', '--json'], [SECRET_A])
  assert.equal(inspected.code, 0, inspected.stderr)
  assert.equal((JSON.parse(inspected.stdout) as { session: { n: number } }).session.n, 1)
  const listed = await cli(['sessions', 'ann'], [SECRET_A])
  assert.equal(listed.code, 0, listed.stderr)
  assert.match(listed.stdout, /^2 session\(s\) of user "ann"/)
  const rekeyed = await cli(['rekey', '--json'], [SECRET_B, SECRET_A])
  assert.equal(rekeyed.code, 0, rekeyed.stderr)
  assert.equal((JSON.parse(rekeyed.stdout) as { resealed: number }).resealed, 2)
  const revoked = await cli(['revoke', 'ann', '--except', 'two'], [SECRET_B, SECRET_A])
  assert.equal(revoked.code, 0, revoked.stderr)
  assert.match(revoked.stdout, /^ended 1 session\(s\)/)
  assert.equal(await store.get('one'), null)
})
