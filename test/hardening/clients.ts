/** Real Redis clients for the hardening tests, each with an error listener so a dropped connection never crashes the process. */
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import type { ClientName } from '../support/client-names.js'

export type { ClientName } from '../support/client-names.js'
/** The libraries the hardening tests load: one node-redis, one ioredis. */
export const CLIENT_KINDS: readonly ClientName[] = ['node-redis 6', 'ioredis 5']

export interface TestClient {
  readonly kind: ClientName
  /** The client object to hand to the store. */
  readonly client: object
  /** Closes the connection at once (no QUIT round trip, so it works while Redis is down). */
  close(): Promise<void>
}

export async function connectClient(kind: ClientName, port: number): Promise<TestClient> {
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
  if (kind !== 'ioredis 5') throw new Error(`the hardening tests load only ${CLIENT_KINDS.join(' and ')}`)
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
