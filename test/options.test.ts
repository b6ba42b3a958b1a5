/** Every bad option is a TypeError with code ERR_SEALED_OPTIONS whose message names the option. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createSealedPool, RedisStore, SealedOptionsError, type RedisStoreOptions } from '../src/index.js'
import { useClient, useRedis } from './support/redis.js'
import { SECRET_A, SECRET_B, StoreTracker, uniquePrefix } from './support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

/** Constructing with `options` (over a valid client and secret unless given) throws the named option error. */
function rejects(options: Record<string, unknown>, option: string, also?: RegExp, base: Record<string, unknown> = {}): void {
  const full: Record<string, unknown> = { client: connection.client, secret: SECRET_A, pool: false, ...base, ...options }
  for (const key of Object.keys(full)) if (full[key] === DROP) delete full[key]
  assert.throws(
    () => new RedisStore(full as unknown as RedisStoreOptions),
    (error: unknown) => {
      assert.ok(error instanceof TypeError, 'a TypeError')
      assert.ok(error instanceof SealedOptionsError, 'a SealedOptionsError')
      assert.equal((error as SealedOptionsError).code, 'ERR_SEALED_OPTIONS')
      assert.ok(error.message.includes(`"${option}"`), `message names "${option}": ${error.message}`)
      if (also) assert.match(error.message, also)
      return true
    },
  )
}

/** Marks an option to leave out entirely. */
const DROP = Symbol('drop')

describe('client and url', () => {
  it('both given', () => rejects({ url: 'redis://127.0.0.1:1' }, 'client', /"url"/))
  it('neither given', () => rejects({ client: DROP }, 'client', /"url"/))
  it('client is not an object', () => rejects({ client: 'redis://127.0.0.1:1' }, 'client'))
  it('client is null', () => rejects({ client: null }, 'client'))
  it('client is an object that is neither node-redis nor ioredis', () => rejects({ client: { get() {}, set() {} } }, 'client', /node-redis|ioredis/))
  it('url is not a string', () => rejects({ client: DROP, url: 6379 }, 'url'))
  it('options is not an object', () => {
    assert.throws(() => new RedisStore(undefined as unknown as RedisStoreOptions), { code: 'ERR_SEALED_OPTIONS', name: 'TypeError', message: /"options"/ })
    assert.throws(() => new RedisStore([] as unknown as RedisStoreOptions), { code: 'ERR_SEALED_OPTIONS', message: /"options"/ })
  })
})

describe('names', () => {
  it('an unknown option is reported by name, with the known ones listed', () => rejects({ ttll: 60 }, 'ttll', /known: .*ttl/))
  it('a misspelled camel-case option is reported', () => rejects({ disableTtl: true }, 'disableTtl'))
})

describe('ttl, prefix, scanCount, flags', () => {
  for (const ttl of [0, -1, 1.5, 'x', Number.NaN, Number.POSITIVE_INFINITY, null]) {
    it(`ttl ${String(ttl)}`, () => rejects({ ttl }, 'ttl'))
  }
  for (const prefix of [5, null, ['sess:'], Buffer.from('sess:')]) {
    it(`prefix ${typeof prefix === 'object' ? JSON.stringify(prefix) : String(prefix)}`, () => rejects({ prefix }, 'prefix'))
  }
  for (const scanCount of [0, -10, 1.5, '100']) {
    it(`scanCount ${JSON.stringify(scanCount)}`, () => rejects({ scanCount }, 'scanCount'))
  }
  it('disableTTL not a boolean', () => rejects({ disableTTL: 'yes' }, 'disableTTL'))
  it('disableTouch not a boolean', () => rejects({ disableTouch: 1 }, 'disableTouch'))
})

