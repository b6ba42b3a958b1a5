import { SealedError, SealedOptionsError } from './errors.js'

/**
 * The handful of Redis commands the store needs, with values always as Buffers, so sealed
 * bytes are never decoded as UTF-8 whichever client is underneath.
 */
export interface RedisAdapter {
  get(key: string): Promise<Buffer | null>
  mget(keys: readonly string[]): Promise<(Buffer | null)[]>
  /** SET with EX `ttl` seconds, or without expiry when `ttl` is undefined. */
  set(key: string, value: Buffer | string, ttl: number | undefined): Promise<void>
  expire(key: string, ttl: number): Promise<void>
  del(keys: readonly string[]): Promise<void>
  /** Batches of keys matching a SCAN pattern. */
  scan(match: string, count: number): AsyncIterable<string[]>
  /** EVAL of a Lua script; `keys` must share one hash slot on a cluster. */
  eval(script: string, keys: readonly string[], args: readonly (Buffer | string)[]): Promise<unknown>
}

/** Buffer replies for RESP blob strings ('$', char code 36) in node-redis v5 and v6. */
const BLOB_STRING = 36

type Fn = (...args: unknown[]) => Promise<unknown>
interface NodeRedisLike {
  withTypeMapping(mapping: Record<number, unknown>): NodeRedisLike
  get: Fn
  mGet: Fn
  set: Fn
  expire: Fn
  del: Fn
  scan: Fn
  eval: Fn
}
interface IoRedisLike {
  getBuffer: Fn
  mgetBuffer: Fn
  set: Fn
  expire: Fn
  del: Fn
  scan: Fn
  eval: Fn
}

function isNodeRedis(client: object): client is NodeRedisLike {
  return typeof (client as NodeRedisLike).withTypeMapping === 'function' && typeof (client as NodeRedisLike).mGet === 'function'
}

function isIoRedis(client: object): client is IoRedisLike {
  return typeof (client as IoRedisLike).getBuffer === 'function' && typeof (client as IoRedisLike).mgetBuffer === 'function'
}

function nodeRedisAdapter(client: NodeRedisLike): RedisAdapter {
  const buffers = client.withTypeMapping({ [BLOB_STRING]: Buffer })
  return {
    get: (key) => buffers.get(key) as Promise<Buffer | null>,
    mget: (keys) => buffers.mGet(keys) as Promise<(Buffer | null)[]>,
    async set(key, value, ttl) {
      await (ttl === undefined ? client.set(key, value) : client.set(key, value, { expiration: { type: 'EX', value: ttl } }))
    },
    async expire(key, ttl) {
      await client.expire(key, ttl)
    },
    async del(keys) {
      if (keys.length > 0) await client.del(keys)
    },
    async *scan(match, count) {
      let cursor = '0'
      do {
        const reply = (await client.scan(cursor, { MATCH: match, COUNT: count })) as { cursor: string | number; keys: string[] }
        cursor = String(reply.cursor)
        if (reply.keys.length > 0) yield reply.keys
      } while (cursor !== '0')
    },
    eval: (script, keys, args) => client.eval(script, { keys: [...keys], arguments: [...args] }),
  }
}

function ioRedisAdapter(client: IoRedisLike): RedisAdapter {
  return {
    get: (key) => client.getBuffer(key) as Promise<Buffer | null>,
    mget: (keys) => client.mgetBuffer(...keys) as Promise<(Buffer | null)[]>,
    async set(key, value, ttl) {
      await (ttl === undefined ? client.set(key, value) : client.set(key, value, 'EX', ttl))
    },
    async expire(key, ttl) {
      await client.expire(key, ttl)
    },
    async del(keys) {
      if (keys.length > 0) await client.del(...keys)
    },
    async *scan(match, count) {
      let cursor = '0'
      do {
        const [next, keys] = (await client.scan(cursor, 'MATCH', match, 'COUNT', count)) as [string, string[]]
        cursor = next
        if (keys.length > 0) yield keys
      } while (cursor !== '0')
    },
    eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
  }
}

/** Wraps a user's client; a TypeError names the option when it is neither node-redis nor ioredis. */
export function adaptClient(client: unknown): RedisAdapter {
  if (typeof client === 'object' && client !== null) {
    if (isNodeRedis(client)) return nodeRedisAdapter(client)
    if (isIoRedis(client)) return ioRedisAdapter(client)
  }
  throw new SealedOptionsError('client', 'must be a node-redis v5/v6 or ioredis v5/v6 client')
}

interface OwnedClient extends NodeRedisLike {
  readonly isReady: boolean
  connect(): Promise<unknown>
  destroy(): void
  close?: () => Promise<unknown>
  quit?: () => Promise<unknown>
  on(event: 'error', listener: (error: unknown) => void): unknown
}

/**
 * A node-redis client made from `url` that the store owns. It connects in the background;
 * commands wait in node-redis's queue until it is up.
 */
export function ownClient(url: string, load: (id: string) => unknown): { adapter: RedisAdapter; close: () => Promise<void> } {
  let redis: { createClient(options: { url: string }): OwnedClient }
  try {
    redis = load('redis') as typeof redis
  } catch (cause) {
    throw new SealedError('ERR_SEALED_CLIENT', 'option "url" needs the "redis" package: npm install redis', { cause })
  }
  const client = redis.createClient({ url })
  client.on('error', () => {
    // node-redis reconnects by itself; a failed command reaches the caller that issued it.
  })
  const connecting = client.connect().catch(() => {})
  return {
    adapter: nodeRedisAdapter(client),
    async close() {
      // Not connected (Redis down or still connecting): a graceful close would wait forever for
      // the connection; destroy rejects the queued commands and stops reconnecting.
      if (!client.isReady) {
        client.destroy()
        await connecting
        return
      }
      await (client.close ? client.close() : client.quit?.())
    },
  }
}
