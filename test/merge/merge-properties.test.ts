/**
 * Properties of mergeThreeWay over random JSON trees and random edits (fast-check): the laws
 * issue 22 asks for, plus "nothing either side added to an array is lost unless counted".
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { mergeThreeWay } from '../../src/merge/three-way.js'
import { applyEdits, asJson, editArb, jsonArb, keyArb, scalarArb, sessionArb, sideOf } from './arbitraries.js'

const RUNS = { numRuns: 400 }
const editsArb = fc.array(editArb, { maxLength: 4 })

/** Laws where one changed version is the whole answer: [name, (base, changed) => [mine, theirs]]. */
const ONE_CHANGE_LAWS: ReadonlyArray<readonly [string, (base: unknown, changed: unknown) => readonly [unknown, unknown]]> = [
  ['mine equal to base gives theirs', (base, changed) => [asJson(base), changed]],
  ['theirs equal to base gives mine', (base, changed) => [changed, asJson(base)]],
  ['identical changes on both sides give that change', (_, changed) => [changed, asJson(changed)]],
]

for (const [name, sides] of ONE_CHANGE_LAWS) {
  test(`${name}, with no conflict`, () => {
    fc.assert(
      fc.property(jsonArb, editsArb, (base, edits) => {
        const changed = applyEdits(base, edits)
        const [mine, theirs] = sides(base, changed)
        const outcome = mergeThreeWay(base, mine, theirs)
        assert.deepEqual(outcome.value, changed)
        assert.equal(outcome.conflicts, 0)
      }),
      RUNS,
    )
  })
}

test('merging is deterministic, down to the order of keys', () => {
  fc.assert(
    fc.property(sessionArb, editsArb, editsArb, (base, mineEdits, theirsEdits) => {
      const mine = applyEdits(base, mineEdits)
      const theirs = applyEdits(base, theirsEdits)
      const first = mergeThreeWay(base, mine, theirs)
      const again = mergeThreeWay(asJson(base), asJson(mine), asJson(theirs))
      assert.equal(JSON.stringify(again.value), JSON.stringify(first.value))
      assert.equal(again.conflicts, first.conflicts)
    }),
    RUNS,
  )
})

test('a deletion wins over a key the other side left unchanged, whichever side deleted', () => {
  fc.assert(
    fc.property(sessionArb, keyArb, jsonArb, editsArb, fc.boolean(), (session, key, value, otherEdits, mineDeletes) => {
      const base = asJson({ ...session, [key]: value })
      Object.defineProperty(base, key, { value: asJson(value), enumerable: true, writable: true, configurable: true })
      const deleting = asJson(base)
      delete deleting[key]
      const other = applyEdits(base, otherEdits) as Record<string, unknown>
      fc.pre(typeof other === 'object' && Object.hasOwn(other, key) && JSON.stringify(other[key]) === JSON.stringify(base[key]))
      const outcome = mineDeletes ? mergeThreeWay(base, deleting, other) : mergeThreeWay(base, other, deleting)
      assert.equal(Object.hasOwn(outcome.value as object, key), false)
    }),
    RUNS,
  )
})

test('a same-path conflict: mine wins at that path, it is counted once, and theirs keeps the rest', () => {
  const distinct = fc.uniqueArray(scalarArb, { minLength: 3, maxLength: 3, selector: (v) => JSON.stringify(v) })
  fc.assert(
    fc.property(sessionArb, keyArb, distinct, sessionArb, fc.boolean(), (session, key, [b, m, t], extra, mineDeletes) => {
      const base = asJson(session)
      Object.defineProperty(base, key, { value: b, enumerable: true, writable: true, configurable: true })
      const mine = asJson(base)
      if (mineDeletes) delete mine[key]
      else mine[key] = m
      const theirs = asJson(base)
      theirs[key] = t
      for (const [k, v] of Object.entries(extra)) if (k !== key) Object.defineProperty(theirs, k, { value: v, enumerable: true, writable: true, configurable: true })
      const outcome = mergeThreeWay(base, mine, theirs)
      const value = outcome.value as Record<string, unknown>
      assert.equal(outcome.conflicts, 1)
      if (mineDeletes) assert.equal(Object.hasOwn(value, key), false)
      else assert.deepEqual(value[key], m)
      const expected = asJson(theirs)
      if (mineDeletes) delete expected[key]
      else expected[key] = m
      assert.deepEqual(value, expected)
    }),
    RUNS,
  )
})

test('two sides appending different items to one array keep both, theirs first', () => {
  const items = fc.uniqueArray(fc.nat(50), { minLength: 2, maxLength: 8 })
  fc.assert(
    fc.property(sessionArb, fc.array(jsonArb, { maxLength: 6 }), items, fc.nat(8), (session, cart, added, split) => {
      const cut = 1 + (split % (added.length - 1))
      const [theirsAdds, mineAdds] = [added.slice(0, cut).map((n) => `t${n}`), added.slice(cut).map((n) => `m${n}`)]
      const base = asJson({ ...session, cart })
      const mine = asJson({ ...base, cart: [...cart, ...mineAdds] })
      const theirs = asJson({ ...base, cart: [...cart, ...theirsAdds] })
      const outcome = mergeThreeWay(base, mine, theirs)
      assert.deepEqual((outcome.value as { cart: unknown[] }).cart, [...cart, ...theirsAdds, ...mineAdds])
      assert.equal(outcome.conflicts, 0)
    }),
    RUNS,
  )
})

