/** The shared key registry: closed rings are zeroed and their room reused, ids never repeat. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { MasterKey } from '../../src/codec/keyring.js'
import { createRegistry, readRing, registerRing, ringIsLive, wipeRing } from '../../src/dispatch/key-registry.js'

const masters = (count: number, fill: number): MasterKey[] =>
  Array.from({ length: count }, (_, i) => ({ id: 1000 + i, key: new Uint8Array(32).fill(fill + i) }))

/** Whether any byte after the 16-byte header is non-zero, i.e. some key material is left. */
const holdsKeys = (registry: SharedArrayBuffer): boolean => new Uint8Array(registry, 16).some((b) => b !== 0)

test('a wiped ring reads as unknown, its bytes are zero, and a later ring reuses its room', () => {
  const registry = createRegistry()
  const a = registerRing(registry, masters(1, 1))
  const b = registerRing(registry, masters(2, 10))
  const c = registerRing(registry, masters(1, 20))
  assert.deepEqual(readRing(registry, b)?.map((k) => k.key[0]), [10, 11])
  wipeRing(registry, b)
  assert.equal(readRing(registry, b), undefined)
  assert.equal(ringIsLive(registry, b), false)
  const bytes = new Uint8Array(registry)
  assert.ok(!bytes.some((v) => v === 10 || v === 11), 'no byte of the wiped keys is left')
  const d = registerRing(registry, masters(1, 30))
  assert.ok(d > c, 'ids are never reused')
  assert.deepEqual(readRing(registry, a)?.map((k) => k.key[0]), [1])
  assert.deepEqual(readRing(registry, c)?.map((k) => k.key[0]), [20])
  assert.deepEqual(readRing(registry, d)?.map((k) => k.key[0]), [30])
  for (const id of [a, c, d]) wipeRing(registry, id)
  assert.equal(holdsKeys(registry), false, 'every entry is zeroed once all rings are wiped')
})

test('10,000 rings of varying sizes registered and wiped, a few alive at a time, never fill the registry', () => {
  const registry = createRegistry()
  const alive: number[] = []
  for (let i = 0; i < 10_000; i++) {
    alive.push(registerRing(registry, masters(1 + (i % 5), i % 200)))
    if (alive.length > 7) wipeRing(registry, alive.splice((i * 7) % alive.length, 1)[0] as number)
  }
  for (const id of alive) assert.ok(readRing(registry, id))
  for (const id of alive) wipeRing(registry, id)
  assert.equal(holdsKeys(registry), false)
})

test('a full registry throws a SealedError with a code', () => {
  const registry = createRegistry()
  assert.throws(
    () => {
      for (;;) registerRing(registry, masters(8, 1))
    },
    (error: unknown) => (error as { code?: string }).code === 'ERR_SEALED_POOL',
  )
})
