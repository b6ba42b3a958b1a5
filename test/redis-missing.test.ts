/** `npm test` without redis-server on the PATH: one install hint, a non-zero exit, no test run. */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { INSTALL_HINT } from '../scripts/local-redis.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const bin = mkdtempSync(join(tmpdir(), 'sealed-no-redis-bin-'))
after(() => rmSync(bin, { recursive: true, force: true }))

/** npm's own entry script, run with this node so the PATH needs nothing but node and sh. */
function npmCli(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' })
  return found.status === 0 ? realpathSync(found.stdout.trim()) : undefined
}

const occurrences = (text: string, part: string): number => text.split(part).length - 1

test('npm test without redis-server: one install hint and a non-zero exit before any test runs', async (t) => {
  const npm = npmCli()
  if (!npm) return t.skip('npm is not on the PATH')
  symlinkSync(process.execPath, join(bin, 'node'))
  symlinkSync(realpathSync('/bin/sh'), join(bin, 'sh'))
  const started = Date.now()
  const child = spawn(process.execPath, [npm, 'test'], { cwd: ROOT, env: { PATH: bin, HOME: process.env.HOME ?? '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  // The promise is 10 s: past it, stop the whole process group (a suite that started would run for minutes).
  const deadline = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), 10_000)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(deadline)
  const seconds = (Date.now() - started) / 1000

  assert.notEqual(code, 0, stdout + stderr)
  assert.ok(seconds < 10, `took ${seconds} s`)
  assert.equal(occurrences(stdout + stderr, INSTALL_HINT), 1, stdout + stderr)
  assert.match(INSTALL_HINT, /apt-get install -y redis-server/)
  assert.match(INSTALL_HINT, /brew install redis/)
  assert.deepEqual(stderr.split('\n').filter((line) => line.trim() !== ''), [`npm test: ${INSTALL_HINT}`])
  assert.doesNotMatch(stdout, /^# tests|^not ok|^ok /m, 'no test ran')
})
