/**
 * npm run soak:chaos -- [--mode soak|revocation-failovers] [flags]
 *
 * soak (default): app processes (Express + express-session + the store) on a local Sentinel set
 * and on a local Cluster, generated traffic with its own ledger, faults injected one after another;
 * prints and writes a table per fault kind and client, durability off and on.
 *   --topology sentinel|cluster|both (both) --apps N (3) --users N (2 per app and config)
 *   --phase S (4: seconds of traffic before and after each fault) --recover S (30: most a fault may take)
 * revocation-failovers: failovers timed right after a revocation (see revocation-failovers.ts).
 *   --trials N (50 per client and durability setting) --seconds S (900: the whole mode's bound)
 *   --promotion manual|sentinel (manual: REPLICAOF NO ONE at once; sentinel: a real Sentinel, ~10 s a trial)
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { revocationFailovers } from './revocation-failovers.js'
import { runSoak } from './soak.js'

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'soak' },
    topology: { type: 'string', default: 'both' },
    apps: { type: 'string', default: '3' },
    users: { type: 'string', default: '2' },
    phase: { type: 'string', default: '4' },
    recover: { type: 'string', default: '30' },
    trials: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '900' },
    promotion: { type: 'string', default: 'manual' },
  },
})
const num = (name: keyof typeof values): number => {
  const n = Number(values[name])
  if (!Number.isFinite(n) || n <= 0) throw new TypeError(`--${name} must be a number > 0`)
  return n
}

if (values.mode === 'revocation-failovers') {
  const promotion = values.promotion
  if (promotion !== 'manual' && promotion !== 'sentinel') throw new TypeError('--promotion must be manual or sentinel')
  const results = await revocationFailovers(num('trials'), num('seconds'), promotion)
  const table = [
    '| client | durability | trials (replica stalled) | revocations acknowledged (replica stalled) | refused (ERR_SEALED_NOT_DURABLE) | other errors | undone |',
    '|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.client} | ${r.durability ? 'on' : 'off'} | ${r.trials} (${r.lagging}) | ${r.acknowledged} (${r.acknowledgedLagging}) | ${r.refused} | ${r.otherErrors} | ${r.undone} |`),
  ].join('\n')
  console.log(`\n${table}`)
  writeFileSync(new URL(`../results/chaos-revocation-failovers${promotion === 'sentinel' ? '-sentinel' : ''}.md`, import.meta.url), `${table}\n`)
} else if (values.mode === 'soak') {
  const topology = values.topology
  if (topology !== 'sentinel' && topology !== 'cluster' && topology !== 'both') throw new TypeError('--topology must be sentinel, cluster or both')
  const topologies = topology === 'both' ? (['sentinel', 'cluster'] as const) : ([topology] as const)
  for (const t of topologies) await runSoak({ topology: t, apps: num('apps'), users: num('users'), phaseMs: num('phase') * 1000, recoverMs: num('recover') * 1000 })
} else {
  throw new TypeError('--mode must be soak or revocation-failovers')
}
