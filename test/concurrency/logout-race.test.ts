/**
 * Logout races of issue 22 across two app processes on one Redis, default options, 200 trials
 * each. A request of process A has read its session and waits (GET /slow, held by an IPC
 * message); process B ends the session (POST /logout, or "log out other devices":
 * destroySessionsOf with userOf set); then A's request changes and saves its session. Even trials
 * release A only after B answered, odd ones at the moment B's request is sent. The session must
 * stay ended: 0 revived, and 0 devices back in sessionsOf.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import { call, login, startRaceApps, stateOf, writeCounts, type RaceApp } from './race-apps.js'

const TRIALS = 200
/** Trials run this many at a time (each on its own sessions and tags). */
const PARALLEL = 8

let redis: LocalRedis
before(async () => {
  redis = await startRedis()
})
after(async () => {
  await redis.stop()
})

async function withApps<T>(userOf: boolean, run: (a: RaceApp, b: RaceApp) => Promise<T>): Promise<T> {
  const [a, b] = await startRaceApps([
    { store: 'sealed', client: 'node-redis', topology: 'single', url: redis.url, userOf },
    { store: 'sealed', client: 'ioredis', topology: 'single', url: redis.url, userOf },
  ])
  try {
    return await run(a as RaceApp, b as RaceApp)
  } finally {
    await Promise.all([a?.close(), b?.close()])
  }
}

async function inBatches(trials: number, trial: (n: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < trials; start += PARALLEL) {
    await Promise.all(Array.from({ length: Math.min(PARALLEL, trials - start) }, (_, i) => trial(start + i)))
  }
}

/** A's slow request holds `cookie`'s session while `end` (through B) ends it; A saves afterwards or at once. */
async function slowWriteAround(a: RaceApp, cookie: string, tag: string, releaseFirst: boolean, end: () => Promise<void>): Promise<number> {
  const slow = call(a.port, 'GET', `/slow?tag=${tag}`, cookie)
  await a.entered(tag)
  if (releaseFirst) a.release(tag)
  await end()
  if (!releaseFirst) a.release(tag)
  return (await slow).status
}

test(`logout while a slow write is in flight in the other process: 0 of ${TRIALS} sessions revived`, async () => {
  const outcome = await withApps(false, async (a, b) => {
    let revived = 0
    let failed = 0
    await inBatches(TRIALS, async (n) => {
      const { cookie } = await login(a, `user-${n}`)
      const status = await slowWriteAround(a, cookie, `logout-${n}`, n % 2 === 1, async () => {
        const reply = await call(b.port, 'POST', '/logout', cookie)
        if (reply.status !== 200) failed++
      })
      if (status !== 200) failed++
      if ((await stateOf(b, cookie)) !== null || (await stateOf(a, cookie)) !== null) revived++
    })
    return { revived, failed, ...(await writeCounts([a, b])) }
  })
  console.log(`[logout-race] destroy: ${outcome.revived} of ${TRIALS} sessions revived, ${outcome.failed} failed requests, ${outcome.droppedWrites} writes dropped (session ended)`)
  assert.equal(outcome.failed, 0)
  assert.equal(outcome.revived, 0)
  assert.ok(outcome.droppedWrites >= TRIALS / 2, 'at least the strictly ordered trials dropped their write')
})

test(`"log out other devices" while a slow write is in flight in the other process: 0 of ${TRIALS} devices back`, async () => {
  const outcome = await withApps(true, async (a, b) => {
    let revived = 0
    let reappeared = 0
    let failed = 0
    await inBatches(TRIALS, async (n) => {
      const user = `owner-${n}`
      const phone = await login(a, user)
      const laptop = await login(b, user)
      const status = await slowWriteAround(a, phone.cookie, `others-${n}`, n % 2 === 1, async () => {
        const reply = await call(b.port, 'POST', '/logout-others', laptop.cookie)
        if (reply.status !== 200 || reply.body.ended !== 1) failed++
      })
      if (status !== 200) failed++
      if ((await stateOf(b, phone.cookie)) !== null) revived++
      const devices = (await call(b.port, 'GET', `/devices?user=${user}`)).body.ids as string[]
      if (devices.includes(phone.sid)) reappeared++
      if (!devices.includes(laptop.sid) || (await stateOf(a, laptop.cookie)) === null) failed++
    })
    return { revived, reappeared, failed, ...(await writeCounts([a, b])) }
  })
  console.log(
    `[logout-race] destroySessionsOf: ${outcome.revived} of ${TRIALS} sessions revived, ${outcome.reappeared} devices back in sessionsOf, ` +
      `${outcome.failed} failed checks, ${outcome.droppedWrites} writes dropped (session ended)`,
  )
  assert.equal(outcome.failed, 0)
  assert.equal(outcome.revived, 0)
  assert.equal(outcome.reappeared, 0)
})
