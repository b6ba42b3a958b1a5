/**
 * The plain-app bench's harness: its session, the /proc readings, how a figure is summarised, and
 * one real app per store started as a user would (plain node, no IPC) with the counting probe.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { makeCart } from '../bench/plain-app/cart.js'
import { FIGURES, plainFigure, spreadPct } from '../bench/plain-app/figures.js'
import { buildApp, deoptKey, launch, parseThread, threadDelta, threadsOf } from '../bench/plain-app/launch.js'
import { commandsPer, parseCommandStats } from '../bench/plain-app/redis-commands.js'
import { drive, login, once } from '../bench/plain-app/runs.js'
import { REPO_ROOT } from '../bench/repo-root.js'
import { spreadOf } from '../bench/paired.js'
import { useRedis } from './support/redis.js'

const redis = useRedis()

describe('plain-app session', () => {
  it('is a cart of 13 items, about 1 KB with the cookie, with non-Latin-1 text, the same for a seed', () => {
    const json = JSON.stringify(makeCart(3))
    const bytes = Buffer.byteLength(json) + 110 // express-session's cookie object
    assert.ok(bytes > 900 && bytes < 1150, `${bytes} bytes`)
    assert.equal(makeCart(3).cart.items.length, 13)
    assert.ok([...json].some((c) => (c.codePointAt(0) as number) > 0xff), 'a non-Latin-1 character')
    assert.equal(JSON.stringify(makeCart(3)), json)
    assert.notEqual(JSON.stringify(makeCart(4)), json)
  })
})

describe('plain-app /proc readings', () => {
  it('parses a thread whose name holds spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 2 3 4 5 6 7 8 9 10 250 40 0 0 20 0 12'
    const status = 'Name:\tnode\nvoluntary_ctxt_switches:\t77\nnonvoluntary_ctxt_switches:\t5\n'
    assert.deepEqual(parseThread(4242, stat, status), { tid: 4242, ticks: 290, wakeups: 77, preempted: 5 })
  })

  it('splits the main thread from the others, counting a thread born in between from zero', () => {
    const t = (tid: number, ticks: number, wakeups: number) => ({ tid, ticks, wakeups, preempted: 0 })
    const d = threadDelta([t(10, 100, 50), t(11, 5, 5)], [t(10, 130, 80), t(11, 7, 6), t(12, 3, 4)])
    assert.deepEqual(d, { main: { ticks: 30, wakeups: 30, preempted: 0 }, others: { ticks: 5, wakeups: 5, preempted: 0 }, threads: 3 })
  })

  it("reads this process's own threads, the main one first", (t) => {
    if (!existsSync('/proc/self/task')) return t.skip('no /proc on this system')
    const threads = threadsOf(process.pid)
    assert.equal(threads[0]?.tid, process.pid)
    assert.ok((threads[0]?.wakeups ?? 0) > 0)
  })
})

describe('plain-app deopt tally', () => {
  it("names a V8 bailout line by function and reason, and ignores every other line", () => {
    const named = '[bailout (kind: deopt-eager, reason: wrong map): begin. deoptimizing 0x03b334c029b9 <JSFunction get (sfi = 0x3589311e2be9)>, 0x3589311e4321 <Code TURBOFAN>, opt id 1]'
    const anonymous = '[bailout (kind: deopt-soft, reason: Insufficient type feedback for call): begin. deoptimizing 0x03b334c029f9 <JSFunction (sfi = 0x3589311e2b31)>, opt id 0]'
    assert.equal(deoptKey(named), 'get (wrong map)')
    assert.equal(deoptKey(anonymous), '(anonymous) (Insufficient type feedback for call)')
    assert.equal(deoptKey('[bailout (kind: deopt-eager, reason: (unknown)): begin. deoptimizing 0x1 <JSFunction clearBuffer (sfi = 0x2)>]'), 'clearBuffer ((unknown))')
    assert.equal(deoptKey('listening 4242'), undefined)
  })
})

describe('plain-app Redis command counts', () => {
  it('gives commands per request by name and the server µs, leaving out the reading itself', () => {
    const before = parseCommandStats('# Commandstats\r\ncmdstat_get:calls=10,usec=50,usec_per_call=5.00,rejected_calls=0,failed_calls=0\r\ncmdstat_info:calls=3,usec=300\r\n')
    const after = parseCommandStats('cmdstat_get:calls=30,usec=90\ncmdstat_evalsha:calls=20,usec=200\ncmdstat_info:calls=4,usec=400\n')
    assert.deepEqual(before, { get: { calls: 10, usec: 50 }, info: { calls: 3, usec: 300 } })
    assert.deepEqual(commandsPer(before, after, 20), { commands: { get: 1, evalsha: 1 }, serverUs: 12 })
  })
})

describe('plain-app figures', () => {
  const run = (reqPerSec: number) => ({ reqPerSec, latencyP99: 1, healthP99: 2, failures: 0, mainUsPerRequest: 3, cpuUsPerRequest: 4 })

  it("pairs run i of A with run i of B, and gives each side's req/s spread", () => {
    const spec = FIGURES.find((f) => f.id === 'work')
    assert.ok(spec)
    const f = plainFigure(spec, 'redis5', { a: [100, 90, 110, 100, 95].map(run), b: [100, 100, 100, 110, 100].map(run) }, 0.5, { a: [1, 2], b: [3, 4] })
    assert.deepEqual(f.ratio, spreadOf([1, 0.9, 1.1, 100 / 110, 0.95]))
    assert.equal(f.a.reqPerSec.spreadPct, spreadPct(spreadOf([100, 90, 110, 100, 95])))
    assert.equal(f.b.reqPerSec.spreadPct, 0)
    assert.equal(f.spreadExcess, 5)
    assert.equal(f.verdict, 'not resolved') // IQR 0.91–1 straddles 0.95
    assert.deepEqual([f.a.startMs, f.a.firstLoginMs, f.b.startMs], [1, 2, 3])
    assert.deepEqual(f.a.rounds.map((r) => r.reqPerSec), [100, 90, 110, 100, 95], 'the rounds, in the order they ran')
  })

  it('has the A/A control, the cost of compare-and-set, and a goal on every other figure', () => {
    assert.deepEqual(FIGURES.filter((f) => !f.goal).map((f) => f.id), ['work-overwrite', 'aa'])
    const aa = FIGURES.find((f) => f.id === 'aa')
    assert.deepEqual([aa?.a.store, aa?.b.store], ['connect-redis', 'connect-redis'])
  })
})

describe('plain-app processes', () => {
  const built = existsSync(join(REPO_ROOT, 'dist', 'index.js'))
  for (const [store, client] of [['ours', 'redis'], ['connect-redis', 'redis5']] as const) {
    it(`${store} on ${client}: a plain node process that answers, counts through its probe and stops on SIGTERM`, async (t) => {
      if (!built) return t.skip('dist/ is not built (npm run build)')
      await redis.started()
      buildApp()
      const app = await launch({ store, client }, redis.url, `plain-test-${store}:`, 'a passphrase of at least thirty-two characters', 'plain')
      try {
        const { cookies } = await login(app, 2)
        const before = await app.probe()
        assert.equal(await drive(app, '/work', cookies, 2, 20), 20)
        const after = await app.probe()
        assert.equal((after.requests['/work'] ?? 0) - (before.requests['/work'] ?? 0), 20)
        assert.ok(after.allocatedBytes > before.allocatedBytes)
        assert.deepEqual(after.created, {}, 'no async hooks without PROBE_HOOKS')
        const read = await once(app.base, '/read', { cookie: cookies[0] as string })
        assert.deepEqual([read.status, JSON.parse(read.body)], [200, { counter: 10 }])
        assert.equal((await once(app.base, '/read')).status, 410, 'no session without its cookie')
      } finally {
        await app.stop()
      }
      assert.equal(existsSync(`/proc/${app.pid}`), false)
    })
  }
})
