import { isIndexKey } from '../users/user-index.js'
import { CliError } from './cli-error.js'
import { connectIoRedis, type IoRedisModule } from './redis-io.js'
import type { SessionRedis } from './redis-contract.js'
import { connectNodeRedis, type NodeRedisModule } from './redis-node.js'

export type { SessionRedis } from './redis-contract.js'

/** The client packages the CLI can use, in the order it tries them: whichever the app installed. */
export const CLIENT_PACKAGES = ['redis', 'ioredis', 'iovalkey'] as const

/**
 * Connects to `url` with the first client package that is installed (node-redis, else ioredis,
 * else iovalkey); fails fast (no reconnect loop) with a clear message.
 */
export async function connectRedis(url: string, connectTimeoutMs = 5000): Promise<SessionRedis> {
  for (const name of CLIENT_PACKAGES) {
    let loaded: unknown
    try {
      loaded = await import(name)
    } catch {
      continue
    }
    return name === 'redis' ? connectNodeRedis(loaded as NodeRedisModule, url, connectTimeoutMs) : connectIoRedis(loaded as IoRedisModule, url, connectTimeoutMs)
  }
  throw new CliError('the CLI needs a Redis client package, as the app does: npm install redis (node-redis), or ioredis, or iovalkey')
}

/** The SCAN pattern of every key under `prefix`, glob characters escaped. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`
}

/** A SCAN batch split into session records and the users' index keys (sorted sets, not records). */
export function splitIndexKeys(keys: readonly string[], prefix: string): { records: string[]; indexes: number } {
  const records = keys.filter((key) => !isIndexKey(key, prefix))
  return { records, indexes: keys.length - records.length }
}
