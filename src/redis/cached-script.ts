import { createHash } from 'node:crypto'

/** SHA-1 of each script body this process sent, hex, as EVALSHA names it. The scripts are a few constants. */
const shas = new Map<string, string>()

export function shaOf(script: string): string {
  let sha = shas.get(script)
  if (sha === undefined) shas.set(script, (sha = createHash('sha1').update(script).digest('hex')))
  return sha
}

const isNoScript = (error: unknown): boolean => error instanceof Error && /^NOSCRIPT\b/.test(error.message)

/**
 * Runs a script by its SHA-1 (EVALSHA), and by its body (EVAL, which also caches it on that server)
 * only when the server answers NOSCRIPT: after a restart, a failover, SCRIPT FLUSH, or on a node
 * first reached. EVALSHA saves sending the body and the server hashing it on every call: the
 * compare-and-set script runs on every write.
 */
export function evalCached(script: string, bySha: (sha: string) => Promise<unknown>, byBody: () => Promise<unknown>): Promise<unknown> {
  return bySha(shaOf(script)).catch((error: unknown) => (isNoScript(error) ? byBody() : Promise.reject(error)))
}
