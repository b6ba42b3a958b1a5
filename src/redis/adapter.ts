/**
 * The handful of Redis commands the store needs, with values always as Buffers, so sealed
 * bytes are never decoded as UTF-8 whichever client or topology is underneath.
 */
export interface RedisAdapter {
  /** True on a Redis Cluster: two keys may live on two nodes, so a write order needs a round trip between them. */
  readonly cluster: boolean
  get(key: string): Promise<Buffer | null>
  /** One value per key, in order. On a cluster no single command spans hash slots. */
  mget(keys: readonly string[]): Promise<(Buffer | null)[]>
  /** SET with EX `ttl` seconds, or without expiry when `ttl` is undefined. */
  set(key: string, value: Buffer | string, ttl: number | undefined): Promise<void>
  expire(key: string, ttl: number): Promise<void>
  /** Deletes the keys. On a cluster no single command spans hash slots. */
  del(keys: readonly string[]): Promise<void>
  /** Batches of keys matching a SCAN pattern; on a cluster, from every master in turn. */
  scan(match: string, count: number): AsyncIterable<string[]>
  /** EVAL of a Lua script; `keys` must share one hash slot on a cluster. */
  eval(script: string, keys: readonly string[], args: readonly (Buffer | string)[]): Promise<unknown>
}

/** A client method as the adapters call it: untyped arguments, a promise back. */
export type Fn = (...args: unknown[]) => Promise<unknown>

/** Keys from SCAN as strings, also when a client was set up to reply with Buffers. */
export function keysAsStrings(keys: readonly (string | Uint8Array)[]): string[] {
  return keys.map((key) => (typeof key === 'string' ? key : Buffer.from(key).toString('utf8')))
}

/**
 * One command per key, all sent at once: the client pipelines them on each node's connection,
 * and each goes to the node that owns its slot, so a multi-key command never spans slots.
 */
export function perKey<T>(keys: readonly string[], command: (key: string) => Promise<T>): Promise<T[]> {
  return Promise.all(keys.map(command))
}
