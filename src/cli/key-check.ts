import type { Keys } from './context.js'
import { describeRecord, HEAD_BYTES, keyIdHex } from './record-info.js'
import { prefixPattern, splitIndexKeys, type SessionRedis } from './session-redis.js'

/** What {@link keysOpenAny} found: sealed records under the prefix, and whether one is under the keys. */
export interface KeyCheck {
  readonly sealed: number
  readonly opensOne: boolean
}

/**
 * Whether any sealed record under `prefix` was sealed under one of `keys`, from the key id in
 * its header (no decryption). Stops at the first such record; reads only each record's head.
 */
export async function keysOpenAny(redis: SessionRedis, prefix: string, keys: Keys, batch = 100): Promise<KeyCheck> {
  const ids = new Set(keys.masters.map((master) => keyIdHex(master.id)))
  let sealed = 0
  for await (const found of redis.scan(prefixPattern(prefix), batch)) {
    const heads = await Promise.all(splitIndexKeys(found, prefix).records.map((key) => redis.head(key, HEAD_BYTES).catch(() => undefined)))
    for (const head of heads) {
      const info = head && describeRecord(head.head)
      if (info?.format !== 'sealed') continue
      sealed++
      if (ids.has(info.header.keyId)) return { sealed, opensOne: true }
    }
  }
  return { sealed, opensOne: false }
}
