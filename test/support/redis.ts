/**
 * Shared test plumbing: one private redis-server per test file, the four supported clients as a
 * matrix, and a raw client that sees the stored bytes exactly as Redis holds them.
 */
import { after, before } from 'node:test'
import { Redis as IoRedis5 } from 'ioredis'
import { Redis as IoRedis6 } from 'ioredis6'
import { Redis as IoValkey } from 'iovalkey'
import { GlideClient } from '@valkey/valkey-glide'
import { createClient as createNodeRedis6 } from 'redis'
import { createClient as createNodeRedis5 } from 'redis5'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'
import type { ClientName } from './client-names.js'
import { StoreTracker } from './sessions.js'

/** A raw view of the test server: reads bytes without any decoding, writes bytes as given. */
export interface RawRedis {
  getBuffer(key: string): Promise<Buffer | null>
  set(key: string, value: Buffer | string): Promise<void>
  /** Seconds to live: -1 without expiry, -2 when the key is absent. */
  ttl(key: string): Promise<number>
  exists(key: string): Promise<boolean>
  /** Every key on the server, sorted. */
  keys(): Promise<string[]>
  flushAll(): Promise<void>
  /** Any other command, for setting up odd states. */
  call(command: string, ...args: (string | number | Buffer)[]): Promise<unknown>
}

/** The test file's redis-server; its fields are usable once `before` has run. */
export interface TestRedis {
  /** Resolves once the server answers. (Node 20 does not wait for one root-level `before` before starting the next.) */
  started(): Promise<void>
  /** Runs `close` in the `after` hook before the server stops (last registered, first run). */
  beforeStop(close: () => Promise<void>): void
  readonly url: string
  readonly port: number
  readonly raw: RawRedis
  readonly server: LocalRedis
}

function rawView(client: IoRedis5): RawRedis {
  return {
    getBuffer: (key) => client.getBuffer(key),
    async set(key, value) {
      await client.set(key, value)
    },
    ttl: (key) => client.ttl(key),
    exists: async (key) => (await client.exists(key)) === 1,
    keys: async () => (await client.keys('*')).sort(),
    async flushAll() {
      await client.flushall()
    },
    call: (command, ...args) => client.call(command, ...args),
  }
}

/**
 * Starts one redis-server for the calling test file in `before` and stops it in `after`. When
 * redis-server is not installed, `before` throws the install hint and every test fails.
 */
export function useRedis(): TestRedis {
  let server: LocalRedis | undefined
  let client: IoRedis5 | undefined
  let raw: RawRedis | undefined
  let starting: Promise<void> | undefined
  const start = () =>
    (starting ??= (async () => {
      server = await startRedis()
      client = new IoRedis5(server.url, { lazyConnect: true })
      await client.connect()
      raw = rawView(client)
    })())
  const closers: (() => Promise<void>)[] = []
  before(start)
  after(async () => {
    for (const close of closers.reverse()) await close()
    await client?.quit()
    await server?.stop()
  })
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useRedis(): the redis-server is not started yet (use it inside a test or hook)')
    return value
  }
  return {
    started: start,
    beforeStop: (close) => void closers.push(close),
    get url() {
      return ready(server).url
    },
    get port() {
      return ready(server).port
    },
    get raw() {
      return ready(raw)
    },
    get server() {
      return ready(server)
    },
  }
}

/** One supported Redis client library: how to make a connected client and how to close it. */
export interface ClientKind {
  readonly name: ClientName
  /**
   * A connected client. With `failFast`, commands issued while disconnected reject instead of
   * waiting. With `connecting`, the client is returned while its connection is still being made.
   */
  create(url: string, options?: { failFast?: boolean; connecting?: boolean }): Promise<object>
  close(client: object): Promise<void>
  /** False once the client has noticed that its connection is gone. */
  isConnected(client: object): boolean
}

interface NodeRedisClient {
  readonly isReady: boolean
  readonly isOpen: boolean
  connect(): Promise<unknown>
  destroy(): void
  on(event: 'error', listener: (error: unknown) => void): unknown
}

