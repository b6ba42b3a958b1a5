/**
 * Model-based test (fast-check commands) of compare-and-set with the merge: several requests of
 * one session, on two stores (node-redis and ioredis) over one Redis, read, change, save, touch
 * and destroy in random interleavings, some saves (and a destroy) truly concurrent. A sequential
 * model holds what the merge rules promise: every key and cart item a saved request added is
 * there, every one it removed is gone, and a destroyed session never comes back. After every
 * step a fresh read must match the model exactly.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, test } from 'node:test'
import fc from 'fast-check'
import type { SessionData } from 'express-session'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import { RedisStore } from '../../src/index.js'
import { CLIENT_KINDS, connectClient, type TestClient } from '../hardening/clients.js'

const REQUESTS = 4

type Bag = Record<string, unknown> & { cart: string[] }
type Change = { add: string } | { push: string } | { drop: number } | { pull: number }
type Done = { add: string } | { del: string } | { push: string } | { pull: string }

interface Model {
  keys: Set<string>
  cart: Set<string>
  destroyed: boolean
  /** Per request: whether it holds a session, and its changes since it last read or saved. */
  requests: { holds: boolean; applied: Done[] }[]
}

interface Real {
  sid: string
  stores: readonly RedisStore[]
  requests: { session: Bag | null; store: number }[]
  counter: { n: number }
  /** Commands run, over all runs. */
  ran: { n: number }
}

let redis: LocalRedis
const clients: TestClient[] = []
let stores: RedisStore[] = []
before(async () => {
  redis = await startRedis()
  for (const kind of CLIENT_KINDS) clients.push(await connectClient(kind, redis.port))
  stores = clients.map((c) => new RedisStore({ client: c.client, secret: Buffer.alloc(32, 7), pool: false }))
})
after(async () => {
  await Promise.all(stores.map((s) => s.close()))
  await Promise.all(clients.map((c) => c.close()))
  await redis.stop()
})

const asBag = (session: SessionData | null): Bag | null => session as unknown as Bag | null

/** Applies one change to a request's own copy, naming what it did for the model. */
function change(session: Bag, c: Change, counter: { n: number }): Done | undefined {
  if ('add' in c) {
    const key = `k${counter.n++}`
    session[key] = true
    return { add: key }
  }
  if ('push' in c) {
    const item = `c${counter.n++}`
    session.cart.push(item)
    return { push: item }
  }
  if ('drop' in c) {
    const keys = Object.keys(session).filter((k) => k.startsWith('k'))
    const key = keys[c.drop % Math.max(keys.length, 1)]
    if (key === undefined) return undefined
    delete session[key]
    return { del: key }
  }
  const item = session.cart[c.pull % Math.max(session.cart.length, 1)]
  if (item === undefined) return undefined
  session.cart = session.cart.filter((x) => x !== item)
  return { pull: item }
}

function applyToModel(m: Model, r: number): void {
  const request = m.requests[r]!
  if (!m.destroyed) {
    for (const a of request.applied) {
      if ('add' in a) m.keys.add(a.add)
      else if ('del' in a) m.keys.delete(a.del)
      else if ('push' in a) m.cart.add(a.push)
      else m.cart.delete(a.pull)
    }
  }
  request.applied = []
}

async function checkAgainstModel(m: Model, real: Real, via: number): Promise<void> {
  real.ran.n++
  const stored = asBag(await real.stores[via]!.get(real.sid))
  if (m.destroyed) {
    assert.equal(stored, null, 'a destroyed session came back')
    return
  }
  assert.ok(stored, 'the session is there')
  assert.deepEqual(Object.keys(stored).filter((k) => k.startsWith('k')).sort(), [...m.keys].sort(), 'keys')
  assert.deepEqual([...stored.cart].sort(), [...m.cart].sort(), 'cart items')
}

async function read(m: Model, real: Real, r: number, s: number): Promise<void> {
  const session = asBag(await real.stores[s]!.get(real.sid))
  real.requests[r] = { session, store: s }
  m.requests[r] = { holds: session !== null, applied: [] }
  assert.equal(session === null, m.destroyed)
}

class Read implements fc.AsyncCommand<Model, Real> {
  constructor(readonly r: number, readonly s: number) {}
  check = () => true
  async run(m: Model, real: Real) {
    await read(m, real, this.r, this.s)
  }
  toString = () => `read(r${this.r}, store${this.s})`
}

class ChangeAndSave implements fc.AsyncCommand<Model, Real> {
  constructor(readonly r: number, readonly changes: readonly Change[]) {}
  check = (m: Readonly<Model>) => m.requests[this.r]!.holds
  async run(m: Model, real: Real) {
    const { session, store } = real.requests[this.r]!
    if (!session) return
    for (const c of this.changes) {
      const done = change(session, c, real.counter)
      if (done) m.requests[this.r]!.applied.push(done)
    }
    await real.stores[store]!.set(real.sid, session as unknown as SessionData)
    applyToModel(m, this.r)
    await checkAgainstModel(m, real, 1 - store)
  }
  toString = () => `save(r${this.r}, ${JSON.stringify(this.changes)})`
}

