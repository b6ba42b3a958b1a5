import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { RedisStore as ConnectRedisStore } from 'connect-redis'
import type { SessionData } from 'express-session'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { schemeFor } from '../src/codec/format.js'
import { KeyRing } from '../src/codec/keyring.js'
import { deriveMasterKeys } from '../src/codec/secrets.js'
import { describeRecord } from '../src/cli/record-info.js'
import { resealKeepingTimes } from '../src/cli/reseal.js'
import { connectRedis } from '../src/cli/session-redis.js'
import { RedisStore, type RedisStoreOptions, type SealErrorInfo } from '../src/index.js'
import { runCli } from './support/cli-process.js'

const OLD = 'old-secret-of-the-sealed-store-0123456789abcdef'
const NEW = 'new-secret-of-the-sealed-store-0123456789abcdef'
const TEN_DAYS_MS = 10 * 86_400_000

let redis: LocalRedis
let client: ReturnType<typeof createClient>
let ioredis: Redis
const oldRings = new Map<string, Promise<KeyRing>>()
const stores: RedisStore[] = []

function sample(user: string): SessionData {
  const expires = new Date(Date.now() + 3_600_000)
  return JSON.parse(JSON.stringify({ cookie: { originalMaxAge: 3_600_000, expires, httpOnly: true, path: '/' }, user })) as SessionData
}

function store(options: Partial<RedisStoreOptions>): { store: RedisStore; failures: SealErrorInfo[] } {
  const failures: SealErrorInfo[] = []
  const s = new RedisStore({ client, secret: OLD, pool: false, onSealError: (info) => failures.push(info), ...options })
  stores.push(s)
  return { store: s, failures }
}

/** OLD's keys as a store with this prefix derives them (its keySalt defaults to the prefix). */
function oldRingFor(prefix: string): Promise<KeyRing> {
  let ring = oldRings.get(prefix)
  if (!ring) oldRings.set(prefix, (ring = deriveMasterKeys([OLD], prefix).then((keys) => new KeyRing(keys))))
  return ring
}

/** A record the app sealed with OLD ten days ago, still within its Redis TTL (an hour left). */
async function writeOld(key: string, user: string): Promise<number> {
  const oldRing = await oldRingFor(key.slice(0, key.indexOf(':') + 1))
  const sealedAt = Date.now() - TEN_DAYS_MS
  const settings = { scheme: schemeFor('aes-256-gcm', 'sha512'), encoding: 'binary' as const, compression: undefined }
  const record = resealKeepingTimes(Buffer.from(JSON.stringify(sample(user))), key, oldRing, settings, { sealedAt })
  await ioredis.set(key, record, 'PX', 3_600_000)
  return sealedAt
}

const sealedAtOf = async (key: string): Promise<number> => {
  const info = describeRecord((await ioredis.getBuffer(key)) as Buffer)
  assert.equal(info.format, 'sealed')
  return Date.parse(info.format === 'sealed' ? info.header.sealedAt : '')
}
const env = () => ({ REDIS_URL: redis.url, SESSION_STORE_SECRET: `${NEW},${OLD}` })
const summary = (stdout: string) => JSON.parse(stdout) as Record<string, number>

before(async () => {
  redis = await startRedis()
  client = createClient({ url: redis.url })
  await client.connect()
  ioredis = new Redis(redis.port, '127.0.0.1')
})

after(async () => {
  await Promise.all(stores.map((s) => s.close()))
  await client.close()
  ioredis.disconnect()
  await redis.stop()
})

