/**
 * The stores of the in-process benches (store level, async counts), each built the way its users
 * would build it, on its own node-redis connection: connect-redis 9 and ours (the built package).
 */
import type session from 'express-session'
import { RedisStore as ConnectRedis } from 'connect-redis'
import { createClient } from 'redis'
import type { RedisStoreOptions } from '../src/index.js'
import { RedisStore } from './built-store.js'

export type StoreContender = 'connect-redis' | 'auto'

export interface OpenedStore {
  readonly store: session.Store
  close(): Promise<void>
}

/** Builds a contender's store on a fresh, connected client; `secret` (hex, 32 bytes) is ours only. */
export async function openStore(name: StoreContender, redisUrl: string, secret: string, prefix = `${name}:`, extra: Partial<RedisStoreOptions> = {}): Promise<OpenedStore> {
  const client = createClient({ url: redisUrl })
  client.on('error', () => {})
  await client.connect()
  const closeClient = async () => {
    await client.close()
  }
  if (name === 'connect-redis') return { store: new ConnectRedis({ client, prefix }), close: closeClient }
  const store = new RedisStore({ client, prefix, secret: Buffer.from(secret, 'hex'), ...extra })
  return {
    store,
    async close() {
      await store.close()
      await closeClient()
    },
  }
}

/** Callback-style store calls as promises: every contender is driven through the same Store API. */
export function storeGet(store: session.Store, sid: string): Promise<session.SessionData | null | undefined> {
  return new Promise((resolve, reject) => store.get(sid, (error, value) => (error ? reject(error) : resolve(value))))
}

export function storeSet(store: session.Store, sid: string, value: session.SessionData): Promise<void> {
  return new Promise((resolve, reject) => store.set(sid, value, (error) => (error ? reject(error) : resolve())))
}
