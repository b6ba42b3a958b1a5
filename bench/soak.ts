/**
 * The long soak (npm run soak -- --seconds 300): shared session ids, concurrent
 * get/set/touch/destroy through one pooled store, CLIENT KILL and CLIENT PAUSE injected, every
 * acknowledged write checked, heap after forced GC sampled. Exits 1 on any unexpected error,
 * model violation or lost write.
 *
 * Flags: --seconds N (180) --ids N (20000) --users N (48) --client node-redis|ioredis
 *        --kill-every S (10) --pause-every S (15) --samples N (12)
 */
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { runSoak } from '../test/hardening/soak-runner.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    ids: { type: 'string', default: '20000' },
    users: { type: 'string', default: '48' },
    client: { type: 'string', default: 'node-redis' },
    'kill-every': { type: 'string', default: '10' },
    'pause-every': { type: 'string', default: '15' },
    samples: { type: 'string', default: '12' },
  },
})
const number = (name: keyof typeof values): number => {
  const n = Number(values[name])
  if (!Number.isFinite(n) || n < 0) throw new TypeError(`--${name} must be a number >= 0`)
  return n
}
if (values.client !== 'node-redis' && values.client !== 'ioredis') throw new TypeError('--client must be node-redis or ioredis')

setFlagsFromString('--expose-gc')
const gc = (globalThis as { gc?: () => void }).gc ?? (runInNewContext('gc') as () => void)
const mb = (bytes: number) => (bytes / 1048576).toFixed(2)

const seconds = number('seconds')
console.log(`soak: ${seconds} s, ${number('ids')} ids, ${number('users')} users, ${values.client}, kill every ${number('kill-every')} s, pause every ${number('pause-every')} s`)
const report = await runSoak({
  seconds,
  ids: number('ids'),
  users: number('users'),
  kind: values.client === 'ioredis' ? 'ioredis 5' : 'node-redis 6',
  killEvery: number('kill-every'),
  pauseEvery: number('pause-every'),
  gc,
  heapSamples: Math.max(2, number('samples')),
  onSample: (s) => console.log(`  ${s.atSeconds.toFixed(0).padStart(5)} s  heap after GC ${mb(s.heapUsedBytes)} MB`),
})
const totalOps = Object.values(report.ops).reduce((a, b) => a + b, 0)
console.log(`ops: ${totalOps} (${JSON.stringify(report.ops)}), ${Math.round(totalOps / seconds)}/s`)
console.log(`acknowledged writes: ${report.acknowledgedWrites}, failed ops (during faults): ${report.failedOps}`)
console.log(`faults injected: ${report.faults.kills} CLIENT KILL, ${report.faults.pauses} CLIENT PAUSE`)
console.log(`store: pooled ${report.store.pooled}, inline ${report.store.inline}, fallbacks ${report.store.fallbacks}, worker failures ${report.store.workerFailures}, open failures ${report.store.openFailures}`)
console.log(`unexpected errors: ${report.unexpectedErrors.length}; model violations: ${report.violations.length}; lost writes: ${report.lostWrites} (final check of ${report.finalChecked} ids)`)
const first = report.heap[1] ?? report.heap[0]
const minutes = first ? (report.heap[report.heap.length - 1]!.atSeconds - first.atSeconds) / 60 : 0
const heaps = report.heap.slice(1).map((h) => h.heapUsedBytes)
console.log(`heap after GC after warm-up: ${mb(Math.min(...heaps))}-${mb(Math.max(...heaps))} MB; last minus first ${mb(report.heapGrowthBytes)} MB over ${minutes.toFixed(1)} min; trend ${mb(report.heapSlopeBytesPerMinute)} MB/min`)
for (const line of [...report.unexpectedErrors, ...report.violations].slice(0, 10)) console.log(`  ! ${line}`)
if (report.unexpectedErrors.length + report.violations.length + report.lostWrites > 0) process.exitCode = 1
