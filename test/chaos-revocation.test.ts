/**
 * A short run of the chaos soak's dedicated mode (bench/chaos/revocation-failovers.ts): failovers
 * (kill -9 of the master, its replica promoted) right after a revocation, on real processes. Without
 * durability every revocation acknowledged while the replica was cut off comes back; with it none
 * does: those fail with ERR_SEALED_NOT_DURABLE instead. Counts, per client.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { revocationFailovers } from '../bench/chaos/revocation-failovers.js'

test('failovers right after a revocation: undone without durability, never with it', async (t) => {
  const results = await revocationFailovers(4, 120)
  assert.equal(results.length, 4)
  for (const r of results) {
    t.diagnostic(JSON.stringify(r))
    assert.equal(r.trials, 4, `${r.client}: every trial ran`)
    assert.equal(r.lagging, 2)
    assert.equal(r.otherErrors, 0)
    if (r.durability) {
      assert.equal(r.undone, 0, `${r.client}: no revocation undone with durability`)
      assert.equal(r.acknowledgedLagging, 0, `${r.client}: a revocation the replica did not hold was not acknowledged`)
      assert.equal(r.refused, r.lagging)
    } else {
      assert.equal(r.acknowledged, r.trials)
      assert.equal(r.undone, r.lagging, `${r.client}: the harness does undo revocations acknowledged while the replica was cut off`)
    }
  }
})
