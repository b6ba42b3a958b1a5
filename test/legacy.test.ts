import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import { RedisStore as ConnectRedisStore } from 'connect-redis'
import session, { type SessionData, type Store } from 'express-session'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { RedisStore, type RedisStoreOptions, type SealErrorInfo } from '../src/index.js'
import { KeyCache } from '../src/legacy/kruptein.js'
import { LegacyReader, OPERATOR_RUN } from '../src/legacy/legacy-reader.js'

type CryptoStoreClass = new (options: Record<string, unknown>) => Store
const loadCjs = createRequire(import.meta.url)
const CryptoStore = (loadCjs('connect-redis-crypto') as (s: typeof session) => CryptoStoreClass)(session)

const SECRET = 'a-new-secret-for-the-sealed-store-0123456789'
/** The end of the migration window that `legacy` now requires: a day from now. */
const until = new Date(Date.now() + 86_400_000)
const OLD_SECRET = 'squirrel-old-connect-redis-crypto-secret'

let redis: LocalRedis
let ioredis: Redis
let client: ReturnType<typeof createClient>
const stores: RedisStore[] = []

function sample(user: string, maxAgeMs = 3_600_000): SessionData {
  const expires = new Date(Date.now() + maxAgeMs)
  return JSON.parse(
    JSON.stringify({ cookie: { originalMaxAge: maxAgeMs, expires, httpOnly: true, path: '/' }, user, cart: [{ sku: 'é-1', qty: 2 }] }),
  ) as SessionData
}

function ours(extra: Partial<RedisStoreOptions> = {}): { store: RedisStore; failures: SealErrorInfo[] } {
  const failures: SealErrorInfo[] = []
  const store = new RedisStore({ client, secret: SECRET, pool: false, onSealError: (info) => failures.push(info), ...extra })
  stores.push(store)
  return { store, failures }
}

/** Writes a session with the real connect-redis-crypto 4.0.5 (callback API, through ioredis). */
function writeCrypto(sid: string, data: SessionData, options: Record<string, unknown> = {}): Promise<void> {
  const store = new CryptoStore({ client: ioredis, secret: OLD_SECRET, ...options })
  return new Promise((resolve, reject) => store.set(sid, data, (error?: unknown) => (error ? reject(error) : resolve())))
}

async function writePlain(sid: string, data: SessionData): Promise<void> {
  await new ConnectRedisStore({ client }).set(sid, data)
}

const raw = async (sid: string): Promise<Buffer> => (await ioredis.getBuffer(`sess:${sid}`)) as Buffer

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

describe('legacy: plaintext records of connect-redis 9', () => {
  it('opens them with legacy.plaintext, counts them, and re-seals them on the next set', async () => {
    const data = sample('plain-alice')
    await writePlain('p1', data)
    assert.equal((await raw('p1'))[0], 0x7b)
    const { store, failures } = ours({ legacy: { until, plaintext: true } })
    assert.deepEqual(await store.get('p1'), data)
    assert.equal(store.stats().legacyOpened, 1)
    assert.equal(store.stats().opened, 1)
    assert.deepEqual(failures, [])

    await store.set('p1', data)
    const resealed = await raw('p1')
    assert.equal(resealed[0], 0x02)
    assert.ok(!resealed.includes('plain-alice'))
    const ttl = await ioredis.ttl('sess:p1')
    assert.ok(ttl > 3500 && ttl <= 3600, `TTL from the cookie, got ${ttl}`)
    const plainStore = ours().store
    assert.deepEqual(await plainStore.get('p1'), data)
    assert.equal(plainStore.stats().legacyOpened, 0)
  })

  it('maxSealAge does not apply to legacy records (they carry no seal time)', async () => {
    await writePlain('p6', sample('plain-erin'))
    const { store, failures } = ours({ legacy: { until, plaintext: true }, maxSealAge: 1 })
    assert.equal(((await store.get('p6')) as unknown as { user: string }).user, 'plain-erin')
    assert.deepEqual(failures, [])
  })

  it('without legacy they are open failures with reason "version"', async () => {
    await writePlain('p2', sample('plain-bob'))
    const { store, failures } = ours()
    assert.equal(await store.get('p2'), null)
    assert.deepEqual(failures, [{ reason: 'version', sid: 'p2' }])
    assert.equal(store.stats().openFailures, 1)
  })

  it('a plaintext record the serializer rejects is a "parse" failure', async () => {
    await client.set('sess:p3', '{"cookie": broken')
    const { store, failures } = ours({ legacy: { until, plaintext: true } })
    assert.equal(await store.get('p3'), null)
    assert.deepEqual(failures, [{ reason: 'parse', sid: 'p3' }])
  })

  it('uses the store serializer for plaintext records', async () => {
    await writePlain('p4', sample('plain-carol'))
    const seen: string[] = []
    const serializer = { stringify: JSON.stringify, parse: (text: string) => (seen.push(text), JSON.parse(text) as SessionData) }
    const { store } = ours({ legacy: { until, plaintext: true }, serializer })
    assert.equal(((await store.get('p4')) as unknown as { user: string }).user, 'plain-carol')
    assert.equal(seen.length, 1)
  })

  it('a plaintext record larger than maxSessionBytes is "too-large"', async () => {
    await writePlain('p5', { ...sample('plain-dan'), blob: 'x'.repeat(5000) } as SessionData)
    const { store, failures } = ours({ legacy: { until, plaintext: true }, maxSessionBytes: 4096 })
    assert.equal(await store.get('p5'), null)
    assert.deepEqual(failures, [{ reason: 'too-large', sid: 'p5' }])
  })
})

