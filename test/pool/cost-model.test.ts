/** The dispatcher's cost model: fixed inputs give fixed placements (no timing involved), and the machine the pooled sealer feeds it. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { estimate, place, type Machine, type Work } from '../../src/dispatch/cost-model.js'
import type { PooledSealer } from '../../src/dispatch/pooled-sealer.js'
import { sealerPair, sessionText } from './pool-fixture.js'

const KB = 1024
const gzip = { algorithm: 'gzip', level: 6 } as const
const twoCores: Machine = { cores: 2, workerUtilization: 0.2, mainUtilization: 0.8, queued: 0, threads: 1 }
const eightCores: Machine = { ...twoCores, cores: 8 }
const work = (op: Work['op'], bytes: number, extra: Partial<Work> = {}): Work => ({ op, bytes, compression: undefined, mac: false, encoding: 'binary', ...extra })

describe('cost model', () => {
  it('on 2 cores (no spare core): inline unless compressing at least about 128 KB; gzip opens stay inline too', () => {
    for (const size of [64 * KB, 256 * KB, 1024 * KB]) {
      assert.equal(place(work('seal', size), twoCores), 'inline', `seal ${size / KB} KB`)
      assert.equal(place(work('open', size), twoCores), 'inline', `open ${size / KB} KB`)
      assert.equal(place(work('seal', size, { compression: gzip }), twoCores), size >= 256 * KB ? 'pool' : 'inline', `gzip seal ${size / KB} KB`)
      assert.equal(place(work('open', size / 4, { compression: gzip }), twoCores), 'inline', `gzip open of ${size / KB} KB`)
    }
  })

  it('a gzip seal of 64 KB pools with a spare core but not without one (it must save 2 ms there)', () => {
    const seal64 = work('seal', 64 * KB, { compression: gzip })
    const { inlineUs, pooledMainUs } = estimate(seal64)
    assert.ok(inlineUs - pooledMainUs > 100 && inlineUs - pooledMainUs < 2000, `saved ${inlineUs - pooledMainUs} µs`)
    assert.equal(place(seal64, eightCores), 'pool')
    assert.equal(place(seal64, twoCores), 'inline')
    assert.equal(place(seal64, { ...twoCores, mainUtilization: 0.95 }), 'inline')
  })

  it('small work never pays for a worker, whatever the machine', () => {
    for (const machine of [twoCores, eightCores]) {
      assert.equal(place(work('seal', 1 * KB, { compression: gzip }), machine), 'inline')
      assert.equal(place(work('open', 16 * KB), machine), 'inline')
    }
  })

  it('with spare cores, large uncompressed work goes to the pool', () => {
    assert.equal(place(work('seal', 1024 * KB), eightCores), 'pool')
    assert.equal(place(work('open', 1024 * KB), eightCores), 'pool')
    assert.equal(place(work('seal', 256 * KB, { mac: true }), eightCores), 'pool')
  })

  it('a busy worker or a backlog keeps work inline', () => {
    const big = work('seal', 1024 * KB, { compression: gzip })
    assert.equal(place(big, { ...eightCores, queued: 1 }), 'inline')
    assert.equal(place(big, { ...eightCores, workerUtilization: 0.99 }), 'inline')
    assert.equal(place(big, { ...twoCores, threads: 0, cores: 1 }), 'inline')
  })

  it('a saturated main thread lowers the bar on 2 cores', () => {
    // A gzip level 1 seal saves main-thread time but less than 4x the CPU it adds; at ELU > 0.9 the bar is 2x.
    const open = work('seal', 256 * KB, { compression: { algorithm: 'gzip', level: 1 } })
    const { inlineUs, pooledMainUs, workerUs } = estimate(open)
    const ratio = (inlineUs - pooledMainUs) / (pooledMainUs + workerUs - inlineUs)
    assert.ok(ratio > 2 && ratio < 4, `gain ${ratio}`)
    assert.equal(place(open, twoCores), 'inline')
    assert.equal(place(open, { ...twoCores, mainUtilization: 0.95 }), 'pool')
  })

  it('estimates grow with size and with costlier work', () => {
    const plain = estimate(work('seal', 256 * KB)).inlineUs
    assert.ok(estimate(work('seal', 512 * KB)).inlineUs > plain)
    assert.ok(estimate(work('seal', 256 * KB, { mac: true })).inlineUs > plain)
    assert.ok(estimate(work('seal', 256 * KB, { encoding: 'base64' })).inlineUs > plain)
    assert.ok(estimate(work('seal', 256 * KB, { compression: { algorithm: 'gzip', level: 9 } })).inlineUs > estimate(work('seal', 256 * KB, { compression: gzip })).inlineUs)
  })
})

describe('the machine a pooled sealer gives the cost model', () => {
  it('counts the tasks waiting for a worker: with the one worker busy and two waiting, a large seal is placed inline', async () => {
    const { pooled } = await sealerPair({ pool: { taskTimeout: 1000 } })
    try {
      const text = sessionText(4096)
      const hung = pooled.seal(text, 'sess:__fault_hang__')
      const waiting = [pooled.seal(text, 'sess:q1'), pooled.seal(text, 'sess:q2')]
      const machine = (pooled as PooledSealer).machine()
      assert.equal(machine.queued, 2)
      assert.equal(machine.threads, 1)
      assert.equal(place(work('seal', 256 * KB, { compression: gzip }), { ...machine, cores: 8, workerUtilization: 0, mainUtilization: 0.9 }), 'inline')
      await Promise.all([hung, ...waiting])
      assert.equal((pooled as PooledSealer).machine().queued, 0)
    } finally {
      await pooled.close()
    }
  })
})