describe('secret', () => {
  it('missing', () => rejects({ secret: DROP }, 'secret', /required/))
  it('empty string', () => rejects({ secret: '' }, 'secret'))
  it('empty array', () => rejects({ secret: [] }, 'secret'))
  it('a 16-byte Buffer', () => rejects({ secret: Buffer.alloc(16, 1) }, 'secret', /32 bytes/))
  it('a 33-byte Buffer', () => rejects({ secret: Buffer.alloc(33, 1) }, 'secret', /32 bytes/))
  it('a number', () => rejects({ secret: 42 }, 'secret'))
  it('an object', () => rejects({ secret: { key: 'x' } }, 'secret'))
  it('a bad entry in a list is named by its index', () => rejects({ secret: [SECRET_A, 42] }, 'secret[1]'))
  it('a short Buffer in a list is named by its index', () => rejects({ secret: [SECRET_A, SECRET_B, Buffer.alloc(31)] }, 'secret[2]'))
  it('the same Buffer twice', () => rejects({ secret: [SECRET_A, Buffer.from(SECRET_A)] }, 'secret', /twice/))
  it('the same passphrase twice, without echoing it', () => {
    const passphrase = 'the very same passphrase, listed two times over'
    rejects({ secret: [passphrase, passphrase] }, 'secret', /twice/)
    assert.throws(
      () => new RedisStore({ client: connection.client, pool: false, secret: [passphrase, passphrase] }),
      (error: Error) => !error.message.includes(passphrase),
    )
  })
})

describe('algorithm, hashing, encodeas', () => {
  const listsAll = (names: string[]) => new RegExp(names.map((n) => `(?=.*"${n}")`).join(''))
  it('algorithm not allowed: the message lists the allowed values', () =>
    rejects({ algorithm: 'aes-128-gcm' }, 'algorithm', listsAll(['aes-256-gcm', 'chacha20-poly1305', 'aes-256-cbc', 'aes-256-ctr'])))
  it('algorithm in the wrong case', () => rejects({ algorithm: 'AES-256-GCM' }, 'algorithm'))
  it('algorithm not a string', () => rejects({ algorithm: 256 }, 'algorithm'))
  it('hashing not allowed', () => rejects({ algorithm: 'aes-256-cbc', hashing: 'md5' }, 'hashing', listsAll(['sha256', 'sha384', 'sha512'])))
  it('hashing is checked even with an AEAD algorithm', () => rejects({ hashing: 'sha1' }, 'hashing'))
  it('encodeas not allowed', () => rejects({ encodeas: 'utf8' }, 'encodeas', listsAll(['binary', 'base64', 'base64url', 'hex'])))
})

describe('compress', () => {
  it('not an object', () => rejects({ compress: 'gzip' }, 'compress'))
  it('unknown algorithm', () => rejects({ compress: { algorithm: 'lz4' } }, 'compress.algorithm', /"gzip".*"brotli"/))
  it('gzip level out of range', () => rejects({ compress: { algorithm: 'gzip', level: 10 } }, 'compress.level', /1 and 9/))
  it('brotli level out of range', () => rejects({ compress: { algorithm: 'brotli', level: 12 } }, 'compress.level', /0 and 11/))
  it('negative minBytes', () => rejects({ compress: { minBytes: -1 } }, 'compress.minBytes'))
  it('unknown sub-option', () => rejects({ compress: { minBytez: 10 } }, 'compress.minBytez'))
})

