import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import { RedisStore as ConnectRedisStore } from 'connect-redis'
import session, { type SessionData, type Store } from 'express-session'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { LegacyReader } from '../src/legacy/legacy-reader.js'
import { RedisStore, type RedisStoreOptions, type SealErrorInfo } from '../src/index.js'
import { runCli } from './support/cli-process.js'

type CryptoStoreClass = new (options: Record<string, unknown>) => Store & {
  get(sid: string, cb: (error: unknown, session?: unknown) => void): void
}
const CryptoStore = (createRequire(import.meta.url)('connect-redis-crypto') as (s: typeof session) => CryptoStoreClass)(session)

const SECRET = 'a-new-secret-for-the-sealed-store-0123456789'
const OLD_SECRET = 'squirrel-old-connect-redis-crypto-secret'
const until = new Date(Date.now() + 86_400_000)
const CBC = { algorithm: 'aes-256-cbc', encodeas: 'hex' } as const

let redis: LocalRedis
let ioredis: Redis
let client: ReturnType<typeof createClient>
const stores: RedisStore[] = []

function sample(user: string): SessionData {
  const expires = new Date(Date.now() + 3_600_000)
  return JSON.parse(JSON.stringify({ cookie: { originalMaxAge: 3_600_000, expires, httpOnly: true, path: '/' }, user })) as SessionData
}

function ours(extra: Partial<RedisStoreOptions>): { store: RedisStore; failures: SealErrorInfo[] } {
  const failures: SealErrorInfo[] = []
  const store = new RedisStore({ client, secret: SECRET, pool: false, onSealError: (info) => failures.push(info), ...extra })
  stores.push(store)
  return { store, failures }
}

const crypto = (options: Record<string, unknown> = {}) => new CryptoStore({ client: ioredis, secret: OLD_SECRET, ...options })
const writeCrypto = (sid: string, data: object, options: Record<string, unknown> = {}) =>
  new Promise<void>((resolve, reject) => crypto(options).set(sid, data as SessionData, (e?: unknown) => (e ? reject(e) : resolve())))
const readCrypto = (key: string, options: Record<string, unknown>) =>
  new Promise<unknown>((resolve, reject) => crypto(options).get(key, (e, s) => (e ? reject(e instanceof Error ? e : new Error(String(e))) : resolve(s))))

/**
 * What an attacker with Redis write access does to a CBC record: P1 = D(C1) XOR IV and the HMAC
 * does not cover the IV, so IV' = IV XOR P1 XOR P1' makes the first block read P1'.
 */
async function forgeFirstBlock(key: string, wanted: string): Promise<void> {
  const envelope = JSON.parse((await ioredis.get(key)) as string) as { iv: { data: number[] } }
  const was = Buffer.from('{"cookie":{"orig', 'latin1')
  const now = Buffer.from(wanted, 'latin1')
  envelope.iv.data = envelope.iv.data.map((b, i) => b ^ (was[i] as number) ^ (now[i] as number))
  await ioredis.set(key, JSON.stringify(envelope), 'KEEPTTL')
}

before(async () => {
  redis = await startRedis()
  ioredis = new Redis(redis.port, '127.0.0.1')
  client = createClient({ url: redis.url })
  await client.connect()
})

after(async () => {
  await Promise.all(stores.map((s) => s.close()))
  ioredis.disconnect()
  await client.close()
  await redis.stop()
})

