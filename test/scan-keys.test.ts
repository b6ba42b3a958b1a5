/** SCAN's repeats are dropped within a bounded window, so a scan over any keyspace holds bounded memory. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RecentKeys, SCAN_REPEAT_WINDOW } from '../src/redis/scan-keys.js'

describe('RecentKeys', () => {
  it('drops a key seen within the window, in order, across batches and within one', () => {
    const recent = new RecentKeys(10)
    assert.deepEqual(recent.fresh(['a', 'b', 'a']), ['a', 'b'])
    assert.deepEqual(recent.fresh(['c', 'b', 'd', 'a']), ['c', 'd'])
    assert.equal(recent.size, 4)
  })

  it('remembers at most its window over a large keyspace; a repeat after the window passes again', () => {
    const recent = new RecentKeys(1000)
    let passed = 0
    for (let batch = 0; batch < 2500; batch++) {
      passed += recent.fresh(Array.from({ length: 100 }, (_, i) => `k${batch * 100 + i}`)).length
      assert.ok(recent.size <= 1000, `${recent.size} keys remembered`)
    }
    assert.equal(passed, 250_000)
    assert.deepEqual(recent.fresh(['k249999', 'k0']), ['k0'], 'a recent repeat is dropped, an old one passes')
  })

  it('defaults to a window of 100,000 keys', () => {
    assert.equal(SCAN_REPEAT_WINDOW, 100_000)
    const recent = new RecentKeys()
    for (let i = 0; i < 150_000; i += 1000) recent.fresh(Array.from({ length: 1000 }, (_, j) => `key:${i + j}`))
    assert.equal(recent.size, SCAN_REPEAT_WINDOW)
  })
})
