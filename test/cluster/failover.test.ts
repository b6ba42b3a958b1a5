/**
 * Failover under load: every client streams store requests while a cluster master is failed over
 * (`CLUSTER FAILOVER` on its replica), a cluster master crashes (SIGKILL, the cluster promotes its
 * replica), or the sentinel master is failed over (`SENTINEL FAILOVER mymaster`). One failover
 * per scenario serves all its clients, each with its own store and request stream.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { RedisStore } from '../../src/store.js'
import { startRedisCluster } from '../support/redis-cluster.js'
import { startSentinelSet } from '../support/redis-sentinel.js'
import { startRequestStream, type StreamReport } from '../support/request-stream.js'
import { asStored, sessionWith } from '../support/sessions.js'
import { manySids } from '../support/spread.js'
import { CLIENT_NAMES, connectClient, type ClientName, type Servers, type Topology, type TopologyClient } from '../support/topology-clients.js'

const SECRET = randomBytes(32)
/** "Keeps serving": this many successes in a row once the failover has finished. */
const TRAILING_SUCCESSES = 40
/** The store's own bound on each Redis command (option `timeout`, its default). */
const STORE_TIMEOUT_MS = 5000
/** No store request may take longer than the store's timeout, plus slack for a busy 2-core machine. */
const REQUEST_BOUND_MS = STORE_TIMEOUT_MS + 2500

interface Scenario {
  readonly name: string
  readonly topology: Topology
  readonly clients: readonly ClientName[]
  /** Fails over and resolves once the topology has settled again. */
  failover(servers: Servers): Promise<unknown>
  /**
   * `'none'`: no acknowledged write may be lost. `'during'`: writes acknowledged by the old master
   * during the failover may be lost (asynchronous replication), within `lossWindowMs`, none after.
   */
  readonly losses: 'none' | 'during'
  readonly lossWindowMs?: number
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'cluster: CLUSTER FAILOVER on a replica',
    topology: 'cluster',
    // Valkey GLIDE's failover behaviour is not measured yet (issue #13 covered the contract only).
    clients: CLIENT_NAMES.filter((name) => name !== 'valkey-glide'),
    failover: async ({ cluster }) => cluster!.failover((await cluster!.shards())[0]!.masterPort),
    // Without FORCE, the old master pauses its clients until the replica has caught up.
    losses: 'none',
  },
  {
    name: 'cluster: a master crashes (SIGKILL) and the cluster promotes its replica',
    topology: 'cluster',
    // node-redis 5 is left out on purpose: it refreshes its slot map only on MOVED/ASK, so commands
    // for a crashed master's slots never reach the promoted replica (redis/node-redis#2806; measured:
    // no recovery in 90 s; the store's timeout turns the hang into errors, but they go on).
    // node-redis 6 refreshes the topology when a node keeps failing to reconnect.
    clients: ['node-redis 6', 'ioredis 5', 'ioredis 6'],
    failover: async ({ cluster }) => cluster!.crash((await cluster!.shards())[0]!.masterPort),
    // Requests for the dead master's slots wait for the promotion (cluster-node-timeout 3 s + an
    // election); past the store's timeout they fail with ERR_SEALED_TIMEOUT instead of waiting on.
    losses: 'during',
    lossWindowMs: 1000,
  },
  {
    name: 'sentinel: SENTINEL FAILOVER mymaster',
    topology: 'sentinel',
    // Valkey GLIDE 2 has no Sentinel support.
    clients: CLIENT_NAMES.filter((name) => name !== 'valkey-glide'),
    failover: ({ sentinel }) => sentinel!.failover(),
    // The replica is promoted without pausing the old master: what the old master acknowledges
    // until the client switches (on +switch-master) is lost when it later resyncs as a replica.
    losses: 'during',
    lossWindowMs: 4000,
  },
]

interface Participant {
  readonly kind: ClientName
  readonly redis: TopologyClient
  readonly store: RedisStore
  readonly written: Map<string, unknown>
  replicatedTo: number
  report?: StreamReport
  readAfter?: Map<string, unknown>
  /** Acknowledgement times (`performance.now()`) of writes that could not be read back afterwards. */
  lostWrites?: number[]
}

/** From the first to the last lost write, in ms (0 when none was lost). */
function lossWindowMs(lost: readonly number[]): number {
  return lost.length === 0 ? 0 : Math.max(...lost) - Math.min(...lost)
}