describe('legacy forgery: the IV of connect-redis-crypto CBC records', () => {
  it('a crafted IV that makes the record {"admin":1,...} is refused, though kruptein accepts it', async () => {
    await writeCrypto('forged', sample('mallory'), CBC)
    await forgeFirstBlock('sess:forged', '{"admin":1,"":{"')
    const asKrupteinReadsIt = (await readCrypto('forged', CBC)) as { admin?: number; user?: string }
    assert.equal(asKrupteinReadsIt.admin, 1, 'the forgery is real: connect-redis-crypto opens it')
    assert.equal(asKrupteinReadsIt.user, 'mallory')

    const { store, failures } = ours({ legacy: { until, connectRedisCrypto: { secret: OLD_SECRET, ...CBC } } })
    assert.equal(await store.get('forged'), null)
    assert.deepEqual(failures, [{ reason: 'legacy', sid: 'forged' }])
    await writeCrypto('genuine', sample('alice'), CBC)
    assert.equal(((await store.get('genuine')) as unknown as { user: string }).user, 'alice')
  })

  it('migrate does not seal the forged record', async () => {
    const prefix = 'mf:'
    await writeCrypto('forged', sample('mallory'), { ...CBC, prefix })
    await forgeFirstBlock(`${prefix}forged`, '{"admin":1,"":{"')
    const stored = await ioredis.getBuffer(`${prefix}forged`)
    const env = { REDIS_URL: redis.url, SESSION_STORE_SECRET: SECRET, LEGACY_SECRET: OLD_SECRET }
    const r = await runCli(['migrate', '--prefix', prefix, '--legacy-algorithm', CBC.algorithm, '--legacy-encodeas', CBC.encodeas, '--json'], env)
    assert.equal(r.code, 1, r.stderr)
    const summary = JSON.parse(r.stdout) as { resealed: number; unreadable: number; reasons: object }
    assert.deepEqual([summary.resealed, summary.unreadable, summary.reasons], [0, 1, { legacy: 1 }])
    assert.deepEqual(await ioredis.getBuffer(`${prefix}forged`), stored)
  })

  it('the limit: a CBC or CTR record whose JSON does not start with express-session\'s cookie is refused too', async () => {
    const notFromExpressSession = { user: 'bob', cookie: sample('bob').cookie }
    await writeCrypto('cbc-user-first', notFromExpressSession, CBC)
    await writeCrypto('ctr-user-first', notFromExpressSession, { algorithm: 'aes-256-ctr', encodeas: 'hex' })
    await writeCrypto('gcm-user-first', notFromExpressSession, { encodeas: 'hex' })
    const cbc = ours({ legacy: { until, connectRedisCrypto: { secret: OLD_SECRET, ...CBC } } })
    const ctr = ours({ legacy: { until, connectRedisCrypto: { secret: OLD_SECRET, algorithm: 'aes-256-ctr', encodeas: 'hex' } } })
    const gcm = ours({ legacy: { until, connectRedisCrypto: { secret: OLD_SECRET, encodeas: 'hex' } } })
    assert.equal(await cbc.store.get('cbc-user-first'), null)
    assert.equal(await ctr.store.get('ctr-user-first'), null)
    assert.deepEqual([...cbc.failures, ...ctr.failures].map((f) => f.reason), ['legacy', 'legacy'])
    assert.equal(((await gcm.store.get('gcm-user-first')) as unknown as { user: string }).user, 'bob', 'GCM authenticates its IV')
  })
})