describe('legacy: records of connect-redis-crypto 4.0.5', () => {
  const variants: Record<string, unknown>[] = [
    {},
    { encodeas: 'hex' },
    { encodeas: 'base64' },
    { algorithm: 'aes-256-cbc', encodeas: 'hex' },
    { algorithm: 'aes-256-ctr', hashing: 'sha256', encodeas: 'base64' },
  ]
  for (const variant of variants) {
    it(`opens ${JSON.stringify(variant)} records with the old secret, then re-seals them`, async () => {
      const sid = `c-${Object.values(variant).join('-') || 'default'}`
      const data = sample('crypto-alice')
      await writeCrypto(sid, data, variant)
      assert.ok((await raw(sid)).toString('latin1').startsWith('{"hmac":'))
      const { store, failures } = ours({ legacy: { until, connectRedisCrypto: { secret: OLD_SECRET, ...variant } } })
      assert.deepEqual(await store.get(sid), data)
      assert.equal(store.stats().legacyOpened, 1)
      assert.deepEqual(failures, [])
      await store.set(sid, data)
      assert.equal((await raw(sid))[0], 0x02)
      assert.deepEqual(await ours().store.get(sid), data)
    })
  }

  it('without legacy, or with plaintext only, they fail with reason "version"', async () => {
    await writeCrypto('c-off', sample('crypto-bob'))
    for (const legacy of [undefined, { until, plaintext: true }] as const) {
      const { store, failures } = ours(legacy ? { legacy } : {})
      assert.equal(await store.get('c-off'), null)
      assert.deepEqual(failures, [{ reason: 'version', sid: 'c-off' }])
      assert.equal(store.stats().legacyOpened, 0)
    }
  })

  it('a wrong old secret or other settings give null with reason "legacy"', async () => {
    await writeCrypto('c-wrong', sample('crypto-carol'), { encodeas: 'hex' })
    const attempts = [
      { secret: 'not-the-old-secret', encodeas: 'hex' },
      { secret: OLD_SECRET },
      { secret: OLD_SECRET, encodeas: 'hex', hashing: 'sha256' },
      { secret: OLD_SECRET, encodeas: 'hex', algorithm: 'aes-256-cbc' },
    ] as const
    for (const connectRedisCrypto of attempts) {
      const { store, failures } = ours({ legacy: { until, connectRedisCrypto } })
      assert.equal(await store.get('c-wrong'), null, JSON.stringify({ ...connectRedisCrypto, secret: '…' }))
      assert.deepEqual(failures, [{ reason: 'legacy', sid: 'c-wrong' }])
    }
  })

  it('an altered record gives null with reason "legacy" (ct, hmac, tag, aad, iv, salt, or not JSON)', async () => {
    await writeCrypto('c-orig', sample('crypto-dan'), { encodeas: 'hex' })
    const envelope = JSON.parse((await raw('c-orig')).toString('utf8')) as Record<string, unknown>
    const flipHex = (s: string) => (s[0] === 'a' ? 'b' : 'a') + s.slice(1)
    const flipBytes = (b: { data: number[] }) => ({ type: 'Buffer', data: [b.data[0] === 1 ? 2 : 1, ...b.data.slice(1)] })
    const altered: Record<string, string> = {
      ct: JSON.stringify({ ...envelope, ct: flipHex(envelope.ct as string) }),
      hmac: JSON.stringify({ ...envelope, hmac: flipHex(envelope.hmac as string) }),
      at: JSON.stringify({ ...envelope, at: flipBytes(envelope.at as { data: number[] }) }),
      aad: JSON.stringify({ ...envelope, aad: flipHex(envelope.aad as string) }),
      iv: JSON.stringify({ ...envelope, iv: flipBytes(envelope.iv as { data: number[] }) }),
      salt: JSON.stringify({ ...envelope, salt: flipBytes(envelope.salt as { data: number[] }) }),
      noTag: JSON.stringify({ ...envelope, at: undefined }),
      truncated: JSON.stringify(envelope).slice(0, 200),
    }
    const { store, failures } = ours({ legacy: { until, plaintext: true, connectRedisCrypto: { secret: OLD_SECRET, encodeas: 'hex' } } })
    for (const [field, value] of Object.entries(altered)) {
      await client.set(`sess:c-${field}`, value)
      assert.equal(await store.get(`c-${field}`), null, field)
    }
    assert.deepEqual(
      failures.map((f) => f.reason),
      Object.keys(altered).map(() => 'legacy'),
    )
    assert.equal(((await store.get('c-orig')) as unknown as { user: string }).user, 'crypto-dan')
    assert.equal(store.stats().legacyOpened, 1)
    assert.equal(store.stats().openFailures, Object.keys(altered).length)
  })

  it('runs PBKDF2 off the event loop and caches per-record keys', async () => {
    await writeCrypto('c-async', sample('crypto-erin'))
    const stored = await raw('c-async')
    const reader = new LegacyReader(
      { plaintext: false, kruptein: { secret: OLD_SECRET, algorithm: 'aes-256-gcm', hashing: 'sha512', encodeas: 'binary' }, keyCache: 10, ...OPERATOR_RUN },
      1 << 20,
    )
    let immediateRan = false
    setImmediate(() => (immediateRan = true))
    const first = await reader.open(stored)
    assert.equal(first.ok, true)
    assert.ok(immediateRan, 'an immediate ran while the key was being derived')
    immediateRan = false
    setImmediate(() => (immediateRan = true))
    assert.deepEqual(await reader.open(stored), first)
    assert.equal(immediateRan, false, 'the second open used the cached key and finished in the same turn')
  })
})

