/**
 * `npm start`: the example app on the command line.
 *
 * Environment: REDIS_URL (use this Redis), REDIS_PROBE_PORT (where to look for a local Redis,
 * default 6379), SESSION_STORE_SECRET (seals sessions; random per run if unset), SESSION_COOKIE_SECRET
 * (signs the cookie; derived from the store's secret if unset), PORT (default 3000, 0 = any free
 * port), HOST (default 127.0.0.1), SESSION_CONCURRENCY (the store's `concurrency`: merge or overwrite;
 * default the store's), OTEL_SERVICE_NAME (the metrics' service.name).
 */
import { randomBytes } from 'node:crypto'
import { INSTALL_HINT } from '../scripts/local-redis.js'
import { chooseRedis, DEFAULT_PROBE_PORT, type RedisSource } from './redis-source.js'
import { startApp, type Concurrency, type RunningApp } from './server.js'

const SHUTDOWN_LIMIT_MS = 10_000
/** A second signal sooner than this after the first is taken as the same one. */
const REPEAT_WINDOW_MS = 1000

function portFromEnv(): number {
  const text = process.env.PORT
  if (text === undefined || text === '') return 3000
  const port = Number(text)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number (0-65535), got ${JSON.stringify(text)}`)
    process.exit(1)
  }
  return port
}

function concurrencyFromEnv(): Concurrency | undefined {
  const text = process.env.SESSION_CONCURRENCY
  if (text === undefined || text === '') return undefined
  if (text === 'merge' || text === 'overwrite') return text
  console.error(`SESSION_CONCURRENCY must be merge or overwrite, got ${JSON.stringify(text)}`)
  process.exit(1)
}

function secretFromEnv(): string | Buffer {
  const secret = process.env.SESSION_STORE_SECRET
  if (secret) return secret
  console.log('Note: SESSION_STORE_SECRET is not set, so a random key was made for this run; sessions will not survive a restart.')
  console.log('      Make one with `npx connect-redis-sealed keygen` and set SESSION_STORE_SECRET to it to keep them.')
  return randomBytes(32)
}

function explain(error: unknown, port: number, redis: RedisSource): string {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'EADDRINUSE') return `Port ${port} is already in use. Stop whatever uses it, or start with another port: PORT=3001 npm start`
  if (code === 'EACCES') return `Not allowed to listen on port ${port}. Use a port above 1023: PORT=3001 npm start`
  const message = error instanceof Error ? error.message : String(error)
  return `Could not start with Redis ${redis.description}: ${message}`
}

async function main(): Promise<void> {
  const port = portFromEnv()
  const concurrency = concurrencyFromEnv()
  const redis = await chooseRedis(process.env, (line) => console.log(`Note: ${line}`))
  if (!redis) {
    const probed = process.env.REDIS_PROBE_PORT || DEFAULT_PROBE_PORT
    console.error(`No Redis: REDIS_URL is not set, nothing answers on 127.0.0.1:${probed}, and redis-server is not installed.`)
    console.error(INSTALL_HINT)
    process.exit(1)
  }
  console.log(`Redis: ${redis.description}`)
  let app: RunningApp | undefined
  let stopping = false
  let firstSignalAt = 0
  const shutdown = async (signal: NodeJS.Signals) => {
    // Under tsx (npm start) one Ctrl-C can arrive twice: from the terminal and relayed by tsx.
    if (stopping) {
      if (Date.now() - firstSignalAt < REPEAT_WINDOW_MS) return
      console.log(`${signal} again: exiting now.`)
      process.exit(1)
    }
    stopping = true
    firstSignalAt = Date.now()
    console.log(`${signal}: shutting down…`)
    setTimeout(() => {
      console.error(`Shutdown took longer than ${SHUTDOWN_LIMIT_MS} ms; exiting.`)
      process.exit(1)
    }, SHUTDOWN_LIMIT_MS).unref()
    await app?.close()
    await redis.stop()
    console.log('Stopped.')
  }
  process.on('SIGINT', (signal) => void shutdown(signal))
  process.on('SIGTERM', (signal) => void shutdown(signal))

  try {
    app = await startApp({ port, host: process.env.HOST || '127.0.0.1', redisUrl: redis.url, secret: secretFromEnv(), cookieSecret: process.env.SESSION_COOKIE_SECRET || undefined, concurrency })
  } catch (error) {
    console.error(explain(error, port, redis))
    await redis.stop()
    process.exit(1)
  }
  if (stopping) {
    await app.close()
    return
  }
  console.log(`Example app listening on ${app.url}  (Ctrl-C to stop)`)
  console.log(`For operators: ${app.url}/stats, ${app.url}/metrics, ${app.url}/health`)
}

await main()
