/**
 * A sealed session whose JSON carries `__proto__`, `constructor` or `prototype` keys (say, an
 * app that copied user input into the session) must come back as plain data: no prototype is
 * changed, neither Object.prototype nor the session's own.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import { schemeFor } from '../../src/codec/format.js'
import { KeyRing } from '../../src/codec/keyring.js'
import { seal } from '../../src/codec/seal.js'
import { RedisStore } from '../../src/index.js'
import { deriveMasterKeys } from '../../src/codec/secrets.js'
import { rawClient } from './clients.js'
import { send, startApp } from './http-app.js'

const SECRET = Buffer.alloc(32, 0x5f)
const COOKIE = '"cookie":{"originalMaxAge":3600000,"path":"/","httpOnly":true}'
const HOSTILE = [
  `{${COOKIE},"user":"eve","__proto__":{"polluted":"yes","user":"admin"}}`,
  `{${COOKIE},"user":"eve","constructor":{"prototype":{"polluted":"yes"}}}`,
  `{${COOKIE},"user":"eve","prototype":{"polluted":"yes"}}`,
  `{${COOKIE},"user":"eve","nested":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}}`,
  `{${COOKIE},"user":"eve","list":[{"__proto__":{"polluted":"yes"}}],"__proto__":[1,2]}`,
]

let redis: LocalRedis
let raw: Awaited<ReturnType<typeof rawClient>>
let ring: KeyRing
let store: RedisStore
before(async () => {
  redis = await startRedis()
  raw = await rawClient(redis.port)
  ring = new KeyRing(await deriveMasterKeys([SECRET]))
  store = new RedisStore({ client: raw, secret: SECRET, pool: { maxThreads: 1 }, offloadThreshold: 0 })
})
after(async () => {
  await store.close()
  raw.destroy()
  await redis.stop()
})

async function writeSealed(sid: string, json: string): Promise<void> {
  const value = seal(Buffer.from(json), `sess:${sid}`, ring, { scheme: schemeFor('aes-256-gcm', 'sha512'), encoding: 'binary', compression: undefined })
  await raw.set(`sess:${sid}`, value as Buffer)
}

function assertNoPollution(): void {
  const probe: Record<string, unknown> = {}
  assert.equal(probe.polluted, undefined)
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false)
  assert.equal(probe.constructor, Object)
  assert.deepEqual(Object.keys(Object.prototype), [])
}

test('get() and all() return hostile keys as own data and pollute no prototype', async () => {
  for (const [i, json] of HOSTILE.entries()) await writeSealed(`p${i}`, json)
  for (const [i, json] of HOSTILE.entries()) {
    const got = (await store.get(`p${i}`)) as unknown as Record<string, unknown>
    assert.ok(got, `record ${i} opened`)
    assert.equal(Object.getPrototypeOf(got), Object.prototype, 'the session keeps the plain object prototype')
    assert.equal(got.user, 'eve', 'an own "__proto__" key does not shadow fields through the prototype chain')
    assert.equal(got.polluted, undefined)
    assert.deepEqual(JSON.parse(JSON.stringify(got)), JSON.parse(json), 'the hostile keys come back as plain own data')
    assertNoPollution()
  }
  const all = (await store.all()) ?? []
  assert.equal(all.length, HOSTILE.length)
  for (const s of all) assert.equal(Object.getPrototypeOf(s), Object.prototype)
  assert.ok(store.stats().pooled > 0, 'the opens ran on the worker pool (the JSON is parsed on the main thread)')
  assertNoPollution()
})

test('through express-session: the hostile session loads, the route sees plain data and Object.prototype stays clean', async (t) => {
  const app = await startApp(store)
  t.after(() => app.close())
  const login = await send(app.port, 'POST', '/login?user=eve')
  assert.ok(login !== 'hung' && login.cookie)
  const sid = decodeURIComponent(login.cookie.split('=')[1] as string).slice(2).split('.')[0] as string
  for (const json of HOSTILE) {
    await writeSealed(sid, json)
    const probe = await send(app.port, 'GET', '/probe', login.cookie)
    assert.ok(probe !== 'hung' && probe.status === 200, 'the request is served')
    assert.deepEqual(JSON.parse(probe.body), { user: 'eve', polluted: null, objectPrototypeClean: true })
    assertNoPollution()
  }
  assert.deepEqual(app.errors, [])
})
