/**
 * Promises and timers created by one 1 KB get + set, counted with async_hooks (independent of
 * machine load): ours (defaults, and reading back a record it did not write) vs connect-redis 9,
 * each on its own node-redis client against a private redis-server.
 *
 *   npx tsx bench/async-count.ts
 */
import { createHook } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'
import { startRedis } from '../scripts/local-redis.js'
import { openStore, storeGet, storeSet, type StoreContender } from './contenders.js'
import { makeSession } from './session-data.js'

const counts = { PROMISE: 0, Timeout: 0 }
let counting = false
createHook({
  init(_id, type) {
    if (counting && (type === 'PROMISE' || type === 'Timeout')) counts[type]++
  },
}).enable()

async function perOperation(name: StoreContender, label: string, readOther: boolean, url: string): Promise<string> {
  const secret = randomBytes(32).toString('hex')
  const writer = await openStore(name, url, secret, `count-${label}:`)
  const reader = readOther ? await openStore(name, url, secret, `count-${label}:`) : writer
  const session = makeSession(1024) as never
  const ops = 200
  for (let i = 0; i < ops; i++) await storeSet(writer.store, `s${i}`, session)
  for (let i = 0; i < 20; i++) await storeSet(reader.store, `w${i}`, (await storeGet(reader.store, `s${i}`)) as never)
  counts.PROMISE = 0
  counts.Timeout = 0
  counting = true
  for (let i = 0; i < ops; i++) {
    // Each slot is read once: with readOther the reader never saw these bytes, so it decrypts them.
    const s = await storeGet(reader.store, `s${i}`)
    await storeSet(readOther ? writer.store : reader.store, `t${i}`, s as never)
  }
  counting = false
  if (reader !== writer) await reader.close()
  await writer.close()
  return `| ${label} | ${(counts.PROMISE / ops).toFixed(1)} | ${(counts.Timeout / ops).toFixed(1)} |`
}

const redis = await startRedis()
try {
  const rows = [
    await perOperation('connect-redis', 'connect-redis 9', false, redis.url),
    await perOperation('auto', 'ours (defaults)', false, redis.url),
    await perOperation('auto', 'ours, a record it did not write', true, redis.url),
  ]
  process.stdout.write(['One 1 KB get + set through the Store API, node-redis 6 (per operation):', '', '| store | promises | timers |', '|---|---|---|', ...rows, ''].join('\n'))
} finally {
  await redis.stop()
}
