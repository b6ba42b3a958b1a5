/**
 * The published package as a user gets it: `npm pack`, unpacked into a temporary node_modules,
 * loaded by name from plain `node` (no tsx) through ESM `import` and CJS `require`, sealing a
 * 64 KB session on the worker pool against a private redis-server.
 *
 * The build is run here when dist/ is missing or older than any source, so this file also
 * passes on its own (`node --import tsx --test test/package.test.ts`) after an edit; `.ci/run`
 * builds first, so there it finds dist/ fresh and goes straight on.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, test } from 'node:test'
import { ask, startRedis, type LocalRedis } from '../scripts/local-redis.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const BUILT = ['index.js', 'index.d.ts', 'index.cjs', 'index.d.cts', 'seal-worker.js', 'seal-worker.cjs'].map((f) => join(root, 'dist', f))
const SOURCES = ['src', 'workers', 'tsup.config.ts', 'tsconfig.json', 'package.json']
/** Dependencies and peers that the unpacked package resolves from the temporary node_modules. */
const LINKED_DEPENDENCIES = ['piscina', 'redis', 'express-session']
const CHILD_TIMEOUT_MS = 60_000

function newestMtime(path: string): number {
  const info = statSync(path)
  if (!info.isDirectory()) return info.mtimeMs
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))))
}

