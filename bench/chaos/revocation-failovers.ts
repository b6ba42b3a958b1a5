/**
 * The dedicated mode of the chaos soak: failovers timed right after a revocation. Each trial, on a
 * real master and replica (loopback): write a session; in lagging trials (every other one) SIGSTOP
 * the replica and cut its link (CLIENT KILL TYPE replica); `destroy` the session; at once kill -9
 * the master, SIGCONT the replica and promote it (REPLICAOF NO ONE, what Sentinel does), and read
 * the key on the promoted node. A revocation the store
 * acknowledged whose session is readable there is a revocation undone. The old master is then
 * replaced by a fresh replica of the new one, and the next trial starts. Bounded in trials and time.
 */
import { startRedis } from '../../scripts/local-redis.js'
import { RedisStore } from '../../src/index.js'
import { infoFields, pollUntil, redisCli } from '../../test/support/redis-cli.js'
import { startSentinelSet, type LocalSentinelSet } from '../../test/support/redis-sentinel.js'
import { clientKinds, type ClientKind } from '../../test/support/redis.js'
import { Processes } from './faults.js'

/** Who promotes the replica: the harness by hand (REPLICAOF NO ONE), or a real Sentinel. */
export type Promotion = 'manual' | 'sentinel'

const ARGS = ['--repl-diskless-sync-delay', '0', '--replica-announce-ip', '127.0.0.1']

export interface TrialCounts {
  client: string
  durability: boolean
  trials: number
  lagging: number
  /** destroy resolved (the app would have told the user "logged out"). */
  acknowledged: number
  /** Of those, trials with the replica stalled and cut off. */
  acknowledgedLagging: number
  /** destroy rejected with ERR_SEALED_NOT_DURABLE: the app knows the logout is not certain. */
  refused: number
  /** destroy rejected with any other error. */
  otherErrors: number
  /** Acknowledged, and the session readable on the promoted replica. */
  undone: number
}

async function inSync(masterPort: number, replicaPort: number): Promise<void> {
  await pollUntil('the replica to be in sync', async () => {
    const [m, r] = await Promise.all([redisCli(masterPort, ['INFO', 'replication']), redisCli(replicaPort, ['INFO', 'replication'])])
    const mi = infoFields(m)
    const ri = infoFields(r)
    return ri.get('master_link_status') === 'up' && mi.get('master_repl_offset') === ri.get('slave_repl_offset') ? true : undefined
  }, 20_000)
}

/** A master and its one replica, and who promotes the replica once the master is killed. */
interface Pair {
  ports(): Promise<{ master: number; replica: number }>
  readonly processes: Processes
  /** After the master was killed: waits until the replica is the master. */
  promote(replica: number): Promise<void>
  /** Brings the killed node back as a replica of the new master (or a fresh one in its place). */
  rejoin(dead: number): Promise<void>
  stop(): Promise<unknown>
}

/** The promotion by hand (REPLICAOF NO ONE, what Sentinel sends): fast, so many trials fit. */
async function manualPair(): Promise<Pair> {
  const master = await startRedis(ARGS)
  const replica = await startRedis([...ARGS, '--replicaof', '127.0.0.1', String(master.port)])
  const processes = new Processes([master, replica])
  let ports = { master: master.port, replica: replica.port }
  return {
    processes,
    ports: async () => ports,
    promote: async (port) => void (await redisCli(port, ['REPLICAOF', 'NO', 'ONE'])),
    async rejoin() {
      const fresh = await startRedis([...ARGS, '--replicaof', '127.0.0.1', String(ports.replica)])
      processes.add(fresh)
      ports = { master: ports.replica, replica: fresh.port }
    },
    stop: () => processes.stopAll(),
  }
}

/** A real Sentinel (1 master, 1 replica, 1 sentinel, down-after 2 s) finds the dead master and promotes. */
async function sentinelPair(): Promise<Pair> {
  const set = await startSentinelSet()
  const processes = new Processes(set.dataNodes)
  return {
    processes,
    ports: async () => {
      const { masterPort, replicaPort } = await set.settled()
      return { master: masterPort, replica: replicaPort }
    },
    promote: (port) => waitForMaster(set, port),
    async rejoin(dead) {
      await processes.restart(dead)
      await set.settled()
    },
    stop: async () => {
      await processes.stop()
      await set.stop()
    },
  }
}

async function waitForMaster(set: LocalSentinelSet, port: number): Promise<void> {
  await pollUntil('Sentinel to promote the replica', async () => ((await set.masterPort()) === port ? true : undefined), 60_000, 100)
}

async function trialsFor(kind: ClientKind, durability: boolean, trials: number, deadline: number, promotion: Promotion): Promise<TrialCounts> {
  const counts: TrialCounts = { client: kind.name, durability, trials: 0, lagging: 0, acknowledged: 0, acknowledgedLagging: 0, refused: 0, otherErrors: 0, undone: 0 }
  const pair = promotion === 'sentinel' ? await sentinelPair() : await manualPair()
  try {
    for (let i = 0; i < trials && Date.now() < deadline; i++) {
      const { master, replica } = await pair.ports()
      await inSync(master, replica)
      const client = await kind.create(`redis://127.0.0.1:${master}`)
      const store = new RedisStore({ client, secret: Buffer.alloc(32, 7), pool: false, timeout: 2000, ...(durability ? { durability: { replicas: 1, timeout: 200 } } : {}) })
      const sid = `trial-${i}`
      const lagging = i % 2 === 1
      await store.set(sid, { cookie: { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000) } } as never)
      await inSync(master, replica)
      if (lagging) {
        // Stalled and cut off: what the master sends from now on stays in its backlog, not in the
        // replica's socket buffer (a SIGSTOP alone leaves the kernel taking the stream in).
        pair.processes.signal(replica, 'SIGSTOP')
        await redisCli(master, ['CLIENT', 'KILL', 'TYPE', 'replica'])
      }
      const outcome = await store.destroy(sid).then(() => 'ok', (error: unknown) => (error as { code?: string }).code)
      const ok = outcome === 'ok'
      await pair.processes.kill(master)
      pair.processes.signal(replica, 'SIGCONT')
      await pair.promote(replica)
      const back = (await redisCli(replica, ['EXISTS', `sess:${sid}`])) === '1'
      counts.trials++
      if (lagging) counts.lagging++
      if (ok) counts.acknowledged++
      else if (outcome === 'ERR_SEALED_NOT_DURABLE') counts.refused++
      else counts.otherErrors++
      if (ok && lagging) counts.acknowledgedLagging++
      if (ok && back) counts.undone++
      await store.close().catch(() => {})
      await kind.close(client)
      await pair.rejoin(master)
    }
  } finally {
    await pair.stop()
  }
  return counts
}

/** Every client, durability off then on, `trials` each (half of them with the replica stalled). */
export async function revocationFailovers(trials: number, seconds: number, promotion: Promotion = 'manual'): Promise<TrialCounts[]> {
  const deadline = Date.now() + seconds * 1000
  const results: TrialCounts[] = []
  for (const kind of clientKinds().filter((k) => k.name === 'node-redis 6' || k.name === 'ioredis 5')) {
    for (const durability of [false, true]) {
      const counts = await trialsFor(kind, durability, trials, deadline, promotion)
      console.log(JSON.stringify(counts))
      results.push(counts)
    }
  }
  return results
}
