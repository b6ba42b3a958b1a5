/**
 * The store as users run it: the built package in dist/, not the TypeScript source through tsx
 * (whose transform adds a `__name` call per closure and other helpers that connect-redis, a
 * plain JS package, does not pay). The bench scripts build first; run directly, a missing or
 * stale dist/ is an error rather than a silently wrong measurement.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from './repo-root.js'

const root = REPO_ROOT
const built = join(root, 'dist', 'index.js')

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs)
  }
  return newest
}

if (!existsSync(built)) throw new Error('bench: dist/index.js is missing; run `npm run build` first')
if (statSync(built).mtimeMs < Math.max(newestSource(join(root, 'src')), newestSource(join(root, 'workers')))) {
  throw new Error('bench: dist/ is older than src/; run `npm run build` first')
}

const loaded = (await import(built)) as typeof import('../src/index.js')

export const { RedisStore } = loaded
export type RedisStore = import('../src/index.js').RedisStore
