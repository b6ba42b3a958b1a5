import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { startRedis, type LocalRedis } from '../../scripts/local-redis.js'

let redis: LocalRedis
before(async () => {
  redis = await startRedis()
})
after(() => redis.stop())

test('after close() a process with a store, its own client and its own pool exits by itself', async () => {
  const script = fileURLToPath(new URL('../fixtures/close-and-exit.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script, redis.url], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])))
  clearTimeout(timer)
  assert.equal(signal, null, `the child hung and was killed; stderr: ${stderr}`)
  assert.equal(code, 0, stderr)
  const report = JSON.parse(stdout) as { settled: string[]; pooled: number; inline: number; workerFailures: number; threads: number }
  assert.deepEqual(
    { pooled: report.pooled, inline: report.inline, workerFailures: report.workerFailures },
    { pooled: 7, inline: 0, workerFailures: 0 },
    'all seven writes ran on the pool: close() waited for them instead of redoing them inline',
  )
  assert.equal(report.threads, 0, 'the pool was destroyed')
  assert.deepEqual(report.settled, Array(6).fill('fulfilled'), 'operations started before close() completed')
})
