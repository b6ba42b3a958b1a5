/**
 * The session stores under test, each built the way its users would build it, on its own
 * Redis connection. Shared by the store-level bench (in process) and the HTTP server child.
 */
import session from 'express-session'
import { RedisStore as ConnectRedis } from 'connect-redis'
import connectRedisCrypto from 'connect-redis-crypto'
import { createClient } from 'redis'
import type { RedisStoreOptions } from '../src/index.js'
import { RedisStore } from './built-store.js'

export const STORE_CONTENDERS = ['connect-redis', 'connect-redis-crypto', 'inline', 'pooled', 'auto', 'inline+gzip', 'auto+gzip'] as const
export type StoreContender = (typeof STORE_CONTENDERS)[number]

/** What each contender is, for the report. */
export const DESCRIPTIONS: Record<StoreContender | 'raw', string> = {
  raw: 'node-redis GET + SET of the same number of bytes, no session store (the floor)',
  'connect-redis': 'connect-redis 9, plaintext JSON',
  'connect-redis-crypto': 'connect-redis-crypto 4.0.5 (kruptein, aes-256-gcm, PBKDF2 per operation) on a node-redis legacy() client',
  inline: 'ours, pool: false (everything on the main thread)',
  pooled: 'ours, offloadThreshold: 0 (every seal/open on the worker)',
  auto: 'ours, defaults (pool from offloadThreshold = 32 KiB)',
  'inline+gzip': "ours, pool: false, compress: { algorithm: 'gzip' }",
  'auto+gzip': "ours, defaults + compress: { algorithm: 'gzip' }",
}

/** Secrets for one run, made fresh by the parent and never printed. */
export interface BenchSecrets {
  /** 32 random bytes, hex, for our store. */
  sealed: string
  /** A random passphrase for connect-redis-crypto. */
  crypto: string
}

export interface OpenedStore {
  readonly store: session.Store
  close(): Promise<void>
}

function ourOptions(name: StoreContender): Partial<RedisStoreOptions> {
  const gzip = { compress: { algorithm: 'gzip' as const } }
  switch (name) {
    case 'inline':
      return { pool: false }
    case 'pooled':
      return { offloadThreshold: 0 }
    case 'inline+gzip':
      return { pool: false, ...gzip }
    case 'auto+gzip':
      return gzip
    default:
      return {}
  }
}

/** Builds a contender's store on a fresh, connected client of its own. */
export async function openStore(name: StoreContender, redisUrl: string, secrets: BenchSecrets, prefix = `${name}:`, extra: Partial<RedisStoreOptions> = {}): Promise<OpenedStore> {
  const client = createClient({ url: redisUrl })
  client.on('error', () => {})
  await client.connect()
  const closeClient = async () => {
    await client.close()
  }
  if (name === 'connect-redis') {
    return { store: new ConnectRedis({ client, prefix }), close: closeClient }
  }
  if (name === 'connect-redis-crypto') {
    // Written for node_redis 3: callbacks, `set([key, value, 'EX', ttl], cb)`. node-redis's legacy() is that API.
    const CryptoStore = connectRedisCrypto(session)
    return { store: new CryptoStore({ client: client.legacy(), prefix, secret: secrets.crypto }), close: closeClient }
  }
  const store = new RedisStore({ client, prefix, secret: Buffer.from(secrets.sealed, 'hex'), ...ourOptions(name), ...extra })
  return {
    store,
    async close() {
      await store.close()
      await closeClient()
    },
  }
}

/** Every key prefix the bench writes under (contenders and the raw floor). */
const BENCH_PREFIXES = ['raw:', ...STORE_CONTENDERS.map((name) => `${name}:`)]

/** Deletes the bench's keys (and nothing else, so REDIS_URL may point at a shared server). */
export async function clearBenchKeys(client: {
  scanIterator(options: { MATCH: string; COUNT: number }): AsyncIterable<string[]>
  unlink(keys: string[]): Promise<unknown>
}): Promise<void> {
  for (const prefix of BENCH_PREFIXES) {
    for await (const keys of client.scanIterator({ MATCH: `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, COUNT: 500 })) {
      if (keys.length > 0) await client.unlink(keys)
    }
  }
}

/** Where our store's seal/open operations ran (counters of RedisStore.stats()). */
export interface Dispatch {
  inline: number
  pooled: number
  /** Meant for the pool, run inline because its queue was full. */
  fallbacks: number
  workerFailures: number
}

/** Our store's dispatch counters, or undefined for the other stores. */
export function dispatchOf(store: session.Store): Dispatch | undefined {
  if (!(store instanceof RedisStore)) return undefined
  const { inline, pooled, fallbacks, workerFailures } = store.stats()
  return { inline, pooled, fallbacks, workerFailures }
}

export function dispatchDelta(after: Dispatch | undefined, before: Dispatch | undefined): Dispatch | undefined {
  if (!after || !before) return undefined
  return { inline: after.inline - before.inline, pooled: after.pooled - before.pooled, fallbacks: after.fallbacks - before.fallbacks, workerFailures: after.workerFailures - before.workerFailures }
}

/** Callback-style store calls as promises: every contender is driven through the same Store API. */
export function storeGet(store: session.Store, sid: string): Promise<session.SessionData | null | undefined> {
  return new Promise((resolve, reject) => store.get(sid, (error, value) => (error ? reject(error) : resolve(value))))
}

export function storeSet(store: session.Store, sid: string, value: session.SessionData): Promise<void> {
  return new Promise((resolve, reject) => store.set(sid, value, (error) => (error ? reject(error) : resolve())))
}