describe('legacy: a rolling deploy over real HTTP', () => {
  it('a user logged in under connect-redis-crypto stays logged in after the switch', async () => {
    const express = (await import('express')).default
    const cookieSecret = 'express-session-cookie-secret'
    const app = (store: Store) => {
      const a = express()
      a.use(session({ store, secret: cookieSecret, resave: false, saveUninitialized: false }))
      a.post('/login', (req, res) => {
        ;(req.session as unknown as { user: string }).user = 'http-frank'
        res.send('ok')
      })
      a.get('/me', (req, res) => res.json({ user: (req.session as unknown as { user?: string }).user ?? null }))
      a.post('/visit', (req, res) => {
        const s = req.session as unknown as { visits?: number }
        s.visits = (s.visits ?? 0) + 1
        res.json(s.visits)
      })
      return a
    }
    const listen = (a: ReturnType<typeof express>) =>
      new Promise<import('node:http').Server>((resolve) => {
        const server = a.listen(0, '127.0.0.1', () => resolve(server))
      })
    const oldServer = await listen(app(new CryptoStore({ client: ioredis, secret: OLD_SECRET, prefix: 'http:' })))
    const oldUrl = `http://127.0.0.1:${(oldServer.address() as { port: number }).port}`
    const login = await fetch(`${oldUrl}/login`, { method: 'POST' })
    const cookie = (login.headers.get('set-cookie') as string).split(';')[0] as string
    await new Promise((resolve) => oldServer.close(resolve))
    const sid = decodeURIComponent(cookie.split('=')[1] as string).slice(2).split('.')[0] as string
    assert.ok((await ioredis.getBuffer(`http:${sid}`))?.toString('latin1').startsWith('{"hmac":'))

    const { store } = ours({ prefix: 'http:', legacy: { until, connectRedisCrypto: { secret: OLD_SECRET } } })
    const newServer = await listen(app(store))
    try {
      const url = `http://127.0.0.1:${(newServer.address() as { port: number }).port}`
      assert.deepEqual(await (await fetch(`${url}/me`, { headers: { cookie } })).json(), { user: 'http-frank' })
      assert.equal(await (await fetch(`${url}/visit`, { method: 'POST', headers: { cookie } })).json(), 1)
      const resealed = (await ioredis.getBuffer(`http:${sid}`)) as Buffer
      assert.equal(resealed[0], 0x02)
      assert.ok(!resealed.includes('http-frank'))
      assert.equal(store.stats().legacyOpened, 2)
    } finally {
      await new Promise((resolve) => newServer.close(resolve))
    }
  })
})

