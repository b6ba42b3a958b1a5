/**
 * A short soak (about 12 s): thousands of session ids shared by concurrent users doing
 * get/set/touch/destroy through one pooled store, with CLIENT KILLs and CLIENT PAUSEs injected.
 * No error outside a fault, no read the model rules out, no acknowledged write lost, and a flat
 * heap after GC. `npm run soak` runs the long version.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { runSoak } from './soak-runner.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

test('short soak: shared ids, concurrent get/set/touch/destroy, pool on, faults injected: nothing lost, heap flat', async (t) => {
  const report = await runSoak({ seconds: 12, ids: 3000, users: 24, kind: 'node-redis 6', killEvery: 3, pauseEvery: 4, gc, heapSamples: 6 })
  const mb = (bytes: number) => (bytes / 1048576).toFixed(2)
  t.diagnostic(`ops ${JSON.stringify(report.ops)}; acknowledged writes ${report.acknowledgedWrites}; failed ops ${report.failedOps}`)
  t.diagnostic(`faults: ${report.faults.kills} kills, ${report.faults.pauses} pauses; unexpected errors ${report.unexpectedErrors.length}; violations ${report.violations.length}; lost writes ${report.lostWrites} (final check of ${report.finalChecked} ids)`)
  t.diagnostic(`heap after GC (MB): ${report.heap.map((h) => `${h.atSeconds.toFixed(0)}s ${mb(h.heapUsedBytes)}`).join(', ')}; growth ${mb(report.heapGrowthBytes)} MB, trend ${mb(report.heapSlopeBytesPerMinute)} MB/min`)
  t.diagnostic(`store: pooled ${report.store.pooled}, inline ${report.store.inline}, fallbacks ${report.store.fallbacks}, worker failures ${report.store.workerFailures}, open failures ${report.store.openFailures}`)
  assert.deepEqual(report.unexpectedErrors.slice(0, 5), [], 'no error outside an injected fault')
  assert.deepEqual(report.violations.slice(0, 5), [], 'no read returned data the model rules out')
  assert.equal(report.lostWrites, 0, 'every acknowledged write was readable')
  assert.equal(report.finalChecked, 3000)
  assert.ok(report.faults.kills >= 2 && report.faults.pauses >= 2, 'faults were injected')
  assert.ok(report.acknowledgedWrites > 1000 && report.ops.verify > 100 && report.ops.touch > 100)
  assert.ok(report.store.pooled > 0, 'large sessions went through the pool')
  assert.equal(report.store.openFailures, 0, 'no record failed to open')
  assert.ok(report.heap.length === 6)
  assert.ok(report.heapGrowthBytes < 16 * 1048576, `heap grew ${mb(report.heapGrowthBytes)} MB`)
})
