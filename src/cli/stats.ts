import { keyStatus, optionalKeys, out, withRedis, type CommonOptions } from './context.js'
import { describeRecord, HEAD_BYTES } from './record-info.js'
import { prefixPattern, splitIndexKeys } from './session-redis.js'

export interface StatsOptions extends CommonOptions {
  batch: number
  json?: boolean
}

/** Upper bounds of the size buckets, in bytes as stored. */
const SIZE_BUCKETS: readonly [string, number][] = [
  ['<= 1 KiB', 1024],
  ['<= 4 KiB', 4096],
  ['<= 16 KiB', 16_384],
  ['<= 64 KiB', 65_536],
  ['<= 256 KiB', 262_144],
  ['<= 1 MiB', 1_048_576],
  ['> 1 MiB', Number.POSITIVE_INFINITY],
]

const bump = (table: Record<string, number>, key: string): void => void (table[key] = (table[key] ?? 0) + 1)

/**
 * Counts the records under the prefix by format, key id, algorithm, encoding, compression and
 * size; the users' index keys (`userOf`) are counted apart. Reads only the first bytes and the length of each value; the secret is optional (it
 * only labels key ids as current, older or unknown).
 */
export async function stats(o: StatsOptions): Promise<void> {
  const keys = await optionalKeys(o)
  const tables = {
    formats: {} as Record<string, number>,
    keyIds: {} as Record<string, number>,
    algorithms: {} as Record<string, number>,
    encodings: {} as Record<string, number>,
    compression: {} as Record<string, number>,
    sizes: Object.fromEntries(SIZE_BUCKETS.map(([name]) => [name, 0])) as Record<string, number>,
  }
  let total = 0
  let bytes = 0
  let userIndexes = 0
  await withRedis(o, async (redis) => {
    for await (const batch of redis.scan(prefixPattern(o.prefix), o.batch)) {
      const { records, indexes } = splitIndexKeys(batch, o.prefix)
      userIndexes += indexes
      // A key of another type (hash, list, ...) under the prefix answers WRONGTYPE: count it, go on.
      const heads = await Promise.all(records.map((key) => redis.head(key, HEAD_BYTES).catch(() => undefined)))
      for (const found of heads) {
        if (!found) {
          total++
          bump(tables.formats, 'not a string')
          continue
        }
        const { head, length } = found
        if (length === 0) continue
        total++
        bytes += length
        bump(tables.sizes, (SIZE_BUCKETS.find(([, max]) => length <= max) as [string, number])[0])
        const info = describeRecord(head)
        if (info.format === 'legacy') bump(tables.formats, `legacy ${info.kind}`)
        else if (info.format === 'unknown') bump(tables.formats, 'unknown')
        else {
          bump(tables.formats, `sealed v${info.header.version}`)
          bump(tables.keyIds, info.header.keyId)
          bump(tables.algorithms, info.header.algorithm)
          bump(tables.encodings, info.header.encoding)
          bump(tables.compression, info.header.compression)
        }
      }
    }
  })
  const keyIds = Object.fromEntries(Object.entries(tables.keyIds).map(([id, count]) => [id, { count, status: keyStatus(keys, id) }]))
  const legacy = Object.entries(tables.formats).filter(([name]) => name.startsWith('legacy')).reduce((sum, [, n]) => sum + n, 0)
  if (o.json) {
    out(JSON.stringify({ prefix: o.prefix, total, bytes, legacy, userIndexes, ...tables, keyIds }))
    return
  }
  out(`records under "${o.prefix}": ${total} (${bytes} bytes)`)
  if (userIndexes > 0) out(`users' session indexes (userOf, not records): ${userIndexes}`)
  const section = (title: string, table: Record<string, number | string>) => {
    const rows = Object.entries(table)
    if (rows.length === 0) return
    out(`${title}:`)
    for (const [name, value] of rows) out(`  ${name.padEnd(28)} ${value}`)
  }
  section('by format', tables.formats)
  section('by key id', Object.fromEntries(Object.entries(keyIds).map(([id, { count, status }]) => [`${id} (${status})`, count])))
  section('by algorithm', tables.algorithms)
  section('by encoding', tables.encodings)
  section('by compression', tables.compression)
  section('by size as stored', tables.sizes)
  if (legacy > 0) out(`${legacy} legacy record(s) left: keep the store's "legacy" option on, or run "migrate".`)
}
