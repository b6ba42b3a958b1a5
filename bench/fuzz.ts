/**
 * The long fuzz run (npm run fuzz): every codec case of test/hardening/fuzz-cases.ts at
 * `--scale` times its base count (scale 8: about 150,000 values). FUZZ_SEED=<n> or --seed <n>
 * replays a run. Exits non-zero on the first counterexample (fast-check prints it, shrunk).
 */
import { parseArgs } from 'node:util'
import { fuzzSeed, fuzzWorld, runCodecFuzz } from '../test/hardening/fuzz-cases.js'

const { values } = parseArgs({ options: { scale: { type: 'string', default: '8' }, seed: { type: 'string' } } })
const scale = Number(values.scale)
if (!Number.isFinite(scale) || scale <= 0) throw new TypeError('--scale must be a number > 0')
const seed = values.seed !== undefined ? Number(values.seed) : fuzzSeed()

console.log(`fuzz: seed ${seed}, scale ${scale} (replay with FUZZ_SEED=${seed} npm run fuzz -- --scale ${scale})`)
const started = performance.now()
const counter = runCodecFuzz(await fuzzWorld(), seed, scale)
for (const [name, n] of counter.perCase) console.log(`  ${String(n).padStart(8)}  ${name}`)
console.log(`${counter.total} values opened in ${((performance.now() - started) / 1000).toFixed(1)} s: none opened to anything but the exact session sealed for its key`)