class ConcurrentSaves implements fc.AsyncCommand<Model, Real> {
  constructor(readonly changes: readonly (readonly Change[])[], readonly destroyVia: number | undefined) {}
  check = () => true
  async run(m: Model, real: Real) {
    const saves = real.requests.flatMap((request, r) => {
      const { session, store } = request
      if (!session || !m.requests[r]!.holds) return []
      for (const c of this.changes[r] ?? []) {
        const done = change(session, c, real.counter)
        if (done) m.requests[r]!.applied.push(done)
      }
      return [real.stores[store]!.set(real.sid, session as unknown as SessionData)]
    })
    const destroy = this.destroyVia === undefined ? [] : [real.stores[this.destroyVia]!.destroy(real.sid)]
    await Promise.all([...saves, ...destroy])
    if (this.destroyVia !== undefined) m.destroyed = true
    for (let r = 0; r < REQUESTS; r++) if (m.requests[r]!.holds) applyToModel(m, r)
    await checkAgainstModel(m, real, 0)
  }
  toString = () => `concurrently(${JSON.stringify(this.changes)}${this.destroyVia === undefined ? '' : `, destroy via store${this.destroyVia}`})`
}

class Touch implements fc.AsyncCommand<Model, Real> {
  constructor(readonly r: number) {}
  check = (m: Readonly<Model>) => m.requests[this.r]!.holds
  async run(m: Model, real: Real) {
    const { session, store } = real.requests[this.r]!
    if (session) await real.stores[store]!.touch(real.sid, session as unknown as SessionData)
    await checkAgainstModel(m, real, 1 - store)
  }
  toString = () => `touch(r${this.r})`
}

class Destroy implements fc.AsyncCommand<Model, Real> {
  constructor(readonly s: number) {}
  check = () => true
  async run(m: Model, real: Real) {
    await real.stores[this.s]!.destroy(real.sid)
    m.destroyed = true
    await checkAgainstModel(m, real, 1 - this.s)
  }
  toString = () => `destroy(store${this.s})`
}

const request = fc.nat(REQUESTS - 1)
const storeIndex = fc.nat(1)
const changeArb: fc.Arbitrary<Change> = fc.oneof(
  fc.constant({ add: '' }),
  fc.constant({ push: '' }),
  fc.nat(20).map((drop) => ({ drop })),
  fc.nat(20).map((pull) => ({ pull })),
)
const changes = fc.array(changeArb, { minLength: 1, maxLength: 3 })
const commands = fc.commands(
  [
    fc.tuple(request, storeIndex).map(([r, s]) => new Read(r, s)),
    fc.tuple(request, storeIndex).map(([r, s]) => new Read(r, s)),
    fc.tuple(request, changes).map(([r, c]) => new ChangeAndSave(r, c)),
    fc.tuple(request, changes).map(([r, c]) => new ChangeAndSave(r, c)),
    fc.tuple(fc.array(changes, { minLength: REQUESTS, maxLength: REQUESTS }), fc.option(storeIndex, { freq: 6, nil: undefined })).map(([c, d]) => new ConcurrentSaves(c, d)),
    fc.tuple(fc.array(changes, { minLength: REQUESTS, maxLength: REQUESTS }), fc.constant(undefined)).map(([c, d]) => new ConcurrentSaves(c, d)),
    request.map((r) => new Touch(r)),
    storeIndex.map((s) => new Destroy(s)),
  ] as fc.Arbitrary<fc.AsyncCommand<Model, Real>>[],
  { maxCommands: 30, size: 'medium' },
)

const RUNS = 100

test('random interleavings of get, set, touch and destroy on two stores follow the sequential model: no lost key, no revival', async () => {
  const ran = { n: 0 }
  await fc.assert(
    fc.asyncProperty(commands, async (cmds) => {
      const sid = randomUUID()
      const initial: Bag = { cart: [], user: 'model' }
      const cookie = { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000).toISOString(), httpOnly: true, path: '/' }
      await stores[0]!.set(sid, { ...initial, cookie } as unknown as SessionData)
      const model: Model = { keys: new Set(), cart: new Set(), destroyed: false, requests: Array.from({ length: REQUESTS }, () => ({ holds: false, applied: [] })) }
      const real: Real = { sid, stores, requests: Array.from({ length: REQUESTS }, () => ({ session: null, store: 0 })), counter: { n: 0 }, ran }
      for (let r = 0; r < REQUESTS; r++) await read(model, real, r, r % 2)
      await fc.asyncModelRun(() => ({ model, real }), cmds)
    }),
    { numRuns: RUNS },
  )
  const counts = stores.map((s) => s.stats())
  const sum = (name: 'conflicts' | 'merges' | 'mergeConflicts' | 'droppedWrites') => counts.reduce((n, c) => n + Number((c as unknown as Record<string, number>)[name] ?? 0), 0)
  console.log(`[model] ${ran.n} steps checked in ${RUNS} runs: ${sum('conflicts')} conflicts, ${sum('merges')} merges, ${sum('droppedWrites')} writes dropped`)
  assert.ok(sum('merges') > 0 && sum('droppedWrites') > 0, 'the runs met conflicts and ended sessions')
})
