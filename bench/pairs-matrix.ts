/**
 * Issue 14's pool matrix of the full paired run: ours (defaults) against `pool: false`, with and
 * without gzip, over session shapes, sizes and connections, with the MemoryStore floor.
 */
import { load1, ratios } from './paired.js'
import { clearPrefixes, figure, httpPair, KB, print, SMOKE, sum, type Figure, type Servers } from './pairs-core.js'
import type { Pinger } from './pairs-http.js'
import { SHAPES, type Shape } from './shapes.js'
import { sizeLabel } from './session-data.js'

/**
 * What no store can go below under express-session: its MemoryStore (JSON.parse and JSON.stringify of the
 * session, no Redis, no crypto) against `pool: false` with gzip, main-thread ms per request. express-session
 * also hashes the session twice per request on the main thread, whatever the store.
 */
async function floor(sv: Servers, name: string, opts: { shape: Shape; size: number; connections: number; seconds: number; warmup: number; pairs: number }): Promise<Figure> {
  const before = load1()
  const runs = await httpPair(sv, 'memory store', 'pool: false gzip', { ...opts, route: '/work' })
  const f = figure(`m-${name}-floor`, `${name}: MemoryStore (express-session + JSON alone) / pool: false main-thread ms per request`, 'main ms/req', ratios(runs, (r) => r.mainMsPerRequest), before, undefined, { a: runs.a.map((r) => r.mainMsPerRequest), b: runs.b.map((r) => r.mainMsPerRequest) })
  print(f)
  await sv.stop('memory store')
  return f
}

/** #14's matrix: ours (defaults) vs pool: false, with and without gzip, over shapes, sizes and connections. */
export async function matrix(sv: Servers, url: string, pinger: Pinger, log: (s: string) => void): Promise<Figure[]> {
  const out: Figure[] = []
  const plan = { [64 * KB]: { pairs: 3, seconds: 2, warmupPerConnection: 2 }, [256 * KB]: { pairs: 3, seconds: 3, warmupPerConnection: 1 }, [1024 * KB]: { pairs: 3, seconds: 3, warmupPerConnection: 1 } }
  for (const gz of [false, true]) {
    for (const shape of SMOKE ? (['unicode'] as const) : SHAPES) {
      for (const size of SMOKE ? [64 * KB] : [64 * KB, 256 * KB, 1024 * KB]) {
        const p = SMOKE ? { pairs: 1, seconds: 1, warmupPerConnection: 1 } : (plan[size] as { pairs: number; seconds: number; warmupPerConnection: number })
        const cookies = new Map<string, string[]>()
        for (const connections of SMOKE ? [16] : [16, 32]) {
          const [a, b] = gz ? ['ours gzip', 'pool: false gzip'] : ['ours', 'pool: false']
          const name = `${shape} ${sizeLabel(size)} ×${connections}${gz ? ' gzip' : ''}`
          log(`matrix: ${name}`)
          const before = load1()
          const runs = await httpPair(sv, a, b, { shape, size, route: '/work', connections, seconds: p.seconds, warmup: connections * p.warmupPerConnection, pairs: p.pairs, pinger, cookies })
          const cell = { shape, size, connections, gzip: gz }
          const rps = figure(`m-${name}-rps`, `${name}: default / pool: false req/s`, 'req/s', ratios(runs, (r) => r.reqPerSec), before, { direction: '>=', target: 0.95 }, { a: runs.a.map((r) => r.reqPerSec), b: runs.b.map((r) => r.reqPerSec) })
          const strict = gz && size === 256 * KB
          const health = figure(`m-${name}-health`, `${name}: default / pool: false /health p99`, 'health p99', ratios(runs, (r) => r.healthP99), before, { direction: '<=', target: strict ? 0.5 : 1.05 }, { a: runs.a.map((r) => r.healthP99), b: runs.b.map((r) => r.healthP99) })
          const main = figure(`m-${name}-main`, `${name}: default / pool: false main-thread ms per request`, 'main ms/req', ratios(runs, (r) => r.mainMsPerRequest), before, strict ? { direction: '<=', target: 0.6 } : undefined, { a: runs.a.map((r) => r.mainMsPerRequest), b: runs.b.map((r) => r.mainMsPerRequest) })
          const cpu = figure(`m-${name}-cpu`, `${name}: default / pool: false CPU ms per request, all threads`, 'cpu ms/req', ratios(runs, (r) => r.cpuMsPerRequest), before, undefined, { a: runs.a.map((r) => r.cpuMsPerRequest), b: runs.b.map((r) => r.cpuMsPerRequest) })
          for (const [f, metric] of [[rps, 'req/s'], [health, 'health p99'], [main, 'main ms/req'], [cpu, 'cpu ms/req']] as const) {
            f.cell = { ...cell, metric }
            f.dispatch = sum(runs.a)
            print(f)
            out.push(f)
          }
          if (strict || (SMOKE && gz)) out.push(await floor(sv, name, { shape, size, connections, seconds: p.seconds, warmup: connections * p.warmupPerConnection, pairs: p.pairs }))
        }
        await clearPrefixes(url)
      }
    }
  }
  return out
}