describe('cli: rekey and migrate keep the replay bound (maxSealAge)', () => {
  it('rekey keeps each record its seal time: a record maxSealAge refused stays refused', async () => {
    const prefix = 'rk:'
    const sealedAt = await writeOld(`${prefix}old`, 'old-user')
    await store({ prefix }).store.set('fresh', sample('fresh-user'))
    const r = await runCli(['rekey', '--prefix', prefix, '--json'], env())
    assert.equal(r.code, 0, r.stderr)
    assert.equal(summary(r.stdout).resealed, 2)

    assert.equal(await sealedAtOf(`${prefix}old`), sealedAt)
    const unbounded = store({ prefix, secret: NEW }).store
    assert.equal(((await unbounded.get('old')) as unknown as { user: string }).user, 'old-user', 're-sealed under the new key')
    const { store: bounded, failures } = store({ prefix, secret: NEW, maxSealAge: 3600 })
    assert.equal(await bounded.get('old'), null)
    assert.deepEqual(failures, [{ reason: 'expired', sid: 'old' }])
    assert.equal(((await bounded.get('fresh')) as unknown as { user: string }).user, 'fresh-user')
  })

  it('--max-seal-age deletes records sealed longer ago; --keep-expired and --dry-run leave them', async () => {
    const prefix = 'ma:'
    await writeOld(`${prefix}old`, 'old-user')
    await store({ prefix }).store.set('fresh', sample('fresh-user'))
    await store({ prefix, secret: NEW }).store.set('current', sample('current-user'))
    await writeOld(`${prefix}old-current`, 'old-current-user')
    const before = await ioredis.getBuffer(`${prefix}old`)

    const bad = await runCli(['rekey', '--prefix', prefix, '--keep-expired'], env())
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /--keep-expired needs --max-seal-age/)

    const dry = await runCli(['rekey', '--prefix', prefix, '--max-seal-age', '3600', '--dry-run', '--json'], env())
    assert.equal(dry.code, 0, dry.stderr)
    assert.deepEqual([summary(dry.stdout).expired, summary(dry.stdout).resealed, summary(dry.stdout).current], [2, 1, 1])
    assert.deepEqual(await ioredis.getBuffer(`${prefix}old`), before)

    const kept = await runCli(['rekey', '--prefix', prefix, '--max-seal-age', '3600', '--keep-expired'], env())
    assert.equal(kept.code, 0, kept.stderr)
    assert.match(kept.stdout, /sealed over 3600 s ago, deleted: 0\n {2}sealed over 3600 s ago, left alone \(--keep-expired\): 2\n/)
    assert.deepEqual(await ioredis.getBuffer(`${prefix}old`), before)

    const r = await runCli(['rekey', '--prefix', prefix, '--max-seal-age', '3600', '--json'], env())
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual([summary(r.stdout).expired, summary(r.stdout)['expired-kept'], summary(r.stdout).current], [2, 0, 2])
    assert.equal(await client.exists([`${prefix}old`, `${prefix}old-current`]), 0)
    assert.equal(((await store({ prefix, secret: NEW }).store.get('fresh')) as unknown as { user: string }).user, 'fresh-user')
  })

  it('migrate --max-seal-age deletes sealed records past it; a legacy record is sealed as of now', async () => {
    const prefix = 'mm:'
    await writeOld(`${prefix}old`, 'old-user')
    await new ConnectRedisStore({ client, prefix }).set('plain', sample('plain-user'))
    const r = await runCli(['migrate', '--prefix', prefix, '--plaintext', '--trust-plaintext', '--max-seal-age', '3600', '--json'], env())
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual([summary(r.stdout).expired, summary(r.stdout).resealed], [1, 1])
    assert.equal(await client.exists(`${prefix}old`), 0)
    assert.ok(Math.abs((await sealedAtOf(`${prefix}plain`)) - Date.now()) < 60_000)
  })

  it('an expired record the app rewrote meanwhile is not deleted (compare-and-delete)', async () => {
    const cas = await connectRedis(redis.url)
    try {
      await client.set('cad:a', 'v2')
      assert.equal(await cas.deleteIfUnchanged('cad:a', Buffer.from('v1')), false)
      assert.equal(await client.exists('cad:a'), 1)
      assert.equal(await cas.deleteIfUnchanged('cad:a', Buffer.from('v2')), true)
      assert.equal(await client.exists('cad:a'), 0)
      assert.equal(await cas.deleteIfUnchanged('cad:missing', Buffer.from('v2')), false)
    } finally {
      await cas.close()
    }
  })
})
