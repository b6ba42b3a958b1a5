import { createHash } from 'node:crypto'
import { CliError, redactUrl } from './cli-error.js'

/** The Redis operations the CLI needs, values always as Buffers. */
export interface SessionRedis {
  /** The connected client itself, for a store the CLI builds on it (`sessions`, `revoke`). */
  readonly client: object
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
export const REPLACE_IF_UNCHANGED = `
local current = redis.call('GET', KEYS[1])
if not current or redis.sha1hex(current) ~= ARGV[1] then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 then redis.call('SET', KEYS[1], ARGV[2])
elseif ttl > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
else return 0 end
return 1`

export const DELETE_IF_UNCHANGED = `
local current = redis.call('GET', KEYS[1])
if not current or redis.sha1hex(current) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`

export const sha1 = (value: Uint8Array): string => createHash('sha1').update(value).digest('hex')

/** A client as far as connecting goes: it reports trouble through 'error' events. */
interface Connectable {
  on(event: 'error', listener: (error: unknown) => void): unknown
}

/**
 * Connects once (the client must not retry), or drops the client and throws one CliError naming
 * the cause: the rejection's code, else the last 'error' event's, else the message.
 */
export async function connectOnce(url: string, client: Connectable, connect: () => Promise<unknown>, drop: () => void): Promise<void> {
  let lastError: unknown
  client.on('error', (error) => (lastError = error))
  try {
    await connect()
  } catch (error) {
    const cause = (error as NodeJS.ErrnoException).code ?? (lastError as NodeJS.ErrnoException | undefined)?.code ?? (error as Error).message
    drop()
    throw new CliError(`cannot connect to Redis at ${redactUrl(url)}: ${cause}`)
  }
}

/** SCAN from cursor 0 to 0, yielding each non-empty batch; `step` runs one SCAN and returns the next cursor and keys. */
export async function* scanAll(step: (cursor: string) => Promise<[string, string[]]>): AsyncIterable<string[]> {
  let cursor = '0'
  do {
    const [next, keys] = await step(cursor)
    cursor = next
    if (keys.length > 0) yield keys
  } while (cursor !== '0')
}
