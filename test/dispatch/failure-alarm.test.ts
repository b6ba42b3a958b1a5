/** Repeated worker failures raise one process warning per window, never for a few, never with a task's content. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FailureAlarm, POOL_FAILURE_WARNING, POOL_FAILURE_WINDOW_MS, POOL_FAILURES_TO_WARN } from '../../src/dispatch/failure-alarm.js'

function alarm(): { alarm: FailureAlarm; warnings: { message: string; code: string }[]; clock: { now: number } } {
  const warnings: { message: string; code: string }[] = []
  const clock = { now: 0 }
  return { alarm: new FailureAlarm((message, code) => warnings.push({ message, code }), () => clock.now), warnings, clock }
}

describe('FailureAlarm', () => {
  it(`warns once ${POOL_FAILURES_TO_WARN} failures fall within a minute, then not again within that minute`, () => {
    const { alarm: a, warnings, clock } = alarm()
    const error = Object.assign(new Error('secret session text'), { name: 'AbortError', code: 'ABORT_ERR' })
    for (let i = 0; i < POOL_FAILURES_TO_WARN - 1; i++, clock.now += 1000) a.failed(error)
    assert.equal(warnings.length, 0, `${POOL_FAILURES_TO_WARN - 1} failures are not yet a warning`)
    a.failed(error)
    assert.equal(warnings.length, 1)
    assert.equal(warnings[0]?.code, POOL_FAILURE_WARNING)
    assert.match(warnings[0]?.message ?? '', /10 pooled tasks failed within 9 s \(last: AbortError ABORT_ERR\)/)
    assert.ok(!warnings[0]?.message.includes('secret'), 'the error message is not repeated')
    for (let i = 0; i < 50; i++, clock.now += 100) a.failed(error)
    assert.equal(warnings.length, 1, 'at most one warning per window')
    clock.now += POOL_FAILURE_WINDOW_MS
    for (let i = 0; i < POOL_FAILURES_TO_WARN; i++) a.failed(error)
    assert.equal(warnings.length, 2, 'a later burst warns again')
  })

  it('failures spread thinner than the rate never warn', () => {
    const { alarm: a, warnings, clock } = alarm()
    for (let i = 0; i < 100; i++, clock.now += POOL_FAILURE_WINDOW_MS / (POOL_FAILURES_TO_WARN - 1) + 1) a.failed(new Error('x'))
    assert.equal(warnings.length, 0)
  })
})
