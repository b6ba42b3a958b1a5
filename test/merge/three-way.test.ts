/**
 * mergeThreeWay by example: one test per rule of issue 22 (objects by key, arrays as sequences,
 * scalars whole, deletions, same-path conflicts, both sides adding), plus hostile keys, hostile
 * depth and the cost bound of a 2,000-item array.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_MERGE_DEPTH, mergeThreeWay } from '../../src/merge/three-way.js'

function merged(base: unknown, mine: unknown, theirs: unknown, conflicts = 0): unknown {
  const outcome = mergeThreeWay(base, mine, theirs)
  assert.equal(outcome.conflicts, conflicts, `conflicts of ${JSON.stringify(outcome.value)}`)
  return outcome.value
}

test('plain objects merge key by key, recursively', () => {
  const base = { user: 'ann', prefs: { theme: 'dark', lang: 'en' }, n: 1 }
  const mine = { user: 'ann', prefs: { theme: 'light', lang: 'en' }, n: 1, mineKey: true }
  const theirs = { user: 'ann', prefs: { theme: 'dark', lang: 'de' }, n: 2, theirsKey: true }
  assert.deepEqual(merged(base, mine, theirs), { user: 'ann', prefs: { theme: 'light', lang: 'de' }, n: 2, mineKey: true, theirsKey: true })
})

test('one side unchanged gives the other side, whole', () => {
  const base = { a: [1, 2], b: { c: 'x' } }
  const changed = { a: [2, 3], d: null }
  assert.deepEqual(merged(base, base, changed), changed)
  assert.deepEqual(merged(base, changed, base), changed)
  assert.deepEqual(merged(base, changed, changed), changed)
})

test('strings, numbers, booleans and null are replaced whole', () => {
  assert.deepEqual(merged({ s: 'abc', n: 1, b: true, z: null }, { s: 'abcd', n: 1, b: true, z: null }, { s: 'abc', n: 2, b: false, z: 0 }), {
    s: 'abcd',
    n: 2,
    b: false,
    z: 0,
  })
  assert.equal(merged('x', 'x', 'y'), 'y')
})

test('a key one side deleted stays deleted when the other side did not change it', () => {
  assert.deepEqual(merged({ a: 1, b: 2 }, { a: 1 }, { a: 1, b: 2, c: 3 }), { a: 1, c: 3 })
  assert.deepEqual(merged({ a: 1, b: { x: 1 } }, { a: 1, b: { x: 1 }, m: 1 }, { a: 1 }), { a: 1, m: 1 })
  assert.deepEqual(merged({ a: 1, b: 2 }, { a: 1 }, { a: 1 }), { a: 1 })
})

test('both changing one path differently: mine wins there only, and it is counted', () => {
  assert.deepEqual(merged({ a: 1, b: 1 }, { a: 2, b: 1 }, { a: 3, b: 9 }, 1), { a: 2, b: 9 })
  assert.deepEqual(merged({ p: { q: { r: 1 } } }, { p: { q: { r: 2 } } }, { p: { q: { r: 3 }, s: 1 } }, 1), { p: { q: { r: 2 }, s: 1 } })
  assert.deepEqual(merged({ a: 1, b: 1 }, { b: 1 }, { a: 3, b: 1 }, 1), { b: 1 }, 'mine deleted what theirs changed')
  assert.deepEqual(merged({ a: 1 }, { a: 2 }, {}, 1), { a: 2 }, 'theirs deleted what mine changed')
  assert.deepEqual(merged({ a: { x: 1 } }, { a: 'flat' }, { a: { x: 2 } }, 1), { a: 'flat' }, 'object against scalar')
  assert.deepEqual(merged({ a: 1 }, { a: { x: 1 } }, { a: [1] }, 1), { a: { x: 1 } }, 'object against array')
  assert.deepEqual(merged({ a: 1, b: 1 }, { a: 2, b: 2 }, { a: 3, b: 3 }, 2), { a: 2, b: 2 }, 'each path counts once')
})

test('the same change on both sides is no conflict', () => {
  assert.deepEqual(merged({ a: 1, b: 1 }, { a: 2 }, { a: 2 }), { a: 2 })
  assert.deepEqual(merged({ a: [1] }, { a: [1, 2], b: { c: 1 } }, { a: [1, 2], b: { c: 1 } }), { a: [1, 2], b: { c: 1 } })
})

test('a key both added: equal values are taken, different scalars are a conflict that mine wins', () => {
  assert.deepEqual(merged({}, { k: 'same' }, { k: 'same' }), { k: 'same' })
  assert.deepEqual(merged({}, { k: 'mine' }, { k: 'theirs' }, 1), { k: 'mine' })
  assert.deepEqual(merged({}, { k: 1 }, { k: { x: 1 } }, 1), { k: 1 })
})

test('a key both added as objects, or as arrays, merges against an empty one', () => {
  assert.deepEqual(merged({}, { prefs: { a: 1 } }, { prefs: { b: 2 } }), { prefs: { a: 1, b: 2 } })
  assert.deepEqual(merged({}, { cart: ['m'] }, { cart: ['t'] }), { cart: ['t', 'm'] })
  assert.deepEqual(merged({}, { prefs: { a: 1 } }, { prefs: { a: 2 } }, 1), { prefs: { a: 1 } })
  assert.deepEqual(merged(undefined, { a: 1 }, { b: 2 }), { a: 1, b: 2 }, 'no base at all')
})

test('arrays: items either side appended, inserted or removed all take effect', () => {
  assert.deepEqual(merged(['a', 'b', 'c'], ['a', 'x', 'b', 'c'], ['a', 'b', 'c', 'y']), ['a', 'x', 'b', 'c', 'y'])
  assert.deepEqual(merged(['a', 'b', 'c', 'd'], ['a', 'c', 'd'], ['a', 'b', 'c']), ['a', 'c'])
  assert.deepEqual(merged(['a', 'b', 'c'], ['z', 'a', 'b', 'c'], ['a', 'c']), ['z', 'a', 'c'])
})

test('arrays: both pushing keeps both items, theirs first; an item both pushed appears once', () => {
  assert.deepEqual(merged([1, 2], [1, 2, 'mine'], [1, 2, 'theirs']), [1, 2, 'theirs', 'mine'])
  assert.deepEqual(merged([], ['m1', 'm2'], ['t1']), ['t1', 'm1', 'm2'])
  assert.deepEqual(merged([1], [1, 'both', 'm'], [1, 'both', 't']), [1, 'both', 't', 'm'])
  assert.deepEqual(merged([1], [1, 'both'], [1, 'both']), [1, 'both'])
})

test('arrays: removing the last item while the other side pushes keeps the push', () => {
  assert.deepEqual(merged(['a', 'k'], ['a'], ['a', 'k', 't']), ['a', 't'])
  assert.deepEqual(merged(['a', 'k'], ['a', 'm'], ['a', 'k', 't']), ['a', 'm', 't'], 'mine replaced k, theirs pushed')
  assert.deepEqual(merged(['k', 'a'], ['a'], ['t', 'k', 'a']), ['t', 'a'], 'at the front too')
})

test('arrays: neighbouring items changed one by each side both take effect', () => {
  assert.deepEqual(merged(['a', 'b', 'c', 'd'], ['a', 'X', 'c', 'd'], ['a', 'b', 'Y', 'd']), ['a', 'X', 'Y', 'd'])
  assert.deepEqual(merged(['a', 'b', 'c', 'd'], ['a', 'c', 'd'], ['a', 'b', 'd']), ['a', 'd'])
})

test('arrays: items are compared by value, objects with keys in any order', () => {
  const base = [{ id: 1, q: 1 }, { id: 2, q: 1 }]
  const mine = [{ q: 1, id: 1 }, { id: 2, q: 1 }, { id: 3, q: 1 }]
  const theirs = [{ id: 2, q: 1 }]
  assert.deepEqual(merged(base, mine, theirs), [{ id: 2, q: 1 }, { id: 3, q: 1 }])
})

test('arrays: one stretch both sides replaced differently: mine wins the stretch, counted once', () => {
  assert.deepEqual(merged(['a', 'b', 'c', 'd'], ['a', 'B', 'C', 'd'], ['a', 'x', 'd'], 1), ['a', 'B', 'C', 'd'])
  assert.deepEqual(merged(['a', 'b', 'c'], ['a', 'B', 'c'], ['a', 'X', 'c'], 1), ['a', 'B', 'c'])
})

test('arrays: both replacing the last items differently keeps both sides\' items (removed and pushed, as in a cart)', () => {
  assert.deepEqual(merged(['a', 'z'], ['a', 'm'], ['a', 't']), ['a', 't', 'm'])
  assert.deepEqual(merged(['a', 'y', 'z'], ['a', 'm1', 'm2'], ['a', 'y', 't']), ['a', 't', 'm1', 'm2'])
  assert.deepEqual(merged([1, 2, 3], [1, 2, 5], [1, 2, 6]), [1, 2, 6, 5], 'so an item changed in place by both at the end is there twice')
  assert.deepEqual(merged([{ id: 1, q: 1 }], [{ id: 1, q: 2 }], [{ id: 1, q: 3 }], 1), [{ id: 1, q: 2 }], 'objects changed in place merge by key first')
})

test('arrays: what one side inserts among items the other side removed is kept', () => {
  assert.deepEqual(merged(['a', 'b', 'c', 'd'], ['a', 'd'], ['a', 'b', 't', 'c', 'd']), ['a', 't', 'd'], 'inserted inside a removed stretch')
  assert.deepEqual(merged(['c2'], [], ['c0', 'c1']), ['c0', 'c1'], 'both removed the last item, theirs also pushed')
  assert.deepEqual(merged(['y', 'z'], ['m'], ['z', 't']), ['m', 't'], 'removals of both, pushes of both')
  assert.deepEqual(merged(['a', 'b', 'c'], ['a', 'c'], ['a', 'b2', 'c']), ['a', 'b2', 'c'], 'a removed item that the other side replaced: the replacement stays')
})

test('arrays: objects changed in place on both sides merge element by element', () => {
  const base = [{ id: 1, q: 1, name: 'pen' }]
  assert.deepEqual(merged(base, [{ id: 1, q: 2, name: 'pen' }], [{ id: 1, q: 1, name: 'Pen' }]), [{ id: 1, q: 2, name: 'Pen' }])
  assert.deepEqual(merged(base, [{ id: 1, q: 2, name: 'pen' }], [{ id: 1, q: 3, name: 'pen' }], 1), [{ id: 1, q: 2, name: 'pen' }])
})

test('hostile keys are merged as own data and pollute no prototype', () => {
  const hostile = JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}')
  const theirs = JSON.parse('{"__proto__":{"other":1},"x":[{"__proto__":{"polluted":"yes"}}]}')
  const { value } = mergeThreeWay({}, hostile, theirs)
  const out = value as Record<string, unknown>
  assert.equal(Object.getPrototypeOf(out), Object.prototype)
  assert.deepEqual(Object.keys(out).sort(), ['__proto__', 'constructor', 'prototype', 'x'])
  assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, { polluted: 'yes', other: 1 })
  assert.equal(JSON.stringify(out), '{"__proto__":{"polluted":"yes","other":1},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"},"x":[{"__proto__":{"polluted":"yes"}}]}')
  const merged2 = mergeThreeWay(JSON.parse('{"__proto__":{"a":1}}'), JSON.parse('{"__proto__":{"a":1,"b":2}}'), JSON.parse('{"__proto__":{"a":1,"c":3}}'))
  assert.equal(JSON.stringify(merged2.value), '{"__proto__":{"a":1,"b":2,"c":3}}')
  const probe: Record<string, unknown> = {}
  assert.equal(probe.polluted, undefined)
  assert.equal(probe.constructor, Object)
  assert.deepEqual(Object.keys(Object.prototype), [])
})

test('cyclic values (not JSON data) on both sides end in a TypeError, not a hang', () => {
  const mine: Record<string, unknown> = { a: 1 }
  mine.self = { back: mine }
  const theirs: Record<string, unknown> = { a: 2 }
  theirs.self = { back: theirs }
  assert.throws(() => mergeThreeWay({ a: 0 }, mine, theirs), TypeError)
  assert.throws(() => mergeThreeWay([], [mine], [theirs]), TypeError)
})

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf
  for (let i = 0; i < depth; i++) value = { d: value }
  return value
}

test(`past depth ${MAX_MERGE_DEPTH} a value is merged whole`, () => {
  const shallow = MAX_MERGE_DEPTH - 1
  assert.deepEqual(merged(nested(shallow, { a: 1 }), nested(shallow, { a: 2 }), nested(shallow, { a: 1, b: 1 })), nested(shallow, { a: 2, b: 1 }))
  const deep = MAX_MERGE_DEPTH
  assert.deepEqual(merged(nested(deep, { a: 1 }), nested(deep, { a: 2 }), nested(deep, { a: 1, b: 1 }), 1), nested(deep, { a: 2 }))
  assert.deepEqual(merged(nested(deep, { a: 1 }), nested(deep, { a: 2 }), nested(deep, { a: 1 })), nested(deep, { a: 2 }), 'one side changed')
})

test('hostile nesting of 40,000 levels (deeper than a 64 KB session can hold) neither overflows the stack nor throws', () => {
  const deepText = (leaf: string): unknown => JSON.parse('['.repeat(40_000) + leaf + ']'.repeat(40_000))
  const outcome = mergeThreeWay({ v: deepText('1') }, { v: deepText('2') }, { v: deepText('3') })
  assert.equal(outcome.conflicts, 1)
  assert.equal(mergeThreeWay({ v: deepText('1') }, { v: deepText('1') }, { v: deepText('3'), w: 1 }).conflicts, 0)
})

test('a 2,000-item array (a 64 KB session) with changes on both sides merges exactly', () => {
  const item = (i: number): unknown => ({ id: `item-${i}`, qty: 1 })
  const base = Array.from({ length: 2000 }, (_, i) => item(i))
  const mine = [...base.filter((_, i) => i % 100 !== 7), item(5000)]
  const theirs = [item(-1), ...base.filter((_, i) => i % 150 !== 3), item(6000)]
  const value = merged(base, mine, theirs) as unknown[]
  const expected = [item(-1), ...base.filter((_, i) => i % 100 !== 7 && i % 150 !== 3), item(6000), item(5000)]
  assert.deepEqual(value, expected)
  assert.ok(JSON.stringify(base).length > 50_000)
})

test('two entirely different 2,000-item arrays: a conflict that mine wins, found within the edit bound', () => {
  const base = [...Array.from({ length: 2000 }, (_, i) => i), 'end']
  const mine = [...Array.from({ length: 2000 }, (_, i) => -i - 1), 'end']
  const theirs = base.map((i) => (typeof i === 'number' && i % 2 === 1 ? `t${i}` : i))
  assert.deepEqual(merged(base, mine, theirs, 1), mine)
})
