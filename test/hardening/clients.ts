/** Real Redis clients for the hardening tests, each with an error listener so a dropped connection never crashes the process. */
import { Redis } from 'ioredis'
import { createClient } from 'redis'

export const CLIENT_KINDS = ['node-redis 6', 'ioredis 5'] as const
export type ClientKind = (typeof CLIENT_KINDS)[number]

export interface TestClient {
  readonly kind: ClientKind
  /** The client object to hand to the store. */
  readonly client: object
  /** Closes the connection at once (no QUIT round trip, so it works while Redis is down). */
  close(): Promise<void>
}

export async function connectClient(kind: ClientKind, port: number): Promise<TestClient> {
  if (kind === 'node-redis 6') {
    const client = createClient({ url: `redis://127.0.0.1:${port}` })
    client.on('error', () => {})
    await client.connect()
    return {
      kind,
      client,
      async close() {
        if (client.isOpen) client.destroy()
      },
    }
  }
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true })
  client.on('error', () => {})
  await client.connect()
  return {
    kind,
    client,
    async close() {
      client.disconnect(false)
    },
  }
}

/** A node-redis client whose replies are Buffers, for writing and reading raw records. */
export async function rawClient(port: number) {
  const client = createClient({ url: `redis://127.0.0.1:${port}` })
  client.on('error', () => {})
  await client.connect()
  return client
}

/** Collects unhandled rejections for the lifetime of a test file. */
export function watchUnhandledRejections(): unknown[] {
  const seen: unknown[] = []
  process.on('unhandledRejection', (reason) => seen.push(reason))
  return seen
}

/** Polls `check` (awaiting each call) until it returns true, or fails after `timeoutMs`. */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
