/**
 * `npm run bench:profile` — where a 1 KB request's main-thread time goes, for connect-redis 9 and
 * for ours (defaults, and `touchAfter: 60` on read+touch): each server runs under `--cpu-prof`
 * through the paired bench's own server and load (pair-server.ts, autocannon, 32 connections),
 * and its main-thread profile is split by profile-breakdown.ts. The store's share includes the
 * JSON, crypto and Map work it calls. Shares are of the whole profile (start-up included, a few
 * per cent), turned into µs with the server's measured main-thread time per request. Diagnostic,
 * one run each, not a comparison: the paired figures are `npm run bench:pairs`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { startRedis } from '../scripts/local-redis.js'
import { REPO_ROOT } from './repo-root.js'
import type { StoreSpec } from './pair-server.js'
import { createSessions, httpRun, startPairServer, type Route } from './pairs-http.js'
import { breakdown, CATEGORIES, type CpuProfile } from './profile-breakdown.js'

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 6)
const CASES: [string, StoreSpec, Route][] = [
  ['connect-redis, read+write', { kind: 'connect-redis' }, '/work'],
  ['ours, read+write', { kind: 'ours', options: {} }, '/work'],
  ['connect-redis, read+touch', { kind: 'connect-redis' }, '/read'],
  ['ours touchAfter 60, read+touch', { kind: 'ours', options: { touchAfter: 60 } }, '/read'],
]

const redis = await startRedis()
const dir = mkdtempSync(join(tmpdir(), 'sealed-profile-'))
try {
  process.stdout.write(`µs of main-thread time per 1 KB request (${SECONDS} s under load each)\n`)
  process.stdout.write(`${'server'.padEnd(32)}${['total', ...CATEGORIES].map((c) => c.padStart(12)).join('')}\n`)
  for (const [i, [label, spec, route]] of CASES.entries()) {
    const profiles = join(dir, String(i))
    const server = await startPairServer(label, spec, redis.url, randomBytes(32).toString('hex'), `profile-${i}:`, ['--cpu-prof', `--cpu-prof-dir=${profiles}`, '--cpu-prof-interval=250'])
    const cookies = await createSessions(server, 'objects', 1024, 32)
    const run = await httpRun(server, route, cookies, 32, SECONDS, 960)
    await server.stop()
    // Worker threads write profiles of their own: CPU.<date>.<time>.<pid>.<thread id>.<n>.cpuprofile, thread 0 is the main one.
    const main = readdirSync(profiles).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f))
    if (main === undefined) throw new Error(`${label}: no main-thread profile in ${profiles}`)
    const split = breakdown(JSON.parse(readFileSync(join(profiles, main), 'utf8')) as CpuProfile, REPO_ROOT)
    const all = CATEGORIES.reduce((sum, c) => sum + split[c], 0)
    const us = run.mainMsPerRequest * 1000
    process.stdout.write(`${label.padEnd(32)}${[us, ...CATEGORIES.map((c) => (split[c] / all) * us)].map((v) => v.toFixed(1).padStart(12)).join('')}\n`)
  }
} finally {
  await redis.stop()
  rmSync(dir, { recursive: true, force: true })
}
