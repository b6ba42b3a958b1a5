import { CliError, EXIT, redactUrl } from './cli-error.js'
import { connectOnce, DELETE_IF_UNCHANGED, REPLACE_IF_UNCHANGED, scanAll, sha1, type SessionRedis } from './redis-contract.js'

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
export interface NodeRedisModule {
  createClient(options: object): NodeRedisClient
  RESP_TYPES: { BLOB_STRING: number }
}

/** The CLI's Redis operations on a node-redis client that does not reconnect. */
export async function connectNodeRedis(redis: NodeRedisModule, url: string, connectTimeoutMs: number): Promise<SessionRedis> {
  let client: NodeRedisClient
  try {
    client = redis.createClient({ url, socket: { reconnectStrategy: false, connectTimeout: connectTimeoutMs } })
  } catch (error) {
    throw new CliError(`bad Redis URL ${redactUrl(url)}: ${(error as Error).message}`, EXIT.usage)
  }
  await connectOnce(url, client, () => client.connect(), () => client.destroy?.())
  const buffers = client.withTypeMapping({ [redis.RESP_TYPES.BLOB_STRING]: Buffer })
  return {
    client,
    get: (key) => buffers.get(key) as Promise<Buffer | null>,
    mget: (keys) => (keys.length === 0 ? Promise.resolve([]) : (buffers.mGet(keys) as Promise<(Buffer | null)[]>)),
    async head(key, bytes) {
      const [head, length] = await Promise.all([buffers.getRange(key, 0, bytes - 1), client.strLen(key)])
      return { head: head as Buffer, length: Number(length) }
    },
    pttl: async (key) => Number(await client.pTTL(key)),
    scan: (match, count) =>
      scanAll(async (cursor) => {
        const reply = (await client.scan(cursor, { MATCH: match, COUNT: count })) as { cursor: string | number; keys: string[] }
        return [String(reply.cursor), reply.keys]
      }),
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
