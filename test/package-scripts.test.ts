/** Packing scripts: a quiet prepack build, and a publish that refuses a package without dist/. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'sealed-package-scripts-'))
after(() => rmSync(work, { recursive: true, force: true }))

test('npm pack --dry-run --json prints only JSON on stdout, though prepack builds', () => {
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8' })
  assert.equal(pack.status, 0, pack.stderr)
  const [report] = JSON.parse(pack.stdout) as [{ files: { path: string }[] }]
  assert.ok(report.files.some((file) => file.path === 'dist/index.js'), 'the build ran and dist/ is packed')
})

const requireDist = (cwd: string) =>
  spawnSync(process.execPath, [join(ROOT, 'scripts/require-dist.mjs')], { cwd, encoding: 'utf8' })

test('prepublishOnly refuses a package whose dist/ is missing, naming the files', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  assert.equal(manifest.scripts.prepublishOnly, 'node scripts/require-dist.mjs')
  const dir = join(work, 'no-dist')
  mkdirSync(dir)
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'))
  const refused = requireDist(dir)
  assert.equal(refused.status, 1)
  assert.match(refused.stderr, /^not publishing: \.\/dist\/index\.cjs, .*\.\/dist\/cli\.js.* missing\. Run `npm run build` first/)

  for (const file of ['index.cjs', 'index.js', 'index.d.ts', 'index.d.cts', 'cli.js']) {
    mkdirSync(dirname(join(dir, 'dist', file)), { recursive: true })
    writeFileSync(join(dir, 'dist', file), '')
  }
  const allowed = requireDist(dir)
  assert.equal(allowed.status, 0, allowed.stderr)
  assert.equal(allowed.stderr, '')
})
