/** A master and one replica on free loopback ports, for the durability tests; the replica can be stalled (SIGSTOP). */
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import { infoFields, pollUntil, redisCli } from './redis-cli.js'

export interface ReplicatedRedis {
  readonly master: LocalRedis
  readonly replica: LocalRedis
  /** Waits until the replica is linked and has every write of the master. */
  inSync(): Promise<void>
  /** SIGSTOP: the replica holds its connection but acknowledges nothing, as a stalled or lagging host. */
  stall(): void
  /** SIGCONT, then waits until it has caught up. */
  resume(): Promise<void>
  stop(): Promise<void>
}

const ARGS = ['--repl-diskless-sync-delay', '0', '--replica-announce-ip', '127.0.0.1']

export async function startReplicated(): Promise<ReplicatedRedis> {
  const master = await startRedis(ARGS)
  const replica = await startRedis([...ARGS, '--replicaof', '127.0.0.1', String(master.port)]).catch(async (error: unknown) => {
    await master.stop()
    throw error
  })
  const inSync = () =>
    pollUntil('the replica to be in sync', async () => {
      const [m, r] = await Promise.all([redisCli(master.port, ['INFO', 'replication']), redisCli(replica.port, ['INFO', 'replication'])])
      const mi = infoFields(m)
      const ri = infoFields(r)
      if (mi.get('connected_slaves') !== '1' || ri.get('master_link_status') !== 'up') return undefined
      return mi.get('master_repl_offset') === ri.get('slave_repl_offset') ? true : undefined
    })
  await inSync()
  return {
    master,
    replica,
    inSync: async () => void (await inSync()),
    stall: () => void replica.process.kill('SIGSTOP'),
    async resume() {
      replica.process.kill('SIGCONT')
      await inSync()
    },
    async stop() {
      replica.process.kill('SIGCONT')
      await Promise.all([replica.stop(), master.stop()])
    },
  }
}
