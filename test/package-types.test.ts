/**
 * The package as npm publishes it from a fresh clone: `git clone` of the committed tree, `npm pack`
 * there (its `prepack` builds dist/), `npm install` of the tarball into a new project with the
 * peers a user adds, then:
 * - the tarball holds the code, the types, the LICENSE, and no source maps or unused builds;
 * - the install brings no CLI-only dependency (commander, cli-progress);
 * - `npx connect-redis-sealed keygen` runs from the installed bin;
 * - a consumer type-checks with `strict` and `skipLibCheck: false` under moduleResolution node10,
 *   node16, nodenext and bundler (types must not pull in a dependency's declarations that fail
 *   there), awaits each method without a non-null assertion and imports `UserSession`.
 *
 * The clone shares this checkout's node_modules through a symlink, so only the build costs time.
 * It packs what is committed: commit before running this file after an edit.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'

const root = fileURLToPath(new URL('..', import.meta.url))
const TSC = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
/** What a user of the store installs next to it, at the versions this checkout tests with. */
const CONSUMER_DEPENDENCIES = ['express-session', '@types/express-session', 'redis', '@types/node']
const CLI_ONLY = ['commander', 'cli-progress']

function run(command: string, args: string[], cwd: string, timeout = 120_000): SpawnSyncReturns<string> {
  const env = { ...process.env }
  delete env.NODE_OPTIONS
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout })
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  assert.equal(result.status, 0, `${what} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
}

const CONSUMER = `import session, { type SessionData } from 'express-session'
import { createClient } from 'redis'
import { RedisStore, SealedError, createSealedPool, type RedisStoreOptions, type StoreStats } from 'connect-redis-sealed'
import type { UserSession } from 'connect-redis-sealed'

const client = createClient({ url: process.env.REDIS_URL })
const pool = createSealedPool({ maxThreads: 2 })
const options: RedisStoreOptions = { client, secret: [process.env.SESSION_STORE_SECRET ?? ''], pool }
export const store = new RedisStore(options)
export const middleware = session({ store, secret: process.env.SESSION_COOKIE_SECRET ?? '', resave: false, saveUninitialized: false })
export const stats: StoreStats = store.stats()
export const isSealedError = (error: unknown): boolean => error instanceof SealedError

// Without a callback each method resolves with its value, never undefined: no non-null assertion needed.
export async function strictUse(id: string): Promise<void> {
  const s = await store.get(id)
  const session: SessionData | null = s
  const mine: UserSession[] = await store.sessionsOf('alice')
  const ended: number = await store.destroySessionsOf('alice', { except: id })
  const count: number = await store.length()
  const ids: string[] = await store.ids()
  const all: SessionData[] = await store.all()
  const first: UserSession | undefined = mine[0]
  void [session, ended + count, ids, all, first?.createdAt]
  const withCallback: Promise<void> = store.get(id, (err, value) => void [err, value])
  await withCallback
}
`

/** Each moduleResolution with the module setting TypeScript pairs it with. */
const RESOLUTIONS = [
  { moduleResolution: 'node10', module: 'commonjs' },
  { moduleResolution: 'node16', module: 'node16' },
  { moduleResolution: 'nodenext', module: 'nodenext' },
  { moduleResolution: 'bundler', module: 'esnext' },
] as const

let work: string
let packed: string[]
let consumer: string

before(() => {
  work = mkdtempSync(join(tmpdir(), 'sealed-package-types-'))
  const clone = join(work, 'clone')
  ok(run('git', ['clone', '--quiet', '--no-hardlinks', root, clone], work), 'git clone')
  assert.equal(existsSync(join(clone, 'dist')), false, 'a fresh clone has no dist/')
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir')
  const out = ok(run('npm', ['pack', '--json', '--pack-destination', work], clone), 'npm pack (with prepack)')
  // prepack builds quietly: stdout is npm's JSON report alone.
  const pack = JSON.parse(out) as [
    { filename: string; files: { path: string }[] },
  ]
  packed = pack[0].files.map((f) => f.path)
  consumer = join(work, 'consumer')
  mkdirSync(consumer)
  const dependencies = Object.fromEntries([
    ['connect-redis-sealed', `file:${join(work, pack[0].filename)}`],
    ...CONSUMER_DEPENDENCIES.map((name) => [name, installedVersion(name)]),
  ])
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2))
  ok(run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], consumer), 'npm install in the consumer')
  writeFileSync(join(consumer, 'consumer.ts'), CONSUMER)
})

after(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

test('npm pack from a fresh clone ships the built code, the types and the LICENSE, without source maps or unused builds', () => {
  for (const file of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts', 'seal-worker.js', 'seal-worker.cjs', 'cli.js']) {
    assert.ok(packed.includes(`dist/${file}`), `dist/${file} is not in the tarball: ${packed.join(', ')}`)
  }
  assert.ok(packed.includes('LICENSE'), 'no LICENSE in the tarball')
  assert.deepEqual(packed.filter((p) => p.endsWith('.map')), [], 'source maps in the tarball')
  assert.equal(packed.includes('dist/cli.cjs'), false, 'dist/cli.cjs is shipped but bin runs dist/cli.js')
  assert.ok(!packed.some((p) => /^(src|test|workers|bench)\//.test(p)), 'sources or tests leaked into the tarball')
})

test('installing the package brings no CLI-only dependency', () => {
  for (const name of CLI_ONLY) assert.equal(existsSync(join(consumer, 'node_modules', name)), false, `${name} was installed for a library user`)
  assert.ok(existsSync(join(consumer, 'node_modules', 'piscina')), 'piscina, a run-time dependency, is missing')
})

test('npx connect-redis-sealed keygen runs from the installed package (its dependencies are bundled)', () => {
  const out = ok(run('npx', ['--no-install', 'connect-redis-sealed', 'keygen'], consumer, 30_000), 'npx connect-redis-sealed keygen')
  assert.match(out.split('\n')[0] ?? '', /^[A-Za-z0-9_-]{43}$/)
  ok(run('npx', ['--no-install', 'connect-redis-sealed', '--help'], consumer, 30_000), 'npx connect-redis-sealed --help')
})

/** `tsc -p config` in the consumer, without blocking, so the four checks share the cores. */
function typeCheck(config: string): Promise<{ status: number | null; output: string }> {
  const child = spawn(process.execPath, [TSC, '-p', config], { cwd: consumer, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, output }))
  })
}

describe('a TypeScript consumer type-checks with skipLibCheck false', () => {
  const checks = new Map<string, Promise<{ status: number | null; output: string }>>()
  before(() => {
    for (const { moduleResolution, module } of RESOLUTIONS) {
      const compilerOptions = { strict: true, noEmit: true, skipLibCheck: false, esModuleInterop: true, target: 'es2022', types: ['node'], module, moduleResolution }
      const config = `tsconfig.${moduleResolution}.json`
      writeFileSync(join(consumer, config), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }, null, 2))
      const check = typeCheck(config)
      check.catch(() => {})
      checks.set(moduleResolution, check)
    }
  })
  for (const { moduleResolution, module } of RESOLUTIONS) {
    test(`moduleResolution ${moduleResolution} (module ${module})`, async () => {
      // SealedPool is the package's own interface: importing Piscina's types would break node10 and
      // node16 consumers (its `import '../package.json'` needs resolveJsonModule).
      const types = readFileSync(join(consumer, 'node_modules', 'connect-redis-sealed', 'dist', 'index.d.ts'), 'utf8')
      assert.doesNotMatch(types, /from ['"]piscina['"]/, 'dist/index.d.ts imports nothing from piscina')
      const tsc = await checks.get(moduleResolution)
      assert.equal(tsc?.status, 0, `tsc reported errors under ${moduleResolution}:\n${tsc?.output}`)
    })
  }
})
