/**
 * CLIENT KILL from a second connection during a stream of writes: a write may fail, but every
 * write the store acknowledged is readable afterwards.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SessionData } from 'express-session'
import { ask, startRedis } from '../../scripts/local-redis.js'
import { RedisStore } from '../../src/index.js'
import { CLIENT_KINDS, connectClient, watchUnhandledRejections } from './clients.js'
import { waitFor } from '../support/sessions.js'

const rejections = watchUnhandledRejections()
const WRITERS = 12
const KILLS = 6

function sessionFor(sid: string, n: number): SessionData {
  return { cookie: { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000) }, sid, n, pad: 'p'.repeat(n % 700) } as unknown as SessionData
}

for (const kind of CLIENT_KINDS) {
  test(`${kind}: CLIENT KILL during a stream of writes loses no acknowledged write`, async (t) => {
    const redis = await startRedis()
    const client = await connectClient(kind, redis.port)
    const store = new RedisStore({ client: client.client, secret: Buffer.alloc(32, 7), timeout: 2000, pool: false })
    t.after(async () => {
      await store.close()
      await client.close()
      await redis.stop()
    })

    const acknowledged = new Map<string, SessionData>()
    let failed = 0
    let stopping = false
    const writer = async (w: number) => {
      for (let n = 0; !stopping && n < 20_000; n++) {
        const sid = `w${w}-${n}`
        const session = sessionFor(sid, n)
        try {
          await store.set(sid, session)
          acknowledged.set(sid, session)
        } catch {
          failed++
        }
      }
    }
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w))

    let killed = 0
    let faults = 0
    for (let k = 0; k < KILLS; k++) {
      const target = acknowledged.size + 60
      await waitFor(() => acknowledged.size >= target, `${target} acknowledged writes`, 15_000)
      const reply = await ask(redis.port, 'CLIENT KILL TYPE normal')
      faults++
      killed += Number(reply.slice(1))
    }
    const target = acknowledged.size + 60
    await waitFor(() => acknowledged.size >= target, 'writes flow again after the last kill', 15_000)
    stopping = true
    await Promise.all(writers)

    let lost = 0
    for (const [sid, session] of acknowledged) {
      const read = await store.get(sid)
      if (JSON.stringify(read) !== JSON.stringify(session)) lost++
    }
    t.diagnostic(`${kind}: ${faults} CLIENT KILLs (${killed} connections), ${acknowledged.size} writes acknowledged, ${failed} failed, ${lost} lost`)
    assert.equal(faults, KILLS)
    assert.ok(killed >= KILLS, 'each kill hit the store connection')
    assert.ok(acknowledged.size >= KILLS * 60)
    assert.equal(lost, 0, 'every acknowledged write is readable')
    assert.deepEqual(rejections, [])
  })
}
