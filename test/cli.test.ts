import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { RedisStore as ConnectRedisStore } from 'connect-redis'
import session, { type SessionData, type Store } from 'express-session'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { freePort, startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { describeRecord } from '../src/cli/record-info.js'
import { connectRedis, type SessionRedis } from '../src/cli/session-redis.js'
import { RedisStore, type RedisStoreOptions } from '../src/index.js'
import { runCli, spawnCli } from './support/cli-process.js'

const OLD = 'old-secret-of-the-sealed-store-0123456789abcdef'
const NEW = 'new-secret-of-the-sealed-store-0123456789abcdef'
const LEGACY = 'the-connect-redis-crypto-secret'
type CryptoStoreClass = new (options: Record<string, unknown>) => Store
const CryptoStore = (createRequire(import.meta.url)('connect-redis-crypto') as (s: typeof session) => CryptoStoreClass)(session)


let redis: LocalRedis
let client: ReturnType<typeof createClient>
let ioredis: Redis
let cas: SessionRedis
let dir: string
const stores: RedisStore[] = []


const cli = runCli
const withRedisEnv = (env: Record<string, string> = {}) => ({ REDIS_URL: redis.url, ...env })

function store(options: Partial<RedisStoreOptions>): RedisStore {
  const s = new RedisStore({ client, secret: OLD, pool: false, ...options })
  stores.push(s)
  return s
}

function sample(user: string, extra: Record<string, unknown> = {}): SessionData {
  const expires = new Date(Date.now() + 3_600_000)
  return JSON.parse(JSON.stringify({ cookie: { originalMaxAge: 3_600_000, expires, httpOnly: true, path: '/' }, user, ...extra })) as SessionData
}

const raw = async (key: string): Promise<Buffer> => (await ioredis.getBuffer(key)) as Buffer

before(async () => {
  redis = await startRedis()
  client = createClient({ url: redis.url })
  await client.connect()
  ioredis = new Redis(redis.port, '127.0.0.1')
  cas = await connectRedis(redis.url)
  dir = mkdtempSync(join(tmpdir(), 'sealed-cli-'))
})

after(async () => {
  await Promise.all(stores.map((s) => s.close()))
  await cas.close()
  await client.close()
  ioredis.disconnect()
  await redis.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('cli: keygen, help, refused input', () => {
  it('keygen prints 32 fresh random bytes as base64url on stdout and how to use them on stderr', async () => {
    const [a, b] = await Promise.all([cli(['keygen']), cli(['keygen'])])
    for (const r of [a, b]) {
      assert.equal(r.code, 0)
      assert.match(r.stdout, /^[A-Za-z0-9_-]{43}\n$/)
      assert.equal(Buffer.from(r.stdout.trim(), 'base64url').length, 32)
      assert.match(r.stderr, /SESSION_STORE_SECRET/)
    }
    assert.notEqual(a.stdout, b.stdout)
  })

  it('a reader that closes the pipe early (| head) is no error', async () => {
    const { child, done } = spawnCli(['--help'])
    child.stdout?.destroy()
    const result = await done
    assert.equal(result.code, 0, result.stderr)
    assert.doesNotMatch(result.stderr, /EPIPE|Error/)
  })

  it('--help works for the program and each command', async () => {
    const expected: Record<string, RegExp> = {
      '': /keygen[\s\S]*inspect[\s\S]*rekey[\s\S]*migrate[\s\S]*stats/,
      keygen: /random secret/,
      inspect: /--legacy-secret-file[\s\S]*--header-only/,
      rekey: /--batch[\s\S]*--max-seal-age[\s\S]*--keep-expired[\s\S]*--dry-run[\s\S]*SESSION_STORE_SECRET/,
      migrate: /--legacy-encodeas[\s\S]*--plaintext[\s\S]*--trust-plaintext[\s\S]*--encodeas/,
      stats: /--prefix[\s\S]*--json/,
    }
    const results = await Promise.all(Object.keys(expected).map((c) => cli(c ? [c, '--help'] : ['--help'])))
    Object.values(expected).forEach((pattern, i) => {
      assert.equal(results[i]?.code, 0)
      assert.match(results[i]?.stdout ?? '', pattern)
    })
  })

  it('refuses a secret given on the command line, without echoing it', async () => {
    const attempts = [['stats', '--secret=hunter2-on-argv'], ['rekey', '--secret', 'hunter2-on-argv'], ['migrate', '--legacy-secret', 'hunter2-on-argv']]
    for (const r of await Promise.all(attempts.map((args) => cli(args, withRedisEnv())))) {
      assert.equal(r.code, 2)
      assert.match(r.stderr, /never taken from the command line/)
      assert.ok(!`${r.stdout}${r.stderr}`.includes('hunter2'))
    }
  })

  it('unknown commands and bad flags are usage errors', async () => {
    const [unknown, badBatch] = await Promise.all([cli(['frobnicate']), cli(['stats', '--batch', 'lots'], withRedisEnv())])
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /unknown command 'frobnicate'/)
    assert.equal(badBatch.code, 2)
    assert.match(badBatch.stderr, /--batch.*positive integer/)
  })

  it('missing Redis: no URL is a usage error, an unreachable one a clear failure', async () => {
    const port = await freePort()
    const [none, down] = await Promise.all([cli(['stats']), cli(['stats'], { REDIS_URL: `redis://:pw-in-url@127.0.0.1:${port}` })])
    assert.equal(none.code, 2)
    assert.match(none.stderr, /no Redis: give --url/)
    assert.equal(down.code, 1)
    assert.match(down.stderr, new RegExp(`cannot connect to Redis at redis://:\\*\\*\\*@127.0.0.1:${port}.*ECONNREFUSED`))
    assert.ok(!down.stderr.includes('pw-in-url'))
  })
})

describe('cli: inspect', () => {
  it('prints the header and the session', async () => {
    await store({ prefix: 'ins:' }).set('alice', sample('inspect-alice', { cart: [1, 2] }))
    const r = await cli(['inspect', 'alice', '--prefix', 'ins:', '--json'], withRedisEnv({ SESSION_STORE_SECRET: `${NEW},${OLD}` }))
    assert.equal(r.code, 0, r.stderr)
    const report = JSON.parse(r.stdout) as { session: { user: string; cart: number[] }; header: Record<string, unknown>; keyStatus: string; ttlMs: number }
    assert.equal(report.session.user, 'inspect-alice')
    assert.deepEqual(report.session.cart, [1, 2])
    assert.equal(report.header.algorithm, 'aes-256-gcm')
    assert.equal(report.header.version, 2)
    assert.equal(report.keyStatus, 'older')
    assert.ok(Math.abs(Date.parse(report.header.sealedAt as string) - Date.now()) < 60_000)
    assert.ok(report.ttlMs > 3_500_000 && report.ttlMs <= 3_600_000)
    const text = await cli(['inspect', 'alice', '--prefix', 'ins:'], withRedisEnv({ SESSION_STORE_SECRET: OLD }))
    assert.equal(text.code, 0)
    assert.match(text.stdout, /format: +sealed v2\nalgorithm: +aes-256-gcm\nkey id: +[0-9a-f]{8} \(current\)\nflags: +0x00/)
    assert.match(text.stdout, /"user": "inspect-alice"/)
  })

  it('unknown id, wrong secret, missing secret: clear messages and non-zero exits', async () => {
    await store({ prefix: 'ins:' }).set('bob', sample('inspect-bob'))
    const [unknown, wrong, missing, headerOnly] = await Promise.all([
      cli(['inspect', 'nobody', '--prefix', 'ins:'], withRedisEnv({ SESSION_STORE_SECRET: OLD })),
      cli(['inspect', 'bob', '--prefix', 'ins:'], withRedisEnv({ SESSION_STORE_SECRET: NEW })),
      cli(['inspect', 'bob', '--prefix', 'ins:'], withRedisEnv()),
      cli(['inspect', 'bob', '--prefix', 'ins:', '--header-only'], withRedisEnv()),
    ])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /no session "nobody": the key ins:nobody does not exist/)
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, /does not open \(key\)/)
    assert.ok(!wrong.stdout.includes('inspect-bob'))
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /no secret: set SESSION_STORE_SECRET/)
    assert.equal(headerOnly.code, 0)
    assert.match(headerOnly.stdout, /key id: +[0-9a-f]{8}\n/)
    assert.ok(!headerOnly.stdout.includes('inspect-bob'))
  })

  it('--secret-encoding decodes entries into the 32-byte Buffers the app passes', async () => {
    const key = Buffer.alloc(32, 7)
    await store({ prefix: 'ins:', secret: key }).set('raw', sample('inspect-raw'))
    const env = withRedisEnv({ SESSION_STORE_SECRET: key.toString('base64url') })
    const [decoded, asPassphrase, short] = await Promise.all([
      cli(['inspect', 'raw', '--prefix', 'ins:', '--secret-encoding', 'base64url', '--json'], env),
      cli(['inspect', 'raw', '--prefix', 'ins:'], env),
      cli(['inspect', 'raw', '--prefix', 'ins:', '--secret-encoding', 'hex'], env),
    ])
    assert.equal(decoded.code, 0, decoded.stderr)
    assert.equal((JSON.parse(decoded.stdout) as { session: { user: string } }).session.user, 'inspect-raw')
    assert.equal(asPassphrase.code, 1)
    assert.match(asPassphrase.stderr, /does not open \(key\)/)
    assert.equal(short.code, 2)
    assert.match(short.stderr, /secret entry 1 does not decode \(hex\) to 32 bytes/)
  })

  it('reads legacy records: plaintext as is, connect-redis-crypto with LEGACY_SECRET only', async () => {
    await new ConnectRedisStore({ client, prefix: 'ins:' }).set('plain', sample('inspect-plain'))
    await new Promise<void>((resolve, reject) =>
      new CryptoStore({ client: ioredis, secret: LEGACY, prefix: 'ins:', encodeas: 'hex' }).set('crypt', sample('inspect-crypt'), (e?: unknown) => (e ? reject(e) : resolve())),
    )
    const secretFile = join(dir, 'legacy-secret')
    writeFileSync(secretFile, `${LEGACY}\n`)
    const env = withRedisEnv({ SESSION_STORE_SECRET: OLD })
    const [plain, crypt, noLegacy, wrongLegacy] = await Promise.all([
      cli(['inspect', 'plain', '--prefix', 'ins:'], env),
      cli(['inspect', 'crypt', '--prefix', 'ins:', '--legacy-encodeas', 'hex', '--legacy-secret-file', secretFile, '--json'], env),
      cli(['inspect', 'crypt', '--prefix', 'ins:', '--legacy-encodeas', 'hex'], env),
      cli(['inspect', 'crypt', '--prefix', 'ins:', '--legacy-encodeas', 'hex'], { ...env, LEGACY_SECRET: 'not-it' }),
    ])
    assert.equal(plain.code, 0, plain.stderr)
    assert.match(plain.stdout, /legacy \(connect-redis plaintext JSON\)[\s\S]*"user": "inspect-plain"/)
    assert.equal(crypt.code, 0, crypt.stderr)
    assert.equal((JSON.parse(crypt.stdout) as { session: { user: string } }).session.user, 'inspect-crypt')
    assert.equal(noLegacy.code, 2)
    assert.match(noLegacy.stderr, /set LEGACY_SECRET/)
    assert.equal(wrongLegacy.code, 1)
    assert.match(wrongLegacy.stderr, /does not open \(legacy\)/)
  })
})

