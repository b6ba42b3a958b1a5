/**
 * After Redis went away and came back, closing the store and its client leaves no timer of the
 * store pending and lets the process exit by itself (run in a child process, so a leak shows as
 * a process that does not exit instead of a hung suite).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { CLIENT_KINDS } from './clients.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/down-and-exit.ts', import.meta.url))
const EXIT_BOUND_MS = 30_000

interface Report {
  outcomes: Record<string, number>
  callbacks: number
  storeTimersCreated: number
  storeTimersPending: number
}

test('a store that outlived a Redis outage closes with no pending timer and the process exits by itself', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let printedAt = 0
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    printedAt = performance.now()
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const killer = setTimeout(() => child.kill('SIGKILL'), EXIT_BOUND_MS)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])))
  clearTimeout(killer)
  const exitLagMs = performance.now() - printedAt

  assert.equal(signal, null, `the child did not exit within ${EXIT_BOUND_MS} ms (something kept it alive); stderr: ${stderr}`)
  assert.equal(code, 0, stderr)
  const report = JSON.parse(stdout) as Report
  t.diagnostic(`store timers created ${report.storeTimersCreated}, pending after close ${report.storeTimersPending}; exit ${exitLagMs.toFixed(0)} ms after close`)
  for (const kind of CLIENT_KINDS) {
    assert.equal(report.outcomes[`${kind}: up`], 1)
    assert.equal(report.outcomes[`${kind}: down: ERR_SEALED_TIMEOUT`], 8, `${kind}: every call failed with a timeout while Redis was down`)
    assert.equal(report.outcomes[`${kind}: back`], 1, `${kind}: the same store served again after the restart`)
  }
  assert.equal(report.callbacks, 8, 'each callback ran exactly once')
  assert.ok(report.storeTimersCreated >= 16, 'the hook saw the deadline and task timers')
  assert.equal(report.storeTimersPending, 0, 'no deadline timer outlives its command')
})
