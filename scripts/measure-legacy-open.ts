/**
 * How much a connect-redis-crypto record costs to open: kruptein's own synchronous get (what
 * connect-redis-crypto does on every request) against our LegacyReader (PBKDF2 on libuv's thread
 * pool, then a per-record key cache). Prints the time per open and the event-loop delay.
 *
 *   node --import tsx scripts/measure-legacy-open.ts [records=40]
 */
import { createRequire } from 'node:module'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { LegacyReader, OPERATOR_RUN } from '../src/legacy/legacy-reader.js'

interface Kruptein {
  set(secret: string, plaintext: unknown, cb: (error: unknown, ct?: string) => void): void
  get(secret: string, ct: string, cb: (error: unknown, pt?: string) => void): void
}

const records = Number(process.argv[2] ?? 40)
const secret = 'measurement-only-secret'
const fromCrypto = createRequire(createRequire(import.meta.url).resolve('connect-redis-crypto'))
const kruptein = (fromCrypto('kruptein') as (options: object) => Kruptein)({})
const session = { cookie: { originalMaxAge: 3_600_000, httpOnly: true, path: '/' }, user: 'someone', cart: [1, 2, 3] }
const envelopes: string[] = []
for (let i = 0; i < records; i++) kruptein.set(secret, session, (_e, ct) => envelopes.push(ct as string))

async function measure(name: string, run: () => Promise<void>): Promise<void> {
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const start = performance.now()
  await run()
  const ms = performance.now() - start
  delay.disable()
  const p = (q: number) => (delay.percentile(q) / 1e6).toFixed(1)
  console.log(`${name.padEnd(44)} ${(ms / records).toFixed(2).padStart(6)} ms/open (wall)   loop delay p50 ${p(50)} p99 ${p(99)} max ${(delay.max / 1e6).toFixed(1)} ms`)
}

const settings = { secret, algorithm: 'aes-256-gcm', hashing: 'sha512', encodeas: 'binary' } as const
const bytes = envelopes.map((e) => Buffer.from(JSON.stringify(JSON.parse(e)), 'utf8'))

await measure('kruptein.get (sync PBKDF2, as connect-redis-crypto)', async () => {
  for (const e of envelopes) {
    kruptein.get(secret, e, () => {})
    await new Promise((resolve) => setImmediate(resolve))
  }
})
const cold = new LegacyReader({ plaintext: false, kruptein: settings, keyCache: 0, ...OPERATOR_RUN }, 1 << 20)
await measure('LegacyReader, no cache, one at a time', async () => {
  for (const b of bytes) await cold.open(b)
})
await measure('LegacyReader, no cache, all at once', async () => {
  await Promise.all(bytes.map((b) => cold.open(b)))
})
const warm = new LegacyReader({ plaintext: false, kruptein: settings, keyCache: 1000, ...OPERATOR_RUN }, 1 << 20)
await Promise.all(bytes.map((b) => warm.open(b)))
await measure('LegacyReader, keys cached (repeat reads)', async () => {
  for (const b of bytes) await warm.open(b)
})