function ensureBuilt(): void {
  const missing = BUILT.some((file) => !existsSync(file))
  const stale = !missing && Math.min(...BUILT.map((f) => statSync(f).mtimeMs)) < Math.max(...SOURCES.map((s) => newestMtime(join(root, s))))
  if (!missing && !stale) return
  const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' })
  assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`)
}

/** `npm pack` into `dir`, unpacked; returns the package folder. */
function packAndUnpack(dir: string): string {
  const pack = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root, encoding: 'utf8' })
  assert.equal(pack.status, 0, `npm pack failed:\n${pack.stderr}`)
  const [{ filename, files }] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }]
  const packed = files.map((f) => f.path)
  for (const file of BUILT) assert.ok(packed.includes(`dist/${file.split('/').pop()}`), `${file} is not in the tarball`)
  assert.ok(!packed.some((p) => p.startsWith('src/') || p.startsWith('test/')), 'sources or tests leaked into the tarball')
  const unpacked = join(dir, 'unpacked')
  mkdirSync(unpacked)
  const tar = spawnSync('tar', ['-xzf', join(dir, filename), '-C', unpacked], { encoding: 'utf8' })
  assert.equal(tar.status, 0, tar.stderr)
  return join(unpacked, 'package')
}

/**
 * A project folder `name` with the package installed as `connect-redis-sealed`, minus the worker
 * file `withoutWorker` when given (the other module format's, so a build that looked for the wrong
 * worker could not start its pool).
 */
function install(dir: string, pkg: string, name: string, withoutWorker?: string): string {
  const project = join(dir, name)
  const modules = join(project, 'node_modules')
  mkdirSync(modules, { recursive: true })
  cpSync(pkg, join(modules, 'connect-redis-sealed'), { recursive: true })
  if (withoutWorker !== undefined) rmSync(join(modules, 'connect-redis-sealed', 'dist', withoutWorker))
  for (const dependency of LINKED_DEPENDENCIES) symlinkSync(join(root, 'node_modules', dependency), join(modules, dependency), 'dir')
  return project
}

const BODY = `
const secret = randomBytes(32)
const store = new RedisStore({ url: process.env.REDIS_URL, secret, pool: { minThreads: 1 }, offloadThreshold: 0 })
const sid = process.env.SID
const payload = randomBytes(48 * 1024).toString('base64')
const session = { cookie: { originalMaxAge: 600000, expires: new Date(Date.now() + 600000).toISOString() }, payload }
await store.set(sid, session)
const back = await store.get(sid)
const stats = store.stats()
await store.close()
process.stdout.write(JSON.stringify({
  entry,
  isStore: store instanceof Store,
  payloadBytes: payload.length,
  roundTrips: back !== null && back.payload === payload,
  stats,
}))
`

const ESM_CHILD = `import { randomBytes } from 'node:crypto'
import { Store } from 'express-session'
import { RedisStore } from 'connect-redis-sealed'
const entry = import.meta.resolve('connect-redis-sealed')
${BODY}`

const CJS_CHILD = `const { randomBytes } = require('node:crypto')
const { Store } = require('express-session')
const { RedisStore } = require('connect-redis-sealed')
const entry = require.resolve('connect-redis-sealed')
;(async () => {${BODY}})().catch((error) => { console.error(error); process.exitCode = 1 })`

interface ChildReport {
  entry: string
  isStore: boolean
  payloadBytes: number
  roundTrips: boolean
  stats: { pooled: number; sealed: number; opened: number; workerFailures: number; fallbacks: number }
}

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
}

/** Runs `node script` with no loader, and waits for it to exit on its own (killed after the timeout). */
function runPlainNode(script: string, cwd: string, env: Record<string, string>): Promise<Exit> {
  const childEnv = { ...process.env, ...env }
  delete childEnv.NODE_OPTIONS
  const child = spawn(process.execPath, [script], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let timedOut = false
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, CHILD_TIMEOUT_MS)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, timedOut })
    })
  })
}

let redis: LocalRedis
let work: string
let pkg: string

before(async () => {
  ensureBuilt()
  // '#' and '%' in the install path: file URLs must be built by pathToFileURL, not by string concatenation.
  work = mkdtempSync(join(tmpdir(), 'sealed package #1 50% '))
  pkg = packAndUnpack(work)
  redis = await startRedis()
})

after(async () => {
  await redis?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

const cases = [
  { name: 'ESM import', file: 'check.mjs', source: ESM_CHILD, entry: '/dist/index.js', withoutWorker: 'seal-worker.cjs' },
  { name: 'CJS require', file: 'check.cjs', source: CJS_CHILD, entry: '/dist/index.cjs', withoutWorker: 'seal-worker.js' },
]

for (const c of cases) {
  test(`the packed package works through ${c.name} under plain node, seals on the pool and exits by itself`, async () => {
    const project = install(work, pkg, c.withoutWorker.endsWith('.cjs') ? 'esm-project' : 'cjs-project', c.withoutWorker)
    writeFileSync(join(project, c.file), c.source)
    const sid = `package-${c.file}`
    const exit = await runPlainNode(c.file, project, { REDIS_URL: redis.url, SID: sid })
    assert.equal(exit.timedOut, false, `the child did not exit within ${CHILD_TIMEOUT_MS} ms (a handle kept it alive)\n${exit.stderr}`)
    assert.equal(exit.code, 0, `the child failed:\n${exit.stderr}`)
    assert.equal(exit.signal, null)
    const report = JSON.parse(exit.stdout) as ChildReport
    assert.ok(report.entry.endsWith(c.entry), `resolved ${report.entry}, expected …${c.entry}`)
    assert.ok(report.entry.includes('/node_modules/connect-redis-sealed/'), 'the package was not loaded by name from node_modules')
    assert.equal(report.isStore, true, 'RedisStore is not an express-session Store')
    assert.ok(report.payloadBytes >= 64 * 1024)
    assert.equal(report.roundTrips, true, 'the session did not come back unchanged')
    assert.ok(report.stats.pooled >= 2, `expected the seal and the open on the pool, stats: ${JSON.stringify(report.stats)}`)
    assert.equal(report.stats.workerFailures, 0)
    assert.equal(report.stats.fallbacks, 0)
    assert.equal(report.stats.sealed, 1)
    assert.equal(report.stats.opened, 1)
    const length = Number((await ask(redis.port, `STRLEN sess:${sid}`)).slice(1))
    assert.ok(length > 64 * 1024, `the record in Redis is ${length} bytes`)
  })
}

const DUAL_CHILD = `import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { createClient, RESP_TYPES } from 'redis'
import * as esm from 'connect-redis-sealed'
const cjs = createRequire(import.meta.url)('connect-redis-sealed')
const secret = randomBytes(32)
const viaImport = new esm.RedisStore({ url: process.env.REDIS_URL, secret, pool: false })
const viaRequire = new cjs.RedisStore({ url: process.env.REDIS_URL, secret, pool: false })
const sid = process.env.SID
const client = createClient({ url: process.env.REDIS_URL })
await client.connect()
const createdAt = async () => (await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get('sess:' + sid)).readUIntBE(13, 6)
await viaImport.set(sid, { cookie: { originalMaxAge: 600000, expires: new Date(Date.now() + 600000).toISOString() }, n: 1 })
const first = await createdAt()
while (Date.now() <= first + 1) await new Promise((resolve) => setTimeout(resolve, 1))
const loaded = await viaImport.get(sid)
loaded.n = 2
await viaRequire.set(sid, loaded)
const resealed = await createdAt()
await Promise.all([viaImport.close(), viaRequire.close(), client.close()])
process.stdout.write(JSON.stringify({ twoCopies: esm.RedisStore !== cjs.RedisStore, first, resealed, ownKeys: Reflect.ownKeys(loaded).map(String), keys: Object.keys(loaded) }))
`

test("an ESM and a CJS copy in one process share what get learned of a session: the other copy's re-seal keeps its creation time", async () => {
  const project = install(work, pkg, 'dual-project')
  writeFileSync(join(project, 'dual.mjs'), DUAL_CHILD)
  const exit = await runPlainNode('dual.mjs', project, { REDIS_URL: redis.url, SID: 'package-dual' })
  assert.equal(exit.code, 0, `the child failed:\n${exit.stderr}`)
  const report = JSON.parse(exit.stdout) as { twoCopies: boolean; first: number; resealed: number; ownKeys: string[]; keys: string[] }
  assert.equal(report.twoCopies, true, 'import and require loaded one copy: the test would prove nothing')
  assert.equal(report.resealed, report.first, 'the CJS copy re-sealed the session as created now')
  assert.deepEqual(report.keys, ['cookie', 'n'], 'get added enumerable properties to the session object')
  assert.deepEqual(report.ownKeys, ['cookie', 'n', 'Symbol(connect-redis-sealed.session-marks)'], 'get added more than its one marks Symbol')
})