describe('cli: stats', () => {
  it('counts records by format, key id, algorithm, encoding, compression and size', async () => {
    const prefix = 'st:'
    await store({ prefix }).set('a', sample('s-a'))
    await store({ prefix, encodeas: 'hex' }).set('b', sample('s-b'))
    await store({ prefix, secret: NEW, compress: { minBytes: 0 } }).set('c', sample('s-c', { big: 'y'.repeat(3000) }))
    await store({ prefix, secret: 'a-secret-nobody-configured-0123456789' }).set('d', sample('s-d'))
    await new ConnectRedisStore({ client, prefix }).set('e', sample('s-e', { blob: 'z'.repeat(5000) }))
    await new Promise<void>((resolve, reject) => new CryptoStore({ client: ioredis, secret: LEGACY, prefix }).set('f', sample('s-f'), (e?: unknown) => (e ? reject(e) : resolve())))
    await client.set(`${prefix}g`, 'not a session')
    await client.hSet(`${prefix}h`, 'field', 'a hash under the prefix')
    const r = await cli(['stats', '--prefix', prefix, '--json', '--batch', '2'], withRedisEnv({ SESSION_STORE_SECRET: `${NEW},${OLD}` }))
    assert.equal(r.code, 0, r.stderr)
    const s = JSON.parse(r.stdout) as Record<string, Record<string, unknown>> & { total: number; legacy: number }
    assert.equal(s.total, 8)
    assert.equal(s.legacy, 2)
    assert.deepEqual(s.formats, { 'sealed v2': 4, 'legacy plaintext': 1, 'legacy connect-redis-crypto': 1, unknown: 1, 'not a string': 1 })
    const statuses = Object.values(s.keyIds as Record<string, { count: number; status: string }>).map((k) => `${k.status}:${k.count}`).sort()
    assert.deepEqual(statuses, ['current:1', 'older:2', 'unknown:1'])
    assert.deepEqual(s.encodings, { binary: 3, hex: 1 })
    assert.deepEqual(s.compression, { none: 3, gzip: 1 })
    assert.equal(s.sizes?.['<= 1 KiB'], 5)
    assert.equal(s.sizes?.['<= 16 KiB'], 1)
    const text = await cli(['stats', '--prefix', prefix], withRedisEnv())
    assert.equal(text.code, 0)
    assert.match(text.stdout, /records under "st:": 8/)
    const hash = await cli(['inspect', 'h', '--prefix', prefix, '--header-only'], withRedisEnv())
    assert.equal(hash.code, 1)
    assert.match(hash.stderr, /st:h cannot be read as a session: WRONGTYPE/)
    assert.match(text.stdout, /[0-9a-f]{8} \(no secret given\)/)
    assert.match(text.stdout, /2 legacy record\(s\) left/)
  })
})

