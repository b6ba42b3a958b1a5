/**
 * A test worker wrapping the real one: a task whose Redis key names a fault (`sess:__fault_exit__`)
 * makes it throw, exit or hang; every other task goes to workers/seal-worker.ts unchanged.
 */
import type { Task } from '../../src/dispatch/tasks.js'
import run, { heldRings } from '../../workers/seal-worker.js'

const FAULT = /__fault_(throw|exit|hang)__/

/**
 * `sess:__probe_rings__`: the other rings whose keys this worker still holds, as a JSON list
 * (what a seal then returns), once none is left or after 2 s. It runs no codec work and so never
 * gives the worker a reason to look at the registry itself.
 */
async function otherRingsHeld(task: Task): Promise<string> {
  const others = () => heldRings().filter((id) => id !== task.ring)
  const until = Date.now() + 2000
  while (others().length > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5))
  return JSON.stringify(others())
}

export default function faultyRun(task: Task): unknown {
  if (task.key.includes('__probe_rings__')) return otherRingsHeld(task)
  const fault = FAULT.exec(task.key)?.[1]
  if (fault === 'exit') process.exit(1)
  if (fault === 'hang') return new Promise<never>(() => {})
  if (fault === 'throw') throw new Error('injected worker fault')
  return run(task)
}
