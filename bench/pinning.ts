/**
 * CPU pinning for the 1 KB HTTP pairs, opt-in with PAIRS_PIN=1 (needs `taskset` and 2 cores or more):
 * the server under test gets the last core to itself; this process (autocannon), Redis and the idle
 * contender share the others, as one Node process per core runs in production. On the 2-core
 * machine of 2026-12-03 it did not narrow the spread of a 3 s round (the swings come from the host),
 * so it stays off by default and runs stay comparable with earlier ones.
 */
import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

export interface Pinning {
  /** Pins every thread of `pid` (and the threads it starts later) to the server core. */
  server(pid: number): void
  /** Pins every thread of `pid` to the other cores. */
  rest(pid: number): void
  /** Lets every thread of `pid` run on any core again. */
  release(pid: number): void
  readonly description: string
}

function taskset(cores: string, pid: number): void {
  const result = spawnSync('taskset', ['-a', '-cp', cores, String(pid)], { stdio: 'ignore' })
  if (result.status !== 0) throw new Error(`taskset -a -cp ${cores} ${pid} failed (${result.error?.message ?? `exit ${result.status}`})`)
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0
}

/** The pinning PAIRS_PIN=1 asks for, or undefined without it; throws when this machine cannot pin. */
export function choosePinning(): Pinning | undefined {
  if (process.env.PAIRS_PIN !== '1') return undefined
  const cores = availableParallelism()
  if (cores < 2 || !hasTaskset()) throw new Error('PAIRS_PIN=1 needs taskset (util-linux) and at least 2 cores')
  const last = cores - 1
  const others = last === 1 ? '0' : `0-${last - 1}`
  return {
    server: (pid) => taskset(String(last), pid),
    rest: (pid) => taskset(others, pid),
    release: (pid) => taskset(`0-${last}`, pid),
    description: `server under test on core ${last}; load generator, Redis and the idle server on ${others}`,
  }
}
