import { createHash } from 'node:crypto'
import { CliError, EXIT, redactUrl } from './cli-error.js'

/** The Redis operations the CLI needs, values always as Buffers. */
export interface SessionRedis {
  get(key: string): Promise<Buffer | null>
  mget(keys: readonly string[]): Promise<(Buffer | null)[]>
  /** The first `bytes` bytes of a value and its full length. */
  head(key: string, bytes: number): Promise<{ head: Buffer; length: number }>
  pttl(key: string): Promise<number>
  /** Batches of keys matching `match`. */
  scan(match: string, count: number): AsyncIterable<string[]>
  /** Writes `next` only if the key still holds `previous`, keeping its remaining TTL. */
  replaceIfUnchanged(key: string, previous: Buffer, next: Buffer | string): Promise<boolean>
  /** Deletes the key only if it still holds `previous`. */
  deleteIfUnchanged(key: string, previous: Buffer): Promise<boolean>
  close(): Promise<void>
}

/**
 * Compare-and-set in one atomic script: the value must still hash to ARGV[1] (SHA-1 of what we
 * read), and the remaining TTL is carried over (PTTL, then SET PX; -1 = no expiry stays so).
 */
const REPLACE_IF_UNCHANGED = `
local current = redis.call('GET', KEYS[1])
if not current or redis.sha1hex(current) ~= ARGV[1] then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 then redis.call('SET', KEYS[1], ARGV[2])
elseif ttl > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
else return 0 end
return 1`

const DELETE_IF_UNCHANGED = `
local current = redis.call('GET', KEYS[1])
if not current or redis.sha1hex(current) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`

type Call = (...args: unknown[]) => Promise<unknown>
interface NodeRedisClient {
  connect(): Promise<unknown>
  close?: () => Promise<unknown>
  quit?: () => Promise<unknown>
  destroy?: () => void
  on(event: 'error', listener: (error: unknown) => void): unknown
  withTypeMapping(mapping: Record<number, unknown>): NodeRedisClient
  get: Call
  mGet: Call
  getRange: Call
  strLen: Call
  pTTL: Call
  scan: Call
  eval: Call
}
interface NodeRedisModule {
  createClient(options: object): NodeRedisClient
  RESP_TYPES: { BLOB_STRING: number }
}

export const sha1 = (value: Uint8Array): string => createHash('sha1').update(value).digest('hex')

/** Connects to `url` with node-redis; fails fast (no reconnect loop) with a clear message. */
export async function connectRedis(url: string, connectTimeoutMs = 5000): Promise<SessionRedis> {
  let redis: NodeRedisModule
  try {
    redis = (await import('redis')) as unknown as NodeRedisModule
  } catch {
    throw new CliError('the CLI needs the "redis" package (node-redis): npm install redis')
  }
  let client: NodeRedisClient
  try {
    client = redis.createClient({ url, socket: { reconnectStrategy: false, connectTimeout: connectTimeoutMs } })
  } catch (error) {
    throw new CliError(`bad Redis URL ${redactUrl(url)}: ${(error as Error).message}`, EXIT.usage)
  }
  let lastError: unknown
  client.on('error', (error) => (lastError = error))
  try {
    await client.connect()
  } catch (error) {
    const cause = (error as NodeJS.ErrnoException).code ?? (lastError as NodeJS.ErrnoException | undefined)?.code ?? (error as Error).message
    client.destroy?.()
    throw new CliError(`cannot connect to Redis at ${redactUrl(url)}: ${cause}`)
  }
  const buffers = client.withTypeMapping({ [redis.RESP_TYPES.BLOB_STRING]: Buffer })
  return {
    get: (key) => buffers.get(key) as Promise<Buffer | null>,
    mget: (keys) => (keys.length === 0 ? Promise.resolve([]) : (buffers.mGet(keys) as Promise<(Buffer | null)[]>)),
    async head(key, bytes) {
      const [head, length] = await Promise.all([buffers.getRange(key, 0, bytes - 1), client.strLen(key)])
      return { head: head as Buffer, length: Number(length) }
    },
    pttl: async (key) => Number(await client.pTTL(key)),
    async *scan(match, count) {
      let cursor = '0'
      do {
        const reply = (await client.scan(cursor, { MATCH: match, COUNT: count })) as { cursor: string | number; keys: string[] }
        cursor = String(reply.cursor)
        if (reply.keys.length > 0) yield reply.keys
      } while (cursor !== '0')
    },
    async replaceIfUnchanged(key, previous, next) {
      const done = await client.eval(REPLACE_IF_UNCHANGED, { keys: [key], arguments: [sha1(previous), next] })
      return Number(done) === 1
    },
    async deleteIfUnchanged(key, previous) {
      const done = await client.eval(DELETE_IF_UNCHANGED, { keys: [key], arguments: [sha1(previous)] })
      return Number(done) === 1
    },
    async close() {
      await (client.close ? client.close() : client.quit?.())
    },
  }
}

/** The SCAN pattern of every key under `prefix`, glob characters escaped. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`
}
