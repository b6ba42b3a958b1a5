/**
 * `concurrency: 'merge'` on a hot session: another process (fixtures/hot-writer.ts, a second
 * RedisStore on the same prefix and secret) rewrites one session every ms or so, and this process
 * makes many sequential based writes of it at the same pace (get, append a unique item, set). The
 * two keep meeting: a write's compare-and-set finds the other's newer record, so it re-reads,
 * merges and tries again. Every write must land: none on either side rejects with
 * ERR_SEALED_CONFLICT, every item appended here is in the final record, and so is every write of
 * the other process (its counter).
 *
 * Before 9a37f13 the retry loop paused (up to 50 ms) between the re-read and the compare-and-set,
 * so under a steady write rate each merged attempt was stale on arrival, and a write that had met
 * the other side twice ran out of its 50 attempts. That can hit either side, so the other
 * process's rejections count as much as ours, and after its WRITES writes this process keeps
 * writing until the other has landed a write of its own: a write of theirs stuck behind ours then
 * ends while the session is still hot, in a landing or a rejection. This file fails on that code
 * and passes on the fix.
 *
 * Both sides rest PERIOD_MS after each write. That is pacing, not synchronisation: a writer that
 * never rests starves any other whose read-merge-write window outlasts its own cycle, with any
 * retry schedule, and that is not what this file is about.
 */
import assert from 'node:assert/strict'
import { fork } from 'node:child_process'
import { setTimeout as delay } from 'node:timers/promises'
import { it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { SealedError } from '../../src/index.js'
import { useClient, useRedis } from '../support/redis.js'
import { SECRET_A, sessionWith, StoreTracker, uniquePrefix } from '../support/sessions.js'
import type { FromHotWriter, HotWriterConfig, HotWriterCounts, ToHotWriter } from './fixtures/hot-writer.js'

/** Sequential based writes made here while the competitor writes. */
const WRITES = 100
/** Each side's rest after each of its writes, in ms. */
const PERIOD_MS = 1
/** Writes after the WRITES-th before giving up on seeing another write of the competitor's land. */
const MAX_EXTRA_WRITES = 2_000

const FIXTURE = fileURLToPath(new URL('./fixtures/hot-writer.ts', import.meta.url))

const redis = useRedis()
const client = useClient(redis)
const stores = new StoreTracker()
// Registered after useClient's, so it runs first: the stores close before their client does.
redis.beforeStop(() => stores.closeAll())

interface Competitor {
  /** Resolves after its first write lands; rejects if it exits before that. */
  readonly ready: Promise<void>
  /** The messages of its writes that rejected so far (reported as they happen). */
  readonly rejections: readonly string[]
  readonly running: boolean
  /** Asks it to stop, waits for it to exit, and returns its counts; rejects if it failed. */
  stop(): Promise<HotWriterCounts>
  /** Ends it at once if it still runs (cleanup after a failed test). */
  kill(): void
}

function startCompetitor(config: HotWriterConfig): Competitor {
  const child = fork(FIXTURE, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, HOT_WRITER: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const rejections: string[] = []
  let counts: HotWriterCounts | undefined
  let running = true
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running = false
      resolve({ code, signal })
    }),
  )
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: FromHotWriter) => {
      if (message.type === 'ready') resolve()
      if (message.type === 'rejected') rejections.push(message.message)
      if (message.type === 'stopped') counts = message
    })
    void exited.then(({ code, signal }) => reject(new Error(`the hot writer exited (${code ?? signal}) before its first write: ${stderr}`)))
  })
  return {
    ready,
    rejections,
    get running() {
      return running
    },
    async stop() {
      if (child.connected) child.send({ type: 'stop' } satisfies ToHotWriter)
      const { code, signal } = await exited
      if (code !== 0 || counts === undefined) throw new Error(`the hot writer failed (exit ${code ?? signal}): ${stderr}`)
      return counts
    },
    kill() {
      if (running) child.kill('SIGKILL')
    },
  }
}

type Hot = Record<string, unknown> & { items: string[]; counter: number }

it(`${WRITES} based writes of a session another process rewrites every ${PERIOD_MS} ms all land, merged, and so do the other's`, { timeout: 30_000 }, async (t) => {
  await client.started()
  const prefix = uniquePrefix('hot')
  const sid = 'hot-session'
  const store = stores.create({ client: client.client, prefix, secret: SECRET_A })
  await store.set(sid, sessionWith({ items: [], counter: 0 }))

  const competitor = startCompetitor({ url: redis.url, prefix, secret: SECRET_A.toString('base64'), sid, periodMs: PERIOD_MS })
  t.after(() => competitor.kill())
  await competitor.ready

  const added: string[] = []
  let rejection: unknown
  let mostConflicts = 0
  /** The competitor's counter as read after our WRITES-th write. */
  let theirsThen: number | undefined
  while (competitor.rejections.length === 0 && competitor.running) {
    const session = (await store.get(sid)) as Hot | null
    assert.ok(session, `the session is there before write ${added.length + 1}`)
    if (added.length === WRITES) theirsThen = session.counter
    // Done once the competitor has landed a write since then: none of its writes is left stuck behind ours.
    if (theirsThen !== undefined && session.counter > theirsThen) break
    assert.ok(added.length < WRITES + MAX_EXTRA_WRITES, `the competitor landed no write during the ${MAX_EXTRA_WRITES} writes here after the first ${WRITES}`)
    const item = `mine-${added.length}`
    session.items.push(item)
    const before = store.stats().conflicts
    try {
      await store.set(sid, session as never)
    } catch (error) {
      rejection = error
      break
    } finally {
      mostConflicts = Math.max(mostConflicts, store.stats().conflicts - before)
    }
    added.push(item)
    await delay(PERIOD_MS)
  }
  const theirs = await competitor.stop()
  const final = (await store.get(sid)) as Hot | null
  const { conflicts, merges, mergeConflicts } = store.stats()
  t.diagnostic(
    `here: ${added.length} writes landed, ${conflicts} conflicts (at most ${mostConflicts} in one write), ${merges} merges, ${mergeConflicts} merge conflicts; ` +
      `competitor: ${theirs.writes} writes, ${theirs.conflicts} conflicts (at most ${theirs.mostConflicts} in one write), ${theirs.merges} merges, ${theirs.rejected} rejected`,
  )

  if (rejection !== undefined) {
    const code = rejection instanceof SealedError ? rejection.code : String(rejection)
    assert.fail(`write ${added.length + 1} here rejected (${code}) after ${conflicts} conflicts in all`)
  }
  assert.equal(theirs.rejected, 0, `the competitor's writes rejected: ${competitor.rejections.join('; ')}`)
  assert.ok(final, 'the session is still there')
  assert.ok(added.length > WRITES, `more than ${WRITES} writes here`)
  assert.deepEqual(final.items, added, 'every item appended here is in the final record, once, in order')
  assert.equal(final.counter, theirs.writes, "every write of the competitor's is kept too")
  assert.ok(conflicts >= 1, "the writes here met the competitor's (the merge path ran)")
})