test('one side removes any items while the other pushes: no conflict, both take effect', () => {
  const base = fc.uniqueArray(fc.nat(1000), { maxLength: 30 })
  const keep = fc.array(fc.boolean(), { minLength: 1, maxLength: 12 })
  fc.assert(
    fc.property(base, keep, fc.uniqueArray(fc.nat(1000), { minLength: 1, maxLength: 4 }), fc.boolean(), (items, kept, pushed, minePushes) => {
      const removing = sideOf(items, kept, [], 'r')
      const pushing = [...items, ...pushed.map((n) => `p${n}`)]
      const outcome = minePushes ? mergeThreeWay(items, pushing, removing) : mergeThreeWay(items, removing, pushing)
      assert.deepEqual(outcome.value, [...removing, ...pushed.map((n) => `p${n}`)])
      assert.equal(outcome.conflicts, 0)
    }),
    RUNS,
  )
})

test('both sides remove items, even neighbours: every removal takes effect, no conflict', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.nat(1000), { maxLength: 30 }), fc.array(fc.constantFrom('mine', 'theirs', 'both', 'none'), { minLength: 1, maxLength: 9 }), (items, who) => {
      const removedBy = (side: string) => (_: number, i: number) => who[i % who.length] !== side && who[i % who.length] !== 'both'
      const mine = items.filter(removedBy('mine'))
      const theirs = items.filter(removedBy('theirs'))
      const outcome = mergeThreeWay(items, mine, theirs)
      assert.deepEqual(outcome.value, items.filter((item) => mine.includes(item) && theirs.includes(item)))
      assert.equal(outcome.conflicts, 0)
    }),
    RUNS,
  )
})

test('both sides remove items (some the same) and push new ones (the cart race): every push and removal holds, no conflict', () => {
  const who = fc.array(fc.constantFrom('mine', 'theirs', 'both', 'none', 'none'), { minLength: 1, maxLength: 9 })
  const pushes = fc.uniqueArray(fc.nat(1000), { maxLength: 4 })
  fc.assert(
    fc.property(fc.uniqueArray(fc.nat(1000), { maxLength: 30 }), who, pushes, pushes, (items, remover, minePushes, theirsPushes) => {
      const keptBy = (side: string) => (_: number, i: number) => remover[i % remover.length] !== side && remover[i % remover.length] !== 'both'
      const mine = [...items.filter(keptBy('mine')), ...minePushes.map((n) => `m${n}`)]
      const theirs = [...items.filter(keptBy('theirs')), ...theirsPushes.map((n) => `t${n}`)]
      const outcome = mergeThreeWay(items, mine, theirs)
      const kept = items.filter((_, i) => remover[i % remover.length] === 'none')
      const merged = outcome.value as unknown[]
      assert.deepEqual(merged.slice(0, kept.length), kept)
      const pushed = [...theirsPushes.map((n) => `t${n}`), ...minePushes.map((n) => `m${n}`)]
      assert.deepEqual([...merged.slice(kept.length)].sort(), pushed.sort(), 'every push once, after the kept items')
      assert.equal(outcome.conflicts, 0)
    }),
    RUNS,
  )
})

test('arrays: mine\'s insertions and removals always hold; theirs\' too unless a conflict was counted', () => {
  const base = fc.uniqueArray(fc.nat(1000), { maxLength: 40 })
  const keep = fc.array(fc.boolean(), { minLength: 1, maxLength: 12 })
  const inserts = fc.uniqueArray(fc.tuple(fc.nat(60), fc.nat(1000)), { maxLength: 5, selector: ([, n]) => n })
  fc.assert(
    fc.property(base, keep, inserts, keep, inserts, (items, mineKeep, mineInserts, theirsKeep, theirsInserts) => {
      const mine = sideOf(items, mineKeep, mineInserts, 'm')
      const theirs = sideOf(items, theirsKeep, theirsInserts, 't')
      const outcome = mergeThreeWay(items, mine, theirs)
      const merged = outcome.value as unknown[]
      assert.equal(new Set(merged).size, merged.length, 'no item twice')
      for (const item of mine) if (!items.includes(item as number)) assert.ok(merged.includes(item), `mine added ${String(item)}`)
      for (const item of items) if (!mine.includes(item)) assert.ok(!merged.includes(item), `mine removed ${item}`)
      if (outcome.conflicts > 0) return
      for (const item of theirs) if (!items.includes(item as number)) assert.ok(merged.includes(item), `theirs added ${String(item)}`)
      for (const item of items) if (!theirs.includes(item)) assert.ok(!merged.includes(item), `theirs removed ${item}`)
      for (const item of merged) if (typeof item === 'number') assert.ok(mine.includes(item) && theirs.includes(item))
    }),
    { numRuns: 600 },
  )
})
