import { connectOnce, DELETE_IF_UNCHANGED, REPLACE_IF_UNCHANGED, scanAll, sha1, type SessionRedis } from './redis-contract.js'

type Call = (...args: unknown[]) => Promise<unknown>
interface IoRedisClient {
  connect(): Promise<unknown>
  quit(): Promise<unknown>
  disconnect(): void
  on(event: 'error', listener: (error: unknown) => void): unknown
  getBuffer: Call
  mgetBuffer: Call
  getrangeBuffer: Call
  strlen: Call
  pttl: Call
  scan: Call
  eval: Call
}
type IoRedisConstructor = new (url: string, options: object) => IoRedisClient
/** The `ioredis` or `iovalkey` module, as `import()` gives it. */
export type IoRedisModule = { default: IoRedisConstructor | { default: IoRedisConstructor } }

function constructorOf(module: IoRedisModule): IoRedisConstructor {
  const first = module.default
  return typeof first === 'function' ? first : first.default
}

/** The CLI's Redis operations on an ioredis (or iovalkey) client that does not reconnect. */
export async function connectIoRedis(module: IoRedisModule, url: string, connectTimeoutMs: number): Promise<SessionRedis> {
  const Redis = constructorOf(module)
  const client = new Redis(url, { lazyConnect: true, connectTimeout: connectTimeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0 })
  await connectOnce(url, client, () => client.connect(), () => client.disconnect())
  return {
    client,
    get: (key) => client.getBuffer(key) as Promise<Buffer | null>,
    mget: (keys) => (keys.length === 0 ? Promise.resolve([]) : (client.mgetBuffer(...keys) as Promise<(Buffer | null)[]>)),
    async head(key, bytes) {
      const [head, length] = await Promise.all([client.getrangeBuffer(key, 0, bytes - 1), client.strlen(key)])
      return { head: head as Buffer, length: Number(length) }
    },
    pttl: async (key) => Number(await client.pttl(key)),
    scan: (match, count) => scanAll(async (cursor) => (await client.scan(cursor, 'MATCH', match, 'COUNT', count)) as [string, string[]]),
    async replaceIfUnchanged(key, previous, next) {
      return Number(await client.eval(REPLACE_IF_UNCHANGED, 1, key, sha1(previous), next)) === 1
    },
    async deleteIfUnchanged(key, previous) {
      return Number(await client.eval(DELETE_IF_UNCHANGED, 1, key, sha1(previous))) === 1
    },
    async close() {
      await client.quit()
    },
  }
}