describe('legacy: option checks', () => {
  const bad: [unknown, string][] = [
    [{}, '"legacy"'],
    ['yes', '"legacy"'],
    [{ plaintext: 'yes' }, '"legacy.plaintext"'],
    [{ plaintxt: true }, '"legacy.plaintxt"'],
    [{ until, connectRedisCrypto: {} }, '"legacy.connectRedisCrypto.secret"'],
    [{ until, connectRedisCrypto: { secret: '' } }, '"legacy.connectRedisCrypto.secret"'],
    [{ until, connectRedisCrypto: { secret: 's', encodeas: 'utf8' } }, '"legacy.connectRedisCrypto.encodeas"'],
    [{ until, connectRedisCrypto: { secret: 's', algorithm: 'aes-128-gcm' } }, '"legacy.connectRedisCrypto.algorithm"'],
    [{ until, connectRedisCrypto: { secret: 's', hashing: 'md5' } }, '"legacy.connectRedisCrypto.hashing"'],
    [{ until, connectRedisCrypto: { secret: 's', keyCache: -1 } }, '"legacy.connectRedisCrypto.keyCache"'],
    [{ until, connectRedisCrypto: { secret: 's', use_asn1: true } }, '"legacy.connectRedisCrypto.use_asn1"'],
    [{ plaintext: true }, '"legacy.until"'],
    [{ plaintext: true, until: 'next week' }, '"legacy.until"'],
    [{ plaintext: true, until: '2030-03-01T00:00:00' }, '"legacy.until"'],
    [{ plaintext: true, until: '2030-02-31' }, '"legacy.until"'],
    [{ plaintext: true, until: new Date('not a date') }, '"legacy.until"'],
    [{ plaintext: true, until: 1_900_000_000_000 }, '"legacy.until"'],
    [{ connectRedisCrypto: { secret: 's' } }, '"legacy.until"'],
    [{ until, connectRedisCrypto: { secret: 's', derivationsPerSecond: 0 } }, '"legacy.connectRedisCrypto.derivationsPerSecond"'],
  ]
  for (const [legacy, named] of bad) {
    it(`rejects legacy: ${JSON.stringify(legacy)} naming ${named}`, () => {
      assert.throws(
        () => new RedisStore({ client, secret: SECRET, pool: false, legacy } as RedisStoreOptions),
        (error: Error & { code?: string }) => error instanceof TypeError && error.code === 'ERR_SEALED_OPTIONS' && error.message.includes(named),
      )
    })
  }

  it('legacy.until takes a Date, a date, or a date and time with a zone', () => {
    for (const value of [until, '2030-03-01', '2030-03-01T12:00:00Z', '2030-03-01T12:00:00.250+02:00']) {
      assert.doesNotThrow(() => ours({ legacy: { until: value, plaintext: true } }), String(value))
    }
  })

  it('keeps the old secret out of logs', () => {
    const reader = new LegacyReader(
      { plaintext: true, kruptein: { secret: OLD_SECRET, algorithm: 'aes-256-gcm', hashing: 'sha512', encodeas: 'hex' }, keyCache: 1, ...OPERATOR_RUN },
      100,
    )
    assert.ok(!JSON.stringify(reader).includes(OLD_SECRET))
    assert.ok(!String(loadCjs('node:util').inspect(reader)).includes(OLD_SECRET))
  })

  it('the key cache drops the least recently used key', () => {
    const cache = new KeyCache(2)
    cache.set('a', Buffer.from('1'))
    cache.set('b', Buffer.from('2'))
    assert.ok(cache.get('a'))
    cache.set('c', Buffer.from('3'))
    assert.equal(cache.get('b'), undefined)
    assert.ok(cache.get('a') && cache.get('c'))
    assert.equal(cache.size, 2)
    const none = new KeyCache(0)
    none.set('a', Buffer.from('1'))
    assert.equal(none.size, 0)
  })
})
