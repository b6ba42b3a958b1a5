/** TurnGate lets one large piece of main-thread work run per event-loop turn, in arrival order. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { schemeFor } from '../../src/codec/format.js'
import { KeyRing } from '../../src/codec/keyring.js'
import { deriveMasterKeys } from '../../src/codec/secrets.js'
import { resolvePool } from '../../src/options/pool.js'
import { createSealer } from '../../src/dispatch/create-sealer.js'
import { InlineSealer } from '../../src/dispatch/sealer.js'
import { TurnGate } from '../../src/dispatch/turn-gate.js'

/** Counts check phases: scheduled before the work under test, it runs first in each phase. */
function turnCounter(): { readonly now: () => number; stop(): void } {
  let turn = 0
  let running = true
  const tick = (): void => {
    turn++
    if (running) setImmediate(tick)
  }
  setImmediate(tick)
  return { now: () => turn, stop: () => (running = false) }
}

test('the first enter of a turn goes at once, each later one gets a turn of its own, first come first served', async () => {
  const turns = turnCounter()
  const gate = new TurnGate()
  const seen: [number, number][] = []
  const entries = [0, 1, 2, 3].map(async (i) => {
    await gate.enter()
    seen.push([i, turns.now()])
  })
  await Promise.all(entries)
  turns.stop()
  assert.deepEqual(seen, [[0, 0], [1, 1], [2, 2], [3, 3]])
})

test('an idle gate opens at once again in a later turn', async () => {
  const gate = new TurnGate()
  assert.equal(gate.enter(), undefined)
  assert.ok(gate.enter() instanceof Promise, 'a second enter in the same turn waits')
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(gate.enter(), undefined, 'once the waiter has gone and a turn passed, the gate is free')
})

test('InlineSealer: two large opens started together finish in different turns, small ones are not held', async () => {
  const masters = await deriveMasterKeys([Buffer.alloc(32, 7)])
  const ring = new KeyRing(masters)
  const settings = { scheme: schemeFor('aes-256-gcm', 'sha512'), encoding: 'binary' as const, compression: undefined }
  const sealer = new InlineSealer(ring, settings, 1 << 20, new TurnGate(), 1000)
  const large = (await sealer.seal('x'.repeat(2000), 'k')) as Buffer
  const small = (await sealer.seal('x'.repeat(10), 'k')) as Buffer
  const run = async (order: string[], records: Buffer[]): Promise<void> => {
    setImmediate(() => order.push('turn'))
    await Promise.all(records.map((r, i) => Promise.resolve(sealer.open(r, 'k')).then(() => order.push(`open ${i}`))))
  }
  const largeOrder: string[] = []
  await run(largeOrder, [large, large])
  assert.deepEqual(largeOrder, ['open 0', 'turn', 'open 1'])
  const smallOrder: string[] = []
  await run(smallOrder, [small, small])
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(smallOrder, ['open 0', 'open 1', 'turn'])
})

test('offloadThreshold places work; it does not gate small inline opens (pool: false, offloadThreshold: 0, 2,000 opens)', async () => {
  const masters = await deriveMasterKeys([Buffer.alloc(32, 7)])
  const seal = { scheme: schemeFor('aes-256-gcm', 'sha512'), encoding: 'binary' as const, compression: undefined }
  const sealer = createSealer(new KeyRing(masters), masters, { pool: resolvePool(false), seal, maxSessionBytes: 1 << 20, offloadThreshold: 0 })
  const record = (await sealer.seal('{"cookie":{},"n":1}', 'k')) as Buffer
  const turns = turnCounter()
  const opened = await Promise.all(Array.from({ length: 2000 }, () => sealer.open(record, 'k')))
  const taken = turns.now()
  turns.stop()
  assert.ok(opened.every((o) => o.ok))
  assert.equal(taken, 0, `${taken} event-loop turns for 2,000 small opens`)
  const large = (await sealer.seal(JSON.stringify({ blob: 'x'.repeat(64 * 1024) }), 'k')) as Buffer
  const again = turnCounter()
  await Promise.all([sealer.open(large, 'k'), sealer.open(large, 'k'), sealer.open(large, 'k')])
  assert.equal(again.now(), 2, 'large opens still take a turn each')
  again.stop()
})