describe('cli: rekey', () => {
  it('re-seals under the newest key, keeps TTL, cipher, encoding and compression; a re-run does nothing', async () => {
    const prefix = 'rk:'
    await store({ prefix }).set('plain', sample('rk-1'))
    await store({ prefix, encodeas: 'hex', algorithm: 'aes-256-cbc' }).set('hex', sample('rk-2'))
    await store({ prefix, compress: { algorithm: 'brotli', minBytes: 0 } }).set('brotli', sample('rk-3', { big: 'q'.repeat(4000) }))
    await store({ prefix, disableTTL: true }).set('forever', sample('rk-4'))
    await new ConnectRedisStore({ client, prefix }).set('legacy', sample('rk-5'))
    const before = await Promise.all(['plain', 'hex', 'brotli'].map((id) => ioredis.pttl(prefix + id)))
    const env = withRedisEnv({ SESSION_STORE_SECRET: `${NEW},${OLD}` })

    const dry = await cli(['rekey', '--prefix', prefix, '--json', '--dry-run'], env)
    assert.equal(dry.code, 0, dry.stderr)
    assert.equal((JSON.parse(dry.stdout) as { resealed: number }).resealed, 4)
    assert.equal(describeRecord(await raw(`${prefix}plain`)).format, 'sealed')
    assert.equal(store({ prefix }).stats().openedWithOldKey, 0)

    const first = await cli(['rekey', '--prefix', prefix, '--json', '--batch', '2'], env)
    assert.equal(first.code, 0, first.stderr)
    assert.deepEqual(JSON.parse(first.stdout), {
      command: 'rekey', dryRun: false, interrupted: false, scanned: 5, resealed: 4, current: 0, changed: 0, vanished: 0, unreadable: 0, 'other-format': 1, expired: 0, 'expired-kept': 0, reasons: {},
    })
    const reader = store({ prefix, secret: NEW })
    for (const [id, user] of [['plain', 'rk-1'], ['hex', 'rk-2'], ['brotli', 'rk-3'], ['forever', 'rk-4']]) {
      assert.equal(((await reader.get(id as string)) as unknown as { user: string }).user, user)
    }
    assert.equal(reader.stats().openedWithOldKey, 0)
    const info = (id: string) => raw(prefix + id).then((v) => describeRecord(v))
    const hex = await info('hex')
    assert.ok(hex.format === 'sealed' && hex.header.encoding === 'hex' && hex.header.algorithm === 'aes-256-cbc+hmac-sha512')
    const brotli = await info('brotli')
    assert.ok(brotli.format === 'sealed' && brotli.header.compression === 'brotli')
    const afterTtl = await Promise.all(['plain', 'hex', 'brotli'].map((id) => ioredis.pttl(prefix + id)))
    afterTtl.forEach((ttl, i) => assert.ok(ttl > 0 && ttl <= (before[i] as number) && (before[i] as number) - ttl < 30_000, `TTL kept: ${before[i]} → ${ttl}`))
    assert.equal(await ioredis.pttl(`${prefix}forever`), -1)
    assert.equal((await raw(`${prefix}legacy`))[0], 0x7b)

    const again = await cli(['rekey', '--prefix', prefix, '--json'], env)
    assert.equal(again.code, 0)
    assert.deepEqual([JSON.parse(again.stdout).resealed, JSON.parse(again.stdout).current], [0, 4])
  })

  it('with a wrong secret it leaves everything alone and exits 1', async () => {
    const prefix = 'rkw:'
    await store({ prefix }).set('x', sample('rkw'))
    const stored = await raw(`${prefix}x`)
    const r = await cli(['rekey', '--prefix', prefix], withRedisEnv({ SESSION_STORE_SECRET: 'wrong-secret-wrong-secret-wrong-secret' }))
    assert.equal(r.code, 1)
    assert.match(r.stderr, /1 record\(s\) did not open with the given secret\(s\)/)
    assert.match(r.stdout, /do not open \(left alone\): 1 \{"key":1\}/)
    assert.deepEqual(await raw(`${prefix}x`), stored)
  })

  it('is safe to interrupt (SIGINT) and re-run', async () => {
    const prefix = 'rki:'
    const s = store({ prefix })
    const total = 3000
    for (let i = 0; i < total; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => s.set(`s${i + j}`, sample(`u${i + j}`))))
    }
    const env = withRedisEnv({ SESSION_STORE_SECRET: `${NEW},${OLD}` })
    const { child, done } = spawnCli(['rekey', '--prefix', prefix, '--json', '--batch', '10'], env)
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        if (chunk.toString().includes('rekey: scanning')) {
          child.stderr?.off('data', onData)
          resolve()
        }
      }
      child.stderr?.on('data', onData)
    })
    child.kill('SIGINT')
    const first = await done
    assert.equal(first.code, 130, first.stderr)
    assert.match(first.stderr, /interrupted; run it again/)
    const firstSummary = JSON.parse(first.stdout) as { resealed: number; interrupted: boolean }
    assert.equal(firstSummary.interrupted, true)
    assert.ok(firstSummary.resealed < total)
    const second = await cli(['rekey', '--prefix', prefix, '--json'], env)
    assert.equal(second.code, 0, second.stderr)
    const secondSummary = JSON.parse(second.stdout) as { resealed: number; current: number }
    assert.equal(firstSummary.resealed + secondSummary.resealed, total)
    assert.equal(secondSummary.current, firstSummary.resealed)
  })
})

