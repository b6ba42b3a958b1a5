/** The paired bench's statistics: spreads, verdicts that refuse to judge noise, alternating pair order. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { interleave, ratios, spreadOf, verdict } from '../bench/paired.js'

describe('paired bench statistics', () => {
  it('spread: median, quartiles and range, ignoring non-finite values', () => {
    const s = spreadOf([5, 1, 3, 2, 4, Number.NaN])
    assert.deepEqual(s, { n: 5, median: 3, min: 1, max: 5, q1: 2, q3: 4 })
  })

  it('a goal is met or missed only when the judged interval is wholly on one side', () => {
    const goal = { direction: '>=' as const, target: 0.95 }
    assert.equal(verdict(spreadOf([0.96, 0.97, 0.98, 0.99, 1.0]), goal), 'met')
    assert.equal(verdict(spreadOf([0.7, 0.72, 0.75, 0.8, 0.9]), goal), 'missed')
    assert.equal(verdict(spreadOf([0.9, 0.93, 0.95, 0.97, 1.0]), goal), 'not resolved')
    // Five pairs or more: the IQR is judged, so one outlier pair does not block a verdict.
    assert.equal(verdict(spreadOf([0.5, 0.97, 0.98, 0.99, 1.0]), goal), 'met')
    // Fewer: the full range.
    assert.equal(verdict(spreadOf([0.5, 0.97, 0.98]), goal), 'not resolved')
    assert.equal(verdict(spreadOf([0.4, 0.45, 0.5]), { direction: '<=', target: 0.5 }), 'met')
    assert.equal(verdict(spreadOf([]), goal), 'not resolved')
  })

  it('pairs alternate which side runs first, and ratios pair run i with run i', async () => {
    const order: string[] = []
    let t = 0
    const runs = await interleave(4, async () => (order.push('A'), ++t * 2), async () => (order.push('B'), ++t))
    assert.deepEqual(order, ['A', 'B', 'B', 'A', 'A', 'B', 'B', 'A'])
    assert.equal(runs.a.length, 4)
    assert.deepEqual(ratios(runs, (v) => v), runs.a.map((a, i) => a / (runs.b[i] as number)))
  })
})
