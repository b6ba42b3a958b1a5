/** The example app (examples/server.ts) on a private redis-server for one test file, with a client to look into Redis. */
import { randomBytes } from 'node:crypto'
import { after, before } from 'node:test'
import { createClient } from 'redis'
import { startApp, type RunningApp } from '../../examples/server.js'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'

export interface ExampleApp {
  readonly redis: LocalRedis
  readonly app: RunningApp
  /** A plain node-redis client on the same server, for checking what Redis holds. */
  readonly inspector: ReturnType<typeof createClient>
}

/** Starts Redis and the app before the file's tests and stops both after them; read the fields inside tests only. */
export function exampleApp(): ExampleApp {
  const running: { redis?: LocalRedis; app?: RunningApp; inspector?: ReturnType<typeof createClient> } = {}
  before(async () => {
    running.redis = await startRedis()
    running.app = await startApp({ port: 0, redisUrl: running.redis.url, secret: randomBytes(32) })
    running.inspector = createClient({ url: running.redis.url })
    await running.inspector.connect()
  })
  after(async () => {
    await running.inspector?.close()
    await running.app?.close()
    await running.redis?.stop()
  })
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the example app's ${what} is not started (use it inside a test)`)
    return value
  }
  return {
    get redis() {
      return started(running.redis, 'redis-server')
    },
    get app() {
      return started(running.app, 'server')
    },
    get inspector() {
      return started(running.inspector, 'Redis client')
    },
  }
}
