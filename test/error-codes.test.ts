/** One error hierarchy: every error the API throws carries a code, the README lists each code, and each is hit by a test. */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createSealedPool, RedisStore, SealedError, SealedOptionsError, type RedisStoreOptions } from '../src/index.js'
import { SEALED_ERROR_CODES } from '../src/errors.js'
import { workerFile } from '../src/dispatch/pool.js'
import { ownClient } from '../src/redis/client.js'
import { useClient, useRedis } from './support/redis.js'
import { SECRET_A, sessionWith, StoreTracker, uniquePrefix } from './support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

const TEST_DIR = new URL('.', import.meta.url).pathname

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? testFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  )
}

describe('the hierarchy', () => {
  it('an options error is a TypeError, a SealedError, and carries ERR_SEALED_OPTIONS', () => {
    assert.throws(
      () => new RedisStore({ client: connection.client, secret: SECRET_A, scanCount: 0 }),
      (error: unknown) => {
        assert.ok(error instanceof TypeError)
        assert.ok(error instanceof SealedOptionsError)
        assert.ok(error instanceof SealedError, 'recognisable as ours')
        assert.equal((error as Error).name, 'TypeError')
        assert.equal((error as SealedOptionsError).code, 'ERR_SEALED_OPTIONS')
        return true
      },
    )
  })

  it('a run-time SealedError is not taken for an options error, and foreign errors are not ours', () => {
    const runtime = new SealedError('ERR_SEALED_CLOSED', 'closed')
    assert.ok(runtime instanceof SealedError)
    assert.ok(!(runtime instanceof SealedOptionsError))
    assert.ok(!(runtime instanceof TypeError))
    assert.ok(!(new TypeError('x') instanceof SealedError))
    assert.ok(!(Object.assign(new Error('x'), { code: 'ERR_SEALED_CLOSED' }) instanceof SealedError), 'a look-alike code is not enough')
    assert.ok(!((null as unknown as object) instanceof SealedError))
  })

  it('the brand is not an enumerable field (errors serialise as before)', () => {
    const error = new SealedOptionsError('ttl', 'is wrong')
    assert.deepEqual(Object.keys(error).sort(), ['code', 'name'])
    assert.deepEqual(JSON.parse(JSON.stringify(new SealedError('ERR_SEALED_TIMEOUT', 'slow'))), { name: 'SealedError', code: 'ERR_SEALED_TIMEOUT' })
  })
})

describe('codes at their throw sites', () => {
  it('a ttl function returning a non-number: ERR_SEALED_OPTIONS naming "ttl", to the promise and the callback', async () => {
    const store = stores.create({ client: connection.client, prefix: uniquePrefix('errcodes'), ttl: () => Number.NaN })
    const check = (error: unknown) => error instanceof SealedOptionsError && error.code === 'ERR_SEALED_OPTIONS' && /option "ttl"/.test(error.message)
    await assert.rejects(store.set('a', sessionWith()), check)
    await assert.rejects(store.touch('a', sessionWith()), check)
    const viaCallback = await new Promise<unknown>((resolve) => void store.set('a', sessionWith(), resolve))
    assert.ok(check(viaCallback))
  })

  it('a missing worker module: ERR_SEALED_WORKER_MISSING', () => {
    assert.throws(() => workerFile('file:///nonexistent/connect-redis-sealed/dist/index.js'), { name: 'SealedError', code: 'ERR_SEALED_WORKER_MISSING', message: /worker module not found/ })
    assert.match(workerFile(), /seal-worker\.(ts|js|cjs)$/)
  })

  it('option "url" without the redis package: ERR_SEALED_CLIENT', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 'redis'"), { code: 'MODULE_NOT_FOUND' })
    }
    assert.throws(() => ownClient('redis://127.0.0.1:1', missing), { name: 'SealedError', code: 'ERR_SEALED_CLIENT', message: /npm install redis/ })
  })

  it('a shared pool whose key registry is full: ERR_SEALED_POOL_FULL on the store that does not fit, the others keep working', async () => {
    const pool = createSealedPool({ minThreads: 0, maxThreads: 1 })
    const opened: RedisStore[] = []
    const prefix = uniquePrefix('errcodes')
    try {
      let failure: unknown
      while (failure === undefined && opened.length < 20_000) {
        const store = new RedisStore({ client: connection.client, secret: Buffer.alloc(32, opened.length % 251), prefix, pool } as RedisStoreOptions)
        opened.push(store)
        failure = await store.length().then(() => undefined, (error: unknown) => error)
      }
      assert.ok(failure instanceof SealedError, `a store failed (after ${opened.length})`)
      assert.equal(failure.code, 'ERR_SEALED_POOL_FULL')
      assert.equal(await opened[0]?.length(), 0, 'the first store still answers')
    } finally {
      await Promise.all(opened.map((s) => s.close()))
      await pool.destroy()
    }
  })
})

describe('the list of codes', () => {
  it('the README lists exactly the codes the package defines', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const section = readme.split(/^## /m).find((part) => part.startsWith('Methods and stats\n')) ?? ''
    const listed = new Set(section.match(/ERR_SEALED_[A-Z_]+/g))
    assert.deepEqual([...listed].sort(), [...SEALED_ERROR_CODES].sort())
  })

  it('every code is asserted by some test', () => {
    const sources = testFiles(TEST_DIR).map((file) => readFileSync(file, 'utf8'))
    for (const code of SEALED_ERROR_CODES) {
      assert.ok(sources.some((text) => text.includes(`'${code}'`)), `${code} appears in a test assertion`)
    }
  })
})
