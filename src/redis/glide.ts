import { keysAsStrings, perKey, type RedisAdapter } from './adapter.js'

/** GLIDE's `Decoder.Bytes`: replies as Buffers. The number itself, so the library never loads GLIDE. */
const BYTES = { decoder: 0 } as const

type Value = Buffer | string
type Reply = Promise<unknown>

/** What the adapter uses of a Valkey GLIDE 2 `GlideClient` or `GlideClusterClient`. */
export interface GlideCommands {
  get(key: string, options: typeof BYTES): Reply
  mget(keys: string[], options: typeof BYTES): Reply
  set(key: string, value: Value, options?: { expiry: { type: 'EX'; count: number } }): Reply
  expire(key: string, seconds: number): Reply
  del(keys: string[]): Reply
  customCommand(args: Value[], options: typeof BYTES): Reply
  invokeScript: (...args: never[]) => Reply
}

/** A cluster scan cursor: GLIDE keeps its state natively and hands back a new one per batch. */
interface GlideScanCursor {
  getCursor(): string
  isFinished?(): boolean
}

interface GlideClient extends GlideCommands {
  scan(cursor: string, options: { match: string; count: number } & typeof BYTES): Reply
}

interface GlideClusterClient extends GlideCommands {
  scan(cursor: GlideScanCursor, options: { match: string; count: number } & typeof BYTES): Reply
  invokeScriptWithRoute: (...args: never[]) => Reply
}

export function isGlide(client: object): client is GlideClient | GlideClusterClient {
  const c = client as Partial<GlideCommands>
  return typeof c.invokeScript === 'function' && typeof c.customCommand === 'function'
}

function isGlideCluster(client: GlideClient | GlideClusterClient): client is GlideClusterClient {
  return typeof (client as Partial<GlideClusterClient>).invokeScriptWithRoute === 'function'
}

/** Every key matching `match` on a standalone server, in SCAN batches. */
async function* scanStandalone(client: GlideClient, match: string, count: number): AsyncIterable<string[]> {
  let cursor = '0'
  do {
    const [next, keys] = (await client.scan(cursor, { match, count, ...BYTES })) as [Uint8Array | string, Uint8Array[]]
    cursor = Buffer.from(next).toString('latin1')
    if (keys.length > 0) yield keysAsStrings(keys)
  } while (cursor !== '0')
}

/** GLIDE's cluster scan visits every primary itself; a new cursor is the one with an empty id. */
async function* scanCluster(client: GlideClusterClient, match: string, count: number): AsyncIterable<string[]> {
  let cursor: GlideScanCursor = { getCursor: () => '' }
  do {
    const [next, keys] = (await client.scan(cursor, { match, count, ...BYTES })) as [GlideScanCursor, Uint8Array[]]
    cursor = next
    if (keys.length > 0) yield keysAsStrings(keys)
  } while (cursor.isFinished?.() !== true)
}

/**
 * A Valkey GLIDE client, standalone or cluster. Scripts go through `customCommand(['EVAL', ...])`
 * (not EVALSHA: GLIDE rewords NOSCRIPT and logs every server error, so a fallback would be noisy):
 * `invokeScript` needs a native `Script`, which only an import of GLIDE could make, and GLIDE
 * routes EVAL by its key (following MOVED) like any keyed command.
 */
export function glideAdapter(client: GlideClient | GlideClusterClient): RedisAdapter {
  const cluster = isGlideCluster(client)
  const get = (key: string) => client.get(key, BYTES) as Promise<Buffer | null>
  return {
    cluster,
    get,
    mget: (keys) => (cluster ? perKey(keys, get) : (client.mget([...keys], BYTES) as Promise<(Buffer | null)[]>)),
    async set(key, value, ttl) {
      await (ttl === undefined ? client.set(key, value) : client.set(key, value, { expiry: { type: 'EX', count: ttl } }))
    },
    async expire(key, ttl) {
      await client.expire(key, ttl)
    },
    async del(keys) {
      if (cluster) await perKey(keys, (key) => client.del([key]))
      else if (keys.length > 0) await client.del([...keys])
    },
    scan: (match, count) => (cluster ? scanCluster(client, match, count) : scanStandalone(client as GlideClient, match, count)),
    eval: (script, keys, args) => client.customCommand(['EVAL', script, String(keys.length), ...keys, ...args], BYTES),
  }
}
