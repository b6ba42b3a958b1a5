/**
 * Control-plane helpers for the cluster and sentinel suites: full replies through `redis-cli`
 * (scripts/local-redis.ts `ask()` only returns the first line), and polling without fixed sleeps.
 */
import { execFile, spawnSync } from 'node:child_process'
import { setTimeout as delay } from 'node:timers/promises'

export const CLI_HINT =
  'redis-cli was not found on PATH. Install it with redis-server (Debian/Ubuntu: `sudo apt-get install -y redis-server`, macOS: `brew install redis`).'

/** Throws a message saying what to install when redis-cli is missing. */
export function requireRedisCli(): void {
  const found = spawnSync('sh', ['-c', 'command -v redis-cli'], { encoding: 'utf8' })
  if (found.status !== 0 || !found.stdout.trim()) throw new Error(CLI_HINT)
}

/** Runs one command on 127.0.0.1:`port` and resolves with redis-cli's raw output (trimmed). */
export function redisCli(port: number, args: readonly (string | number)[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'redis-cli',
      ['-h', '127.0.0.1', '-p', String(port), ...args.map(String)],
      { timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`redis-cli -p ${port} ${args.join(' ')}: ${stderr || error.message}`))
        else resolve(stdout.trim())
      },
    )
  })
}

/** `field:value` lines of an INFO or CLUSTER INFO reply. */
export function infoFields(text: string): Map<string, string> {
  const fields = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':')
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1).trim())
  }
  return fields
}

/**
 * Polls `check` every `everyMs` until it returns a value other than `undefined` (errors count as
 * "not yet"); rejects after `timeoutMs` with `what` and the last reason.
 */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`)
    }
    await delay(everyMs)
  }
}