describe('legacy.until: the migration window ends', () => {
  it('after it, legacy records are refused with reason "legacy-ended", with no key derivation', async () => {
    await new ConnectRedisStore({ client }).set('plain-late', sample('carol'))
    await writeCrypto('crypto-late', sample('dave'))
    const past = new Date(Date.now() - 1000)
    const { store, failures } = ours({ legacy: { until: past, plaintext: true, connectRedisCrypto: { secret: OLD_SECRET } } })
    assert.equal(await store.get('plain-late'), null)
    assert.equal(await store.get('crypto-late'), null)
    assert.deepEqual(failures.map((f) => f.reason), ['legacy-ended', 'legacy-ended'])
    assert.equal(store.stats().legacyOpened, 0)
    const open = ours({ legacy: { until, plaintext: true, connectRedisCrypto: { secret: OLD_SECRET } } }).store
    assert.equal(((await open.get('plain-late')) as unknown as { user: string }).user, 'carol')
    assert.equal(((await open.get('crypto-late')) as unknown as { user: string }).user, 'dave')

    const stored = (await ioredis.getBuffer('sess:crypto-late')) as Buffer
    const settings = { secret: OLD_SECRET, algorithm: 'aes-256-gcm', hashing: 'sha512', encodeas: 'binary' } as const
    const reader = new LegacyReader({ plaintext: false, kruptein: settings, keyCache: 10, until: past.getTime(), derivations: { perSecond: 10, concurrency: 1 } }, 1 << 20)
    assert.deepEqual(await reader.open(stored), { ok: false, reason: 'legacy-ended' })
    assert.equal(reader.derivations, 0)
  })

  it('plaintext on: one process warning at start-up, naming the risk and the end', async () => {
    const seen: (Error & { code?: string })[] = []
    const onWarning = (w: Error & { code?: string }) => void (w.code === 'CONNECT_REDIS_SEALED_LEGACY_PLAINTEXT' && seen.push(w))
    process.on('warning', onWarning)
    try {
      ours({ legacy: { until, plaintext: true } })
      ours({ legacy: { until, connectRedisCrypto: { secret: OLD_SECRET } } })
      ours({ legacy: { until: new Date(Date.now() - 1000), plaintext: true } })
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    assert.equal(seen.length, 1)
    assert.match(seen[0]?.message ?? '', new RegExp(`until ${until.toISOString()}: every plaintext JSON record in Redis opens as a session`))
  })

  it('migrate --plaintext refuses to run without --trust-plaintext, and says why', async () => {
    const prefix = 'mt:'
    await new ConnectRedisStore({ client, prefix }).set('planted', { ...sample('eve'), admin: true } as SessionData)
    const env = { REDIS_URL: redis.url, SESSION_STORE_SECRET: SECRET }
    const refused = await runCli(['migrate', '--prefix', prefix, '--plaintext'], env)
    assert.equal(refused.code, 2)
    assert.match(refused.stderr, /trusts every plaintext JSON record in Redis[\s\S]*--trust-plaintext/)
    assert.equal((await ioredis.getBuffer(`${prefix}planted`))?.[0], 0x7b, 'left as it was')
    const trusted = await runCli(['migrate', '--prefix', prefix, '--plaintext', '--trust-plaintext', '--json'], env)
    assert.equal(trusted.code, 0, trusted.stderr)
    assert.match(trusted.stderr, /--trust-plaintext given: every plaintext JSON record under the prefix is sealed as an authentic session/)
    assert.equal((JSON.parse(trusted.stdout) as { resealed: number }).resealed, 1)
  })
})

describe('legacy: PBKDF2 on attacker-chosen salts is bounded', () => {
  /** A record anyone with write access can plant: a fresh salt, a wrong HMAC, so a fresh derivation. */
  const planted = () => JSON.stringify({ hmac: '00', ct: '00', iv: randomBytes(16).toString('latin1'), salt: randomBytes(32).toString('hex') })

  it('all() over planted records starts at most the bound and refuses the rest ("legacy-busy")', async () => {
    const prefix = 'pb:'
    for (let i = 0; i < 8; i++) await ioredis.set(`${prefix}${i}`, planted())
    const { store, failures } = ours({ prefix, scanCount: 1000, legacy: { until, connectRedisCrypto: { secret: OLD_SECRET, derivationsPerSecond: 2 } } })
    assert.deepEqual(await store.all(), [])
    const reasons = failures.map((f) => f.reason).sort()
    // Two start at once (the burst), two wait in line (one second's worth), four are refused.
    assert.deepEqual(reasons, ['legacy', 'legacy', 'legacy', 'legacy', 'legacy-busy', 'legacy-busy', 'legacy-busy', 'legacy-busy'])
  })

  it('a reader derives at most `concurrency` at once plus `perSecond` in line; planted salts are not cached', async () => {
    const settings = { secret: OLD_SECRET, algorithm: 'aes-256-gcm', hashing: 'sha512', encodeas: 'binary' } as const
    const reader = new LegacyReader({ plaintext: false, kruptein: settings, keyCache: 100, until: until.getTime(), derivations: { perSecond: 5, concurrency: 1 } }, 1 << 20)
    const records = Array.from({ length: 20 }, () => Buffer.from(planted()))
    const results = await Promise.all(records.map((r) => reader.open(r)))
    const count = (reason: string) => results.filter((r) => !r.ok && r.reason === reason).length
    assert.deepEqual([count('legacy'), count('legacy-busy'), reader.derivations], [6, 14, 6])
    await reader.open(records[0] as Buffer)
    assert.equal(reader.derivations, 7, 'a salt whose HMAC failed was not cached')

    await writeCrypto('cached', sample('frank'))
    const genuine = (await ioredis.getBuffer('sess:cached')) as Buffer
    assert.equal((await reader.open(genuine)).ok, true)
    assert.equal((await reader.open(genuine)).ok, true)
    assert.equal(reader.derivations, 8, 'an authentic record derives once')
  })
})