describe('cli: migrate', () => {
  it('seals connect-redis and connect-redis-crypto records in place, keeping TTLs', async () => {
    const prefix = 'mg:'
    await new ConnectRedisStore({ client, prefix }).set('plain', sample('mg-plain'))
    await new Promise<void>((resolve, reject) =>
      new CryptoStore({ client: ioredis, secret: LEGACY, prefix }).set('crypt', sample('mg-crypt'), (e?: unknown) => (e ? reject(e) : resolve())),
    )
    await store({ prefix }).set('sealed', sample('mg-sealed'))
    const ttls = await Promise.all(['plain', 'crypt'].map((id) => ioredis.pttl(prefix + id)))
    const env = withRedisEnv({ SESSION_STORE_SECRET: OLD })

    const nothing = await cli(['migrate', '--prefix', prefix], env)
    assert.equal(nothing.code, 2)
    assert.match(nothing.stderr, /nothing to migrate/)
    const wrong = await cli(['migrate', '--prefix', prefix, '--json'], { ...env, LEGACY_SECRET: 'not-the-legacy-secret' })
    assert.equal(wrong.code, 1)
    assert.deepEqual((JSON.parse(wrong.stdout) as { reasons: object }).reasons, { legacy: 1 })

    const r = await cli(['migrate', '--prefix', prefix, '--plaintext', '--trust-plaintext', '--encodeas', 'base64url', '--json'], { ...env, LEGACY_SECRET: LEGACY })
    assert.equal(r.code, 0, r.stderr)
    const summary = JSON.parse(r.stdout) as Record<string, number>
    assert.deepEqual([summary.resealed, summary.current, summary.unreadable], [2, 1, 0])
    const reader = store({ prefix })
    for (const [id, user] of [['plain', 'mg-plain'], ['crypt', 'mg-crypt'], ['sealed', 'mg-sealed']]) {
      assert.equal(((await reader.get(id as string)) as unknown as { user: string }).user, user)
      const stored = await raw(prefix + id)
      assert.ok(!stored.includes(user as string))
    }
    assert.equal(reader.stats().legacyOpened, 0)
    const plainInfo = describeRecord(await raw(`${prefix}plain`))
    assert.ok(plainInfo.format === 'sealed' && plainInfo.header.encoding.startsWith('base64'))
    const after = await Promise.all(['plain', 'crypt'].map((id) => ioredis.pttl(prefix + id)))
    after.forEach((ttl, i) => assert.ok(ttl > 0 && (ttls[i] as number) - ttl < 30_000))

    const again = await cli(['migrate', '--prefix', prefix, '--plaintext', '--trust-plaintext', '--json'], { ...env, LEGACY_SECRET: LEGACY })
    assert.equal((JSON.parse(again.stdout) as { resealed: number }).resealed, 0)
  })
})

describe('cli: compare-and-set', () => {
  it('replaces only an unchanged value and carries the TTL over', async () => {
    await client.set('cas:a', 'v1', { expiration: { type: 'PX', value: 50_000 } })
    await client.set('cas:b', 'v1')
    assert.equal(await cas.replaceIfUnchanged('cas:a', Buffer.from('v0'), 'v2'), false)
    assert.equal(await client.get('cas:a'), 'v1')
    assert.equal(await cas.replaceIfUnchanged('cas:a', Buffer.from('v1'), Buffer.from('v2')), true)
    assert.equal(await client.get('cas:a'), 'v2')
    const ttl = await client.pTTL('cas:a')
    assert.ok(ttl > 40_000 && ttl <= 50_000, String(ttl))
    assert.equal(await cas.replaceIfUnchanged('cas:b', Buffer.from('v1'), 'v2'), true)
    assert.equal(await client.pTTL('cas:b'), -1)
    assert.equal(await cas.replaceIfUnchanged('cas:missing', Buffer.from('v1'), 'v2'), false)
    assert.equal(await client.exists('cas:missing'), 0)
  })
})
