import { SealedError } from '../errors.js'
import type { RecordToken } from '../records/record-token.js'
import type { RedisAdapter } from './adapter.js'
import { isWrongType } from './session-reads.js'

/** What a conditional write found: written, the key gone (the session ended), or another value there. */
export type ConditionalWrite = 'written' | 'gone' | 'changed'

/**
 * SET only if the key still holds the record the token names; one key, so it runs on a Cluster.
 * The hot path is one GETRANGE of the token's bytes and the SET: a large record is never copied
 * into Lua, and every Lua call costs server time (a plain SET is the yardstick). Only on a
 * mismatch does EXISTS tell a gone key from a changed one. A key of another type fails the
 * GETRANGE with WRONGTYPE, which the caller takes as "changed". ARGV: the token's bytes, the
 * last offset to compare (-1: the whole value), the value, TTL seconds or '' (no expiry).
 * Returns 1 written, 0 gone, -1 changed.
 */
const SET_IF_UNCHANGED = `local k = KEYS[1]
if redis.call('GETRANGE', k, 0, ARGV[2]) ~= ARGV[1] then
  if redis.call('EXISTS', k) == 0 then return 0 end
  return -1
end
if ARGV[4] == '' then redis.call('SET', k, ARGV[3]) else redis.call('SET', k, ARGV[3], 'EX', ARGV[4]) end
return 1`

const OUTCOMES: Record<number, ConditionalWrite> = { 1: 'written', 0: 'gone', [-1]: 'changed' }

/** Writes `value` under `key` if the key still holds the record `token` names. */
export async function setIfUnchanged(redis: RedisAdapter, key: string, value: Buffer | string, ttl: number | undefined, token: RecordToken): Promise<ConditionalWrite> {
  const last = token.whole ? '-1' : String(token.head.length - 1)
  let reply: unknown
  try {
    reply = await redis.eval(SET_IF_UNCHANGED, [key], [token.head, last, value, ttl === undefined ? '' : String(ttl)])
  } catch (error) {
    if (isWrongType(error)) return 'changed'
    throw error
  }
  const outcome = OUTCOMES[Number(reply)]
  if (outcome === undefined) throw new SealedError('ERR_SEALED_CLIENT', `the client answered the conditional write with ${typeof reply}, not 1, 0 or -1`)
  return outcome
}
