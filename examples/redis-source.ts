/**
 * Which Redis the example app uses: `REDIS_URL` if set; else a Redis on 127.0.0.1 at
 * `REDIS_PROBE_PORT` (default 6379) if it answers PING; else a private redis-server on a free
 * port, stopped on exit; else none (the caller prints the install hint).
 */
import { ask, findRedisServer, startRedis } from '../scripts/local-redis.js'

export interface RedisSource {
  /** The URL to connect to. */
  readonly url: string
  /** How it was chosen, for the start-up message (passwords masked). */
  readonly description: string
  /** What the app must do on exit: stops a private server, nothing otherwise. */
  stop(): Promise<void>
}

export const DEFAULT_PROBE_PORT = 6379

/** The URL with any password replaced by `***`, for printing. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(unparsable REDIS_URL)'
  }
}

function probePort(env: NodeJS.ProcessEnv): number {
  const text = env.REDIS_PROBE_PORT
  if (text === undefined || text === '') return DEFAULT_PROBE_PORT
  const port = Number(text)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`REDIS_PROBE_PORT must be a port number, got ${JSON.stringify(text)}`)
  return port
}

/** `'+PONG'`, another reply (e.g. `-NOAUTH ...`), or undefined when nothing answers. */
async function probe(port: number): Promise<string | undefined> {
  try {
    return await ask(port, 'PING', 500)
  } catch {
    return undefined
  }
}

/**
 * Picks the Redis as described above. Resolves `undefined` when there is none and redis-server
 * is not installed. `notes` receives hints worth printing (e.g. a local Redis that wants a password).
 */
export async function chooseRedis(env: NodeJS.ProcessEnv = process.env, notes: (line: string) => void = () => {}): Promise<RedisSource | undefined> {
  const nothing = async () => {}
  if (env.REDIS_URL) return { url: env.REDIS_URL, description: `from REDIS_URL (${maskUrl(env.REDIS_URL)})`, stop: nothing }
  const port = probePort(env)
  const reply = await probe(port)
  if (reply === '+PONG') return { url: `redis://127.0.0.1:${port}`, description: `found at 127.0.0.1:${port}`, stop: nothing }
  if (reply !== undefined) notes(`127.0.0.1:${port} answered PING with "${reply.slice(0, 60)}"; set REDIS_URL (with its password) to use it.`)
  if (!findRedisServer()) return undefined
  const local = await startRedis()
  return {
    url: local.url,
    description: `started a private redis-server on port ${local.port} (stopped on exit; sessions are lost then)`,
    stop: () => local.stop(),
  }
}
