/**
 * Reproduces the failover table in docs/SCALING.md: runs test/cluster/failover.test.ts (real
 * Redis Cluster and Sentinel, every client streaming store requests) and writes the figures each
 * scenario prints to bench/results/failover.md, with the machine and date.
 *
 *   npx tsx scripts/failover-figures.ts
 */
import { spawnSync } from 'node:child_process'
import { cpus } from 'node:os'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', 'test/cluster/failover.test.ts'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
})
const lines = run.stdout.split('\n')
const out: string[] = [
  '# Failover figures',
  '',
  `\`npx tsx scripts/failover-figures.ts\`, ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}; test exit code ${run.status}.`,
  '',
]
for (const line of lines) {
  const scenario = /^# Subtest: ((cluster|sentinel): .*)$/.exec(line.trim())
  if (scenario) out.push('', `## ${scenario[1]}`, '')
  const diagnostic = /^# ((failover took|node-redis|ioredis).*)$/.exec(line.trim())
  if (diagnostic) out.push(`- ${diagnostic[1]}`)
  const failed = /^not ok \d+ - (.*)$/.exec(line.trim())
  if (failed) out.push(`- FAILED: ${failed[1]}`)
}
const summary = lines.filter((l) => /^# (tests|pass|fail) /.test(l)).map((l) => l.slice(2))
out.push('', `Summary: ${summary.join(', ')}`, '')
writeFileSync(`${root}bench/results/failover.md`, out.join('\n'))
process.stdout.write(out.join('\n'))
