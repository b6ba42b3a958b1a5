/** The users' index keys (sorted sets under the prefix) are not records: stats and rekey leave them out. */
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
const env = (secrets: Buffer[]) => ({ REDIS_URL: redis.url, SESSION_STORE_SECRET: secrets.map((s) => s.toString('base64url')).join(',') })
const cli = (args: readonly string[], secrets: Buffer[]) => runCli([...args, '--prefix', 'ix:', '--secret-encoding', 'base64url'], env(secrets))

test('stats counts two users\' indexes apart from the three records, and rekey re-seals the records without "gone meanwhile"', async () => {
  await redis.started()
  const store = stores.create({ url: redis.url, prefix: 'ix:', secret: SECRET_A, userOf })
  await store.set('a1', sessionWith({ user: { id: 'alice' } }))
  await store.set('a2', sessionWith({ user: { id: 'alice' } }))
  await store.set('b1', sessionWith({ user: { id: 'bob' } }))

  const json = await cli(['stats', '--json'], [SECRET_A])
  assert.equal(json.code, 0, json.stderr)
  const counted = JSON.parse(json.stdout) as { total: number; userIndexes: number; formats: Record<string, number> }
  assert.equal(counted.total, 3)
  assert.equal(counted.userIndexes, 2)
  assert.deepEqual(counted.formats, { 'sealed v2': 3 })
  const text = await cli(['stats'], [SECRET_A])
  assert.match(text.stdout, /^records under "ix:": 3 /)
  assert.match(text.stdout, /users' session indexes \(userOf, not records\): 2/)
  assert.doesNotMatch(text.stdout, /not a string/)

  const rekeyed = await cli(['rekey', '--json'], [SECRET_B, SECRET_A])
  assert.equal(rekeyed.code, 0, rekeyed.stderr)
  const summary = JSON.parse(rekeyed.stdout) as Record<string, number>
  assert.equal(summary.scanned, 3)
  assert.equal(summary.resealed, 3)
  assert.equal(summary.vanished, 0)
  const human = await cli(['rekey'], [SECRET_B, SECRET_A])
  assert.match(human.stdout, /rekey: 3 records scanned[\s\S]*already done: 3[\s\S]*gone meanwhile: 0/)
})