describe('sizes, pool, hooks, serializer', () => {
  for (const maxSessionBytes of [0, -1, 1.5, '1mb']) {
    it(`maxSessionBytes ${JSON.stringify(maxSessionBytes)}`, () => rejects({ maxSessionBytes }, 'maxSessionBytes'))
  }
  for (const offloadThreshold of [-1, 0.5, 'big']) {
    it(`offloadThreshold ${JSON.stringify(offloadThreshold)}`, () => rejects({ offloadThreshold }, 'offloadThreshold'))
  }
  it('pool not a boolean or object', () => rejects({ pool: 'yes' }, 'pool'))
  it('pool an object that is not settings or a sealed pool', () => rejects({ pool: new Date() }, 'pool'))
  it('pool.maxThreads 0', () => rejects({ pool: { maxThreads: 0 } }, 'pool.maxThreads'))
  it('pool.minThreads above maxThreads', () => rejects({ pool: { minThreads: 3, maxThreads: 2 } }, 'pool.minThreads'))
  it('pool.idleTimeout negative', () => rejects({ pool: { idleTimeout: -1 } }, 'pool.idleTimeout'))
  it('pool.maxQueue fractional', () => rejects({ pool: { maxQueue: 1.5 } }, 'pool.maxQueue'))
  it('pool.taskTimeout 0', () => rejects({ pool: { taskTimeout: 0 } }, 'pool.taskTimeout'))
  it('pool unknown sub-option', () => rejects({ pool: { threads: 2 } }, 'pool.threads'))
  for (const timeout of [0, -1, 2.5, '5s']) {
    it(`timeout ${JSON.stringify(timeout)}`, () => rejects({ timeout }, 'timeout'))
  }
  describe('timers above 2^31 - 1 ms (Node would fire them after 1 ms)', () => {
    const tooLong = /at most 2147483647 ms/
    it('timeout', () => rejects({ timeout: 2 ** 31 }, 'timeout', tooLong))
    it('pool.taskTimeout', () => rejects({ pool: { taskTimeout: 2 ** 31 } }, 'pool.taskTimeout', tooLong))
    it('pool.idleTimeout', () => rejects({ pool: { idleTimeout: 2 ** 31 } }, 'pool.idleTimeout', tooLong))
    it('durability.timeout', () => rejects({ durability: { replicas: 1, timeout: 2 ** 31 } }, 'durability.timeout', tooLong))
    it('createSealedPool({ taskTimeout })', () => {
      assert.throws(() => createSealedPool({ taskTimeout: 2 ** 40 }), (e: Error) => e instanceof SealedOptionsError && e.message.includes('"pool.taskTimeout"'))
    })
    it('2^31 - 1 itself is accepted', async () => {
      const store = stores.create({ client: connection.client, timeout: 2 ** 31 - 1 })
      assert.equal(await store.get('nobody'), null)
      const pool = createSealedPool({ taskTimeout: 2 ** 31 - 1, idleTimeout: 2 ** 31 - 1 })
      await pool.destroy()
    })
  })
  for (const maxSealAge of [0, -60, 1.5, '1h', null]) {
    it(`maxSealAge ${JSON.stringify(maxSealAge)}`, () => rejects({ maxSealAge }, 'maxSealAge'))
  }
  it('onSealError not a function', () => rejects({ onSealError: 'log' }, 'onSealError'))
  it('serializer without parse', () => rejects({ serializer: { stringify: JSON.stringify } }, 'serializer'))
  it('serializer without stringify', () => rejects({ serializer: { parse: JSON.parse } }, 'serializer'))
  it('serializer not an object', () => rejects({ serializer: 'json' }, 'serializer'))
})

describe('valid options are accepted', () => {
  it('every option at a valid value', async () => {
    const store = stores.create({
      client: connection.client,
      prefix: '',
      ttl: 1,
      disableTTL: false,
      disableTouch: true,
      serializer: { stringify: JSON.stringify, parse: JSON.parse },
      scanCount: 1,
      secret: [SECRET_A, SECRET_B],
      algorithm: 'aes-256-ctr',
      hashing: 'sha384',
      encodeas: 'base64url',
      compress: { algorithm: 'brotli', minBytes: 0, level: 11 },
      maxSessionBytes: 1,
      pool: false,
      offloadThreshold: 0,
      timeout: 2000,
      maxSealAge: 1,
      destroyGuard: 1,
      legacy: { plaintext: true, connectRedisCrypto: { secret: 'old secret', algorithm: 'aes-256-cbc', hashing: 'sha256', encodeas: 'hex', keyCache: 0, derivationsPerSecond: 1 }, until: '2100-01-01' },
      metrics: false,
      onSealError: () => {},
    })
    assert.equal(await store.length(), 0)
  })
  it('url instead of client, with a shared pool', async () => {
    const pool = createSealedPool({ minThreads: 0, maxThreads: 1, idleTimeout: 0, maxQueue: 0, taskTimeout: 1 })
    const store = new RedisStore({ url: redis.url, secret: SECRET_A, pool, prefix: uniquePrefix('url') })
    try {
      assert.equal(await store.length(), 0)
    } finally {
      await store.close()
      await pool.destroy()
    }
  })
})

describe('error messages do not echo long strings', () => {
  it('a secret pasted into algorithm is described, not quoted', () => {
    const pasted = 'correct horse battery staple, a passphrase'
    rejects({ algorithm: pasted }, 'algorithm', new RegExp(`a string of ${pasted.length} characters`))
    assert.throws(() => new RedisStore({ client: connection.client, secret: SECRET_A, algorithm: pasted } as unknown as RedisStoreOptions), (error: Error) => !error.message.includes('horse'))
  })
  it('a short wrong value is quoted back to help fix a typo', () => rejects({ encodeas: 'hexa' }, 'encodeas', /"hexa"/))
})
