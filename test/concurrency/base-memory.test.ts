/**
 * What the compare-and-set keeps in memory: a session's base (the token of its record and the text
 * it opened) lives beside the session object and goes with it. Nothing is kept per session id, so
 * the bound is one text of at most `maxSessionBytes` per session object the app still holds.
 */
import assert from 'node:assert/strict'
import { after, it } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { useClient, useRedis } from '../support/redis.js'
import { sessionWith, StoreTracker, uniquePrefix } from '../support/sessions.js'

const redis = useRedis()
const client = useClient(redis)
const stores = new StoreTracker()
after(() => stores.closeAll())

const MiB = 1024 * 1024

it('bases of sessions read are released with the session objects (heap measured)', async () => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const heap = () => {
    gc()
    return process.memoryUsage().heapUsed
  }
  const compress = { compress: { algorithm: 'gzip' as const } }
  const prefix = uniquePrefix('base-memory')
  const writer = stores.create({ client: client.client, prefix, ...compress })
  const N = 40
  // 512 KiB of text each that gzips to a small record: the text is what a base would pin.
  for (let i = 0; i < N; i++) await writer.set(`m${i}`, sessionWith({ blob: String(i).padEnd(512 * 1024, 'x') }))
  const reader = stores.create({ client: client.client, prefix, ...compress })
  const before = heap()
  const held: unknown[] = []
  for (let i = 0; i < N; i++) held.push(await reader.get(`m${i}`))
  const holding = heap() - before
  assert.ok(holding > 10 * MiB, `while the sessions are held their texts are too (${(holding / MiB).toFixed(1)} MiB)`)
  assert.equal(held.length, N)
  held.length = 0
  const released = heap() - before
  // The recalled-records cache may keep up to its own 4 MiB budget; the bases add nothing.
  assert.ok(released < 6 * MiB, `after the objects are gone the heap is back within the recall budget (${(released / MiB).toFixed(1)} MiB)`)
})
