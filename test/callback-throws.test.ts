/** An exception thrown inside the caller's callback surfaces (uncaughtException), as in every Node callback API; the callback runs once. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runChild } from './support/child.js'
import { useRedis } from './support/redis.js'

const redis = useRedis()

const FIXTURE = new URL('./fixtures/throwing-callback.ts', import.meta.url)

describe('a callback that throws', () => {
  it('with no handler, Node reports the error and the process exits 1', async () => {
    const result = await runChild(FIXTURE, [redis.url, 'crash'])
    assert.equal(result.code, 1, `exit code; stderr: ${result.stderr}`)
    assert.match(result.stderr, /thrown by the caller in get/)
  })

  it('every method: the error reaches uncaughtException, the callback ran once, the returned promise did not reject', async () => {
    const result = await runChild(FIXTURE, [redis.url, 'count'])
    assert.equal(result.code, 0, result.stderr)
    const seen = JSON.parse(result.stdout) as { calls: Record<string, number>; surfaced: string[]; rejected: string[] }
    const names = ['set', 'get', 'touch', 'length', 'ids', 'all', 'destroy', 'clear', 'get after close']
    assert.deepEqual(seen.calls, Object.fromEntries(names.map((name) => [name, 1])))
    assert.deepEqual(seen.surfaced, names.map((name) => `thrown by the caller in ${name}`))
    assert.deepEqual(seen.rejected, [])
  })
})
