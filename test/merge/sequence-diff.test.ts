/**
 * diffSequences (Myers) against a dynamic-programming LCS: its hunks rebuild the other sequence,
 * are separated by common elements, and keep a longest common subsequence; past the edit bound
 * the result is still correct, only coarser.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { diffSequences, type Hunk } from '../../src/merge/sequence-diff.js'

function rebuild(base: readonly number[], side: readonly number[], hunks: readonly Hunk[]): number[] {
  const out: number[] = []
  let position = 0
  for (const h of hunks) {
    assert.ok(h.baseEnd >= h.baseStart && h.sideEnd >= h.sideStart)
    assert.ok(h === hunks[0] ? h.baseStart >= 0 : h.baseStart > position, 'hunks ascend, separated by a common element')
    out.push(...base.slice(position, h.baseStart), ...side.slice(h.sideStart, h.sideEnd))
    position = h.baseEnd
  }
  return [...out, ...base.slice(position)]
}

function lcsLength(a: readonly number[], b: readonly number[]): number {
  let row = new Array<number>(b.length + 1).fill(0)
  for (const x of a) {
    const next = [0]
    for (let j = 0; j < b.length; j++) next.push(x === b[j] ? row[j]! + 1 : Math.max(row[j + 1]!, next[j]!))
    row = next
  }
  return row[b.length]!
}

const sequence = fc.array(fc.nat(5), { maxLength: 25 })

test('hunks rebuild the side and keep a longest common subsequence', () => {
  fc.assert(
    fc.property(sequence, sequence, (base, side) => {
      const hunks = diffSequences(base, side)
      assert.deepEqual(rebuild(base, side, hunks), side)
      const changed = hunks.reduce((n, h) => n + (h.baseEnd - h.baseStart), 0)
      assert.equal(base.length - changed, lcsLength(base, side))
    }),
    { numRuns: 1000 },
  )
})

test('past the edit bound the hunks still rebuild the side', () => {
  fc.assert(
    fc.property(sequence, sequence, fc.nat(4), (base, side, maxEdits) => {
      assert.deepEqual(rebuild(base, side, diffSequences(base, side, maxEdits)), side)
    }),
    { numRuns: 500 },
  )
})

test('equal sequences give no hunk; a pure append or removal gives one', () => {
  assert.deepEqual(diffSequences([1, 2, 3], [1, 2, 3]), [])
  assert.deepEqual(diffSequences([1, 2], [1, 2, 9]), [{ baseStart: 2, baseEnd: 2, sideStart: 2, sideEnd: 3 }])
  assert.deepEqual(diffSequences([1, 2, 3], [1, 3]), [{ baseStart: 1, baseEnd: 2, sideStart: 1, sideEnd: 1 }])
})