function nodeRedisKind(name: ClientName, create: (options: object) => NodeRedisClient): ClientKind {
  return {
    name,
    async create(url, options = {}) {
      const client = create({
        url,
        disableOfflineQueue: options.failFast === true,
        socket: options.failFast ? { reconnectStrategy: false } : {},
      })
      client.on('error', () => {
        // Reconnection is the client's job; failed commands reach their caller.
      })
      const connected = client.connect()
      if (options.connecting) connected.catch(() => {})
      else await connected
      return client
    },
    async close(client) {
      const nodeRedis = client as NodeRedisClient
      if (nodeRedis.isOpen) nodeRedis.destroy()
    },
    isConnected: (client) => (client as NodeRedisClient).isReady,
  }
}

type IoRedisClass = new (url: string, options: object) => IoRedis5

function ioRedisKind(name: ClientName, Client: IoRedisClass): ClientKind {
  return {
    name,
    async create(url, options = {}) {
      const failFast = options.failFast === true
      const client = new Client(url, {
        lazyConnect: true,
        enableOfflineQueue: !failFast,
        maxRetriesPerRequest: failFast ? 0 : 20,
        retryStrategy: failFast ? () => null : undefined,
      })
      client.on('error', () => {})
      const connected = client.connect()
      if (options.connecting) connected.catch(() => {})
      else await connected
      return client
    },
    async close(client) {
      // disconnect() on an ended connection arms a 2 s timer that nothing clears.
      const ioredis = client as IoRedis5
      if (ioredis.status !== 'end') ioredis.disconnect()
    },
    isConnected: (client) => (client as IoRedis5).status === 'ready',
  }
}

/** node-redis 6 and 5, ioredis 5 and 6, iovalkey (Valkey's ioredis fork): contract tests run one body over each. */
export function clientKinds(): readonly ClientKind[] {
  return [
    nodeRedisKind('node-redis 6', (o) => createNodeRedis6(o) as unknown as NodeRedisClient),
    nodeRedisKind('node-redis 5', (o) => createNodeRedis5(o) as unknown as NodeRedisClient),
    ioRedisKind('ioredis 5', IoRedis5),
    ioRedisKind('ioredis 6', IoRedis6 as unknown as IoRedisClass),
    ioRedisKind('iovalkey', IoValkey as unknown as IoRedisClass),
  ]
}

/**
 * Valkey GLIDE's standalone client. Not in `clientKinds()`: it reports no connection state, so
 * the files that watch a client notice a lost server cannot use it; `isConnected` is only false
 * for a lazy client that has sent nothing yet.
 */
export function glideKind(): ClientKind {
  const lazy = new WeakSet<object>()
  return {
    name: 'valkey-glide',
    async create(url, options = {}) {
      const { hostname, port } = new URL(url)
      const client = await GlideClient.createClient({ addresses: [{ host: hostname, port: Number(port) }], lazyConnect: options.connecting === true, requestTimeout: 2000 })
      if (options.connecting) lazy.add(client)
      return client
    },
    async close(client) {
      ;(client as GlideClient).close()
    },
    isConnected: (client) => !lazy.has(client),
  }
}

/** One connected client of `kind` (node-redis 6 by default) for files that are not about client differences. */
export function useClient(redis: TestRedis, kind: ClientKind = clientKinds()[0] as ClientKind): { readonly client: object; started(): Promise<void> } {
  let client: object | undefined
  let starting: Promise<void> | undefined
  const start = () =>
    (starting ??= (async () => {
      await redis.started()
      client = await kind.create(redis.url)
    })())
  before(start)
  redis.beforeStop(async () => {
    if (client) await kind.close(client)
  })
  return {
    started: start,
    get client() {
      if (!client) throw new Error('useClient(): not connected yet (use it inside a test or hook)')
      return client
    },
  }
}

/** For one describe block: a client of `kind`, and a StoreTracker whose stores close before the client does. */
export function useKindClient(redis: TestRedis, kind: ClientKind): { readonly client: object; readonly stores: StoreTracker } {
  let client: object | undefined
  const stores = new StoreTracker()
  before(async () => {
    client = await kind.create(redis.url)
  })
  after(async () => {
    await stores.closeAll()
    if (client) await kind.close(client)
  })
  return {
    get client(): object {
      if (!client) throw new Error(`the ${kind.name} client is not connected yet (use it inside a test)`)
      return client
    },
    stores,
  }
}
