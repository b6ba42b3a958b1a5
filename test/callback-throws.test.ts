/** An exception thrown inside the caller's callback surfaces (uncaughtException), as in every Node callback API; the callback runs once. */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import { useRedis } from './support/redis.js'

const redis = useRedis()

function runChild(mode: string, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL('./fixtures/throwing-callback.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', script, redis.url, mode], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`child did not exit within ${timeoutMs} ms; stderr: ${stderr}`))
    }, timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

describe('a callback that throws', () => {
  it('with no handler, Node reports the error and the process exits 1', async () => {
    const result = await runChild('crash')
    assert.equal(result.code, 1, `exit code; stderr: ${result.stderr}`)
    assert.match(result.stderr, /thrown by the caller in get/)
  })

  it('every method: the error reaches uncaughtException, the callback ran once, the returned promise did not reject', async () => {
    const result = await runChild('count')
    assert.equal(result.code, 0, result.stderr)
    const seen = JSON.parse(result.stdout) as { calls: Record<string, number>; surfaced: string[]; rejected: string[] }
    const names = ['set', 'get', 'touch', 'length', 'ids', 'all', 'destroy', 'clear', 'get after close']
    assert.deepEqual(seen.calls, Object.fromEntries(names.map((name) => [name, 1])))
    assert.deepEqual(seen.surfaced, names.map((name) => `thrown by the caller in ${name}`))
    assert.deepEqual(seen.rejected, [])
  })
})
