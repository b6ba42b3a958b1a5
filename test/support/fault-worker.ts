/**
 * A test worker wrapping the real one: a task whose Redis key names a fault (`sess:__fault_exit__`)
 * makes it throw, exit or hang; every other task goes to workers/seal-worker.ts unchanged.
 */
import type { Task } from '../../src/dispatch/tasks.js'
import run from '../../workers/seal-worker.js'

const FAULT = /__fault_(throw|exit|hang)__/

export default function faultyRun(task: Task): unknown {
  const fault = FAULT.exec(task.key)?.[1]
  if (fault === 'exit') process.exit(1)
  if (fault === 'hang') return new Promise<never>(() => {})
  if (fault === 'throw') throw new Error('injected worker fault')
  return run(task)
}