function failoverScenario(scenario: Scenario): void {
  const { topology } = scenario
  const servers: { cluster?: Servers['cluster']; sentinel?: Servers['sentinel'] } = {}
  const participants: Participant[] = []
  let failoverMs = 0
  let failoverStarted = 0
  let failoverDone = 0

  before(async () => {
    if (topology === 'cluster') servers.cluster = await startRedisCluster()
    else servers.sentinel = await startSentinelSet()

    for (const kind of scenario.clients) {
      const redis = await connectClient(kind, topology, servers)
      const store = new RedisStore({ client: redis.client, prefix: `fo:${kind.replace(/\W+/g, '')}:`, secret: SECRET, pool: false, timeout: STORE_TIMEOUT_MS })
      participants.push({ kind, redis, store, written: new Map(), replicatedTo: 0 })
    }
    for (const p of participants) {
      const sids = manySids(60, 'before')
      await Promise.all(sids.map(async (sid, i) => {
        const session = sessionWith({ user: `u${i}`, kind: p.kind })
        await p.store.set(sid, session)
        p.written.set(sid, asStored(session))
      }))
      p.replicatedTo = await p.redis.waitReplicated()
    }

    const streams = participants.map((p) => startRequestStream(p.store, [...p.written.keys()], 'during'))
    failoverStarted = performance.now()
    await scenario.failover(servers)
    failoverDone = performance.now()
    failoverMs = failoverDone - failoverStarted
    const reports = await Promise.all(streams.map((s) => s.finish(TRAILING_SUCCESSES, 20_000)))

    for (const [i, p] of participants.entries()) {
      p.report = reports[i]
      p.readAfter = new Map(await Promise.all([...p.written.keys()].map(async (sid) => [sid, await p.store.get(sid)] as const)))
      const acked = [...(p.report?.acknowledged ?? [])]
      const reread = await Promise.all(acked.map(async ([sid, { n }]) => ((await p.store.get(sid)) as { n?: number } | null)?.n === n))
      p.lostWrites = acked.filter((_, j) => !reread[j]).map(([, { at }]) => at)
    }
  })

  after(async () => {
    for (const p of participants) {
      await p.store.close()
      await p.redis.close()
    }
    await servers.cluster?.stop()
    await servers.sentinel?.stop()
  })

  for (const kind of scenario.clients) {
    const find = () => participants.find((p) => p.kind === kind) as Participant

    it(`${kind}: sessions written before the failover were replicated (WAIT) and read back afterwards`, () => {
      const p = find()
      assert.ok(p.replicatedTo >= 1, `WAIT 1 1000 acknowledged by ${p.replicatedTo} replicas`)
      for (const [sid, session] of p.written) assert.deepEqual(p.readAfter?.get(sid), session, sid)
    })

    it(`${kind}: every request settled within the store's timeout (${REQUEST_BOUND_MS} ms with slack) and the store kept serving`, (t) => {
      const r = find().report as StreamReport
      t.diagnostic(`failover took ${Math.round(failoverMs)} ms; ${kind}: ${r.requests} requests, ${r.errors} errors, ${r.hung} hung, slowest ${Math.round(r.maxLatencyMs)} ms, ${r.trailingSuccesses} successes in a row at the end`)
      if (r.firstErrors.length > 0) t.diagnostic(`first errors: ${r.firstErrors.join(' | ')}`)
      assert.equal(r.hung, 0)
      assert.ok(r.maxLatencyMs < REQUEST_BOUND_MS, `slowest request ${Math.round(r.maxLatencyMs)} ms`)
      assert.ok(r.trailingSuccesses >= TRAILING_SUCCESSES, `${r.trailingSuccesses} successes in a row after the failover`)
      assert.ok(r.requests > r.errors * 4, `${r.errors} of ${r.requests} requests failed`)
    })

    it(`${kind}: writes acknowledged during the failover are readable after it`, (t) => {
      const p = find()
      const lost = p.lostWrites ?? []
      const window = lossWindowMs(lost)
      t.diagnostic(`${kind}: ${p.report?.acknowledged.size} writes acknowledged during the stream, ${lost.length} lost, within ${Math.round(window)} ms`)
      if (scenario.losses === 'none') {
        assert.deepEqual(lost, [])
      } else {
        assert.ok(window <= (scenario.lossWindowMs ?? 0), `lost writes span ${Math.round(window)} ms`)
        assert.ok(lost.every((at) => at >= failoverStarted - 1000 && at <= failoverDone), 'only writes acknowledged around the failover were lost')
      }
    })
  }
}

describe('failover under a steady stream of store requests', () => {
  for (const scenario of SCENARIOS) describe(scenario.name, () => failoverScenario(scenario))
})
