/**
 * The dedicated mode of the chaos soak: failovers timed right after a revocation. Each trial, on a
 * real master and replica (loopback): write a session; in lagging trials (every other one) SIGSTOP
 * the replica and cut its link (CLIENT KILL TYPE replica); `destroy` the session; at once kill -9
 * the master, SIGCONT the replica and promote it (REPLICAOF NO ONE, what Sentinel does), and read
 * the key on the promoted node. A revocation the store
 * acknowledged whose session is readable there is a revocation undone. The old master is then
 * replaced by a fresh replica of the new one, and the next trial starts. Bounded in trials and time.
 */
import { once } from 'node:events'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import { RedisStore } from '../../src/index.js'
import { infoFields, pollUntil, redisCli } from '../../test/support/redis-cli.js'
import { clientKinds, type ClientKind } from '../../test/support/redis.js'

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

async function inSync(master: LocalRedis, replica: LocalRedis): Promise<void> {
  await pollUntil('the replica to be in sync', async () => {
    const [m, r] = await Promise.all([redisCli(master.port, ['INFO', 'replication']), redisCli(replica.port, ['INFO', 'replication'])])
    const mi = infoFields(m)
    const ri = infoFields(r)
    return ri.get('master_link_status') === 'up' && mi.get('master_repl_offset') === ri.get('slave_repl_offset') ? true : undefined
  }, 20_000)
}

async function trialsFor(kind: ClientKind, durability: boolean, trials: number, deadline: number): Promise<TrialCounts> {
  const counts: TrialCounts = { client: kind.name, durability, trials: 0, lagging: 0, acknowledged: 0, acknowledgedLagging: 0, refused: 0, otherErrors: 0, undone: 0 }
  let master = await startRedis(ARGS)
  let replica = await startRedis([...ARGS, '--replicaof', '127.0.0.1', String(master.port)])
  try {
    for (let i = 0; i < trials && Date.now() < deadline; i++) {
      await inSync(master, replica)
      const client = await kind.create(master.url)
      const store = new RedisStore({ client, secret: Buffer.alloc(32, 7), pool: false, timeout: 2000, ...(durability ? { durability: { replicas: 1, timeout: 200 } } : {}) })
      const sid = `trial-${i}`
      const lagging = i % 2 === 1
      await store.set(sid, { cookie: { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000) } } as never)
      await inSync(master, replica)
      if (lagging) {
        // Stalled and cut off: what the master sends from now on stays in its backlog, not in the
        // replica's socket buffer (a SIGSTOP alone leaves the kernel taking the stream in).
        replica.process.kill('SIGSTOP')
        await redisCli(master.port, ['CLIENT', 'KILL', 'TYPE', 'replica'])
      }
      const outcome = await store.destroy(sid).then(() => 'ok', (error: unknown) => (error as { code?: string }).code)
      const ok = outcome === 'ok'
      master.process.kill('SIGKILL')
      replica.process.kill('SIGCONT')
      await once(master.process, 'exit').catch(() => {})
      await redisCli(replica.port, ['REPLICAOF', 'NO', 'ONE'])
      const back = (await redisCli(replica.port, ['EXISTS', `sess:${sid}`])) === '1'
      counts.trials++
      if (lagging) counts.lagging++
      if (ok) counts.acknowledged++
      else if (outcome === 'ERR_SEALED_NOT_DURABLE') counts.refused++
      else counts.otherErrors++
      if (ok && lagging) counts.acknowledgedLagging++
      if (ok && back) counts.undone++
      await store.close().catch(() => {})
      await kind.close(client)
      await master.stop()
      master = replica
      replica = await startRedis([...ARGS, '--replicaof', '127.0.0.1', String(master.port)])
    }
  } finally {
    replica.process.kill('SIGCONT')
    await Promise.all([master.stop(), replica.stop()])
  }
  return counts
}

/** Every client, durability off then on, `trials` each (half of them with the replica stalled). */
export async function revocationFailovers(trials: number, seconds: number): Promise<TrialCounts[]> {
  const deadline = Date.now() + seconds * 1000
  const results: TrialCounts[] = []
  for (const kind of clientKinds().filter((k) => k.name === 'node-redis 6' || k.name === 'ioredis 5')) {
    for (const durability of [false, true]) {
      const counts = await trialsFor(kind, durability, trials, deadline)
      console.log(JSON.stringify(counts))
      results.push(counts)
    }
  }
  return results
}
