/** The shared deadline sweep: every command is bounded, outcomes pass through once, and the timer never outlives the last command. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DeadlineSweep } from '../src/redis/deadline.js'

function never<T>(): Promise<T> {
  return new Promise<T>(() => {})
}

function later<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve: (value: T) => void = () => {}
  let reject: (error: Error) => void = () => {}
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const isTimeout = (what: string) => (error: unknown) => (error as { code?: string }).code === 'ERR_SEALED_TIMEOUT' && String((error as Error).message).includes(what)

describe('DeadlineSweep', () => {
  it('rejects a command that never answers once its time is up, not before', async () => {
    const sweep = new DeadlineSweep(40)
    const started = performance.now()
    await assert.rejects(sweep.bound(never(), 'GET'), isTimeout('GET'))
    const took = performance.now() - started
    assert.ok(took >= 39, `rejected after ${took} ms`)
    assert.equal(sweep.pending, 0)
    assert.equal(sweep.armed, false)
  })

  it('passes values and errors through, and disarms once nothing is in flight', async () => {
    const sweep = new DeadlineSweep(10_000)
    const values = await Promise.all(Array.from({ length: 1000 }, (_, i) => sweep.bound(Promise.resolve(i), 'GET')))
    assert.equal(values[999], 999)
    await assert.rejects(sweep.bound(Promise.reject(new Error('boom')), 'SET'), /boom/)
    assert.equal(sweep.pending, 0)
    assert.equal(sweep.armed, false, 'no timer left to keep the process alive')
  })

  it('among many commands, only the stuck ones time out, each with its own command name', async () => {
    const sweep = new DeadlineSweep(30)
    const answered = later<string>()
    const outcomes = await Promise.allSettled([
      sweep.bound(never(), 'GET'),
      sweep.bound(answered.promise, 'SET'),
      sweep.bound(never(), 'EXPIRE'),
      sweep.bound(Promise.resolve('fast'), 'DEL'),
      (async () => {
        answered.resolve('ok')
        return 'resolved'
      })(),
    ])
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    assert.ok(isTimeout('GET')((outcomes[0] as PromiseRejectedResult).reason))
    assert.ok(isTimeout('EXPIRE')((outcomes[2] as PromiseRejectedResult).reason))
    assert.equal(sweep.armed, false)
  })

  it('commands started later get their full time: the sweep re-arms for the oldest still waiting', async () => {
    const sweep = new DeadlineSweep(60)
    const first = sweep.bound(never(), 'GET')
    const firstAt = performance.now()
    await new Promise((resolve) => setTimeout(resolve, 30))
    const secondAt = performance.now()
    const second = sweep.bound(never(), 'SET')
    await assert.rejects(first, isTimeout('GET'))
    const firstDone = performance.now()
    assert.equal(sweep.pending, 1, 'the second command is still within its time when the first expires')
    await assert.rejects(second, isTimeout('SET'))
    assert.ok(firstDone - firstAt >= 59)
    assert.ok(performance.now() - secondAt >= 59)
  })

  it('a stuck command behind thousands of answered ones still times out after the queue is compacted', { timeout: 10_000 }, async () => {
    const sweep = new DeadlineSweep(300)
    const answered = Array.from({ length: 3000 }, () => later<number>())
    const bounded = answered.map((a) => sweep.bound(a.promise, 'GET'))
    const stuck = sweep.bound(never(), 'EXPIRE')
    answered.forEach((a, i) => a.resolve(i))
    await Promise.all(bounded)
    assert.equal(sweep.pending, 1, 'only the stuck command is in flight')
    // The next command drops the answered ones from the head, compacting the queue under the stuck one.
    assert.equal(await sweep.bound(Promise.resolve(1), 'SET'), 1)
    await assert.rejects(stuck, isTimeout('EXPIRE'))
    assert.equal(sweep.pending, 0)
    assert.equal(sweep.armed, false)
  })

  it('a late answer after the timeout is ignored (the caller saw exactly one outcome)', async () => {
    const sweep = new DeadlineSweep(20)
    const slow = later<string>()
    const outcomes: string[] = []
    const bounded = sweep.bound(slow.promise, 'GET').then(
      (v) => outcomes.push(`value ${v}`),
      (e: Error) => outcomes.push(`error ${(e as { code?: string }).code}`),
    )
    await bounded
    slow.resolve('late')
    slow.reject(new Error('later still'))
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(outcomes, ['error ERR_SEALED_TIMEOUT'])
  })
})
