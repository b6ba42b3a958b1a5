/**
 * Splits a V8 CPU profile of the HTTP server's main thread into where the time went:
 * express-session's hashing, the session store (its code and the JSON/crypto it calls), the
 * Redis client, garbage collection, and the rest (HTTP, Express, V8/Node internals).
 */

/** The parts of a `Profiler.stop` result this module reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[]
  samples: number[]
  timeDeltas: number[]
}

export const CATEGORIES = ['sessionHash', 'store', 'redisClient', 'gc', 'rest'] as const
export type Category = (typeof CATEGORIES)[number]

/** Milliseconds of main-thread time per category over the whole profile (idle excluded). */
export type Breakdown = Record<Category, number>

/** Store code, including Piscina's main-thread side (our pool). Native message (de)serialization has no JS frame and lands in `rest`. */
const STORE_PATHS = ['/node_modules/connect-redis/', '/node_modules/connect-redis-crypto/', '/node_modules/kruptein/', '/node_modules/piscina/']
const CLIENT_PATHS = ['/node_modules/@redis/', '/node_modules/redis/', '/node_modules/ioredis/', '/node_modules/redis-parser/', '/node_modules/denque/', '/node_modules/cluster-key-slot/']

/**
 * `repoRoot` is where our store lives (`<root>/src`, `<root>/workers`, and the built `<root>/dist`). A sample whose
 * stack holds express-session's `hash` is hashing, even when reached through other code;
 * otherwise it goes to the leaf-most frame that has a place of its own: the store, the Redis client,
 * or any other JavaScript file (the rest). V8 builtins and Node's own `node:` modules have none and
 * go to their caller, so JSON.parse or a cipher called by a store is the store's, command encoding
 * called by it is the client's, and express-session and the route running inside a store's
 * callback are the rest, not the store. GC and idle are V8's own pseudo-frames.
 */
export function breakdown(profile: CpuProfile, repoRoot: string): Breakdown {
  // dist/: the benches run the built package (built-store.ts), so that is where our frames are.
  const ours = [`${repoRoot}/src/`, `${repoRoot}/workers/`, `${repoRoot}/dist/`]
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)

  const own = (id: number): Category | 'idle' | undefined => {
    const frame = (byId.get(id) as CpuProfile['nodes'][number]).callFrame
    const url = frame.url.replace(/^file:\/\//, '')
    if (frame.functionName === '(idle)') return 'idle'
    if (frame.functionName === '(garbage collector)') return 'gc'
    if (frame.functionName === 'hash' && url.endsWith('/express-session/index.js')) return 'sessionHash'
    if (ours.some((p) => url.startsWith(p)) || STORE_PATHS.some((p) => url.includes(p))) return 'store'
    if (CLIENT_PATHS.some((p) => url.includes(p))) return 'redisClient'
    if (url === '' || url.startsWith('node:')) return undefined
    return 'rest'
  }

  const memo = new Map<number, { hashed: boolean; nearest: Category | 'idle' | undefined }>()
  const walk = (id: number): { hashed: boolean; nearest: Category | 'idle' | undefined } => {
    const known = memo.get(id)
    if (known) return known
    const up = parent.get(id)
    const above = up === undefined ? { hashed: false, nearest: undefined } : walk(up)
    const mine = own(id)
    const result = { hashed: above.hashed || mine === 'sessionHash', nearest: mine ?? above.nearest }
    memo.set(id, result)
    return result
  }

  const out: Breakdown = { sessionHash: 0, store: 0, redisClient: 0, gc: 0, rest: 0 }
  for (let i = 0; i < profile.samples.length; i++) {
    const { hashed, nearest } = walk(profile.samples[i] as number)
    const category = hashed ? 'sessionHash' : (nearest ?? 'rest')
    if (category !== 'idle') out[category] += (profile.timeDeltas[i + 1] ?? 0) / 1000
  }
  return out
}
