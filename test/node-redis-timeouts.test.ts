/**
 * node-redis's own timer per command: the store's commands go without it while the client is
 * connected (the store's deadline sweep bounds them), carry the store's `timeout` while the client
 * waits offline (so a timed-out write is never sent later), and keep a shorter timeout of the user's.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { createClient as createNodeRedis6 } from 'redis'
import { createClient as createNodeRedis5 } from 'redis5'
import { freePort, startRedis, type LocalRedis } from '../scripts/local-redis.js'
import { RedisStore } from '../src/index.js'
import { SECRET_A, sessionWith, uniquePrefix, waitFor } from './support/sessions.js'

interface NodeRedis {
  readonly isReady: boolean
  readonly isOpen: boolean
  connect(): Promise<unknown>
  destroy(): void
  on(event: 'error', listener: () => void): unknown
  get(key: string): Promise<unknown>
  exists(key: string): Promise<number>
}

const LIBRARIES: readonly [string, (options: object) => NodeRedis][] = [
  ['node-redis 6', (options) => createNodeRedis6(options) as unknown as NodeRedis],
  ['node-redis 5', (options) => createNodeRedis5(options) as unknown as NodeRedis],
]

/** Calls of `AbortSignal.timeout` while `work` runs: node-redis makes one per command it times. */
async function timersDuring(work: () => Promise<unknown>): Promise<number> {
  const original = AbortSignal.timeout
  let calls = 0
  AbortSignal.timeout = (ms: number) => {
    calls++
    return original.call(AbortSignal, ms)
  }
  try {
    await work()
  } finally {
    AbortSignal.timeout = original
  }
  return calls
}

async function getAndSet(store: RedisStore, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await store.set(`sid${i}`, sessionWith({ n: i }))
    assert.ok(await store.get(`sid${i}`))
  }
}

let redis: LocalRedis | undefined
const opened: { close(): unknown }[] = []
after(async () => {
  for (const item of opened.reverse()) await item.close()
  await redis?.stop()
})

/** A client of `create` that this file closes at the end; it connects in the background. */
function tracked(create: (options: object) => NodeRedis, options: object): { client: NodeRedis; connecting: Promise<unknown> } {
  const client = create(options)
  client.on('error', () => {})
  opened.push({ close: () => client.isOpen && client.destroy() })
  return { client, connecting: client.connect() }
}

async function connected(create: (options: object) => NodeRedis, options: object = {}): Promise<NodeRedis> {
  redis ??= await startRedis()
  const { client, connecting } = tracked(create, { url: redis.url, ...options })
  await connecting
  return client
}

/** A client of a port where no Redis listens yet, retrying every 20 ms, and a way to start Redis there. */
async function offline(create: (options: object) => NodeRedis): Promise<{ client: NodeRedis; serve(): Promise<void> }> {
  const port = await freePort()
  const { client, connecting } = tracked(create, { url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: () => 20 } })
  connecting.catch(() => {})
  return {
    client,
    async serve() {
      const server = await startRedis([], port)
      opened.push({ close: () => server.stop() })
    },
  }
}

function storeOn(client: object, timeout: number): RedisStore {
  const store = new RedisStore({ client, secret: SECRET_A, prefix: uniquePrefix('nrt'), timeout, pool: false })
  opened.unshift(store)
  return store
}

for (const [name, create] of LIBRARIES) {
  describe(name, () => {
    it('a connected client sends the store commands without a timer each', async () => {
      const client = await connected(create)
      const store = storeOn(client, 5000)
      await getAndSet(store, 1)
      assert.equal(await timersDuring(() => getAndSet(store, 20)), 0)
      assert.equal(client.isReady, true)
    })

    it("keeps the client's own shorter timeout on every command", async () => {
      const client = await connected(create, { commandOptions: { timeout: 1000 } })
      const store = storeOn(client, 5000)
      await getAndSet(store, 1)
      assert.equal(await timersDuring(() => getAndSet(store, 20)), 40)
      // The user's own commands are untouched.
      assert.equal(await timersDuring(() => client.get('x')), 1)
    })

    it('a write that timed out while the client was offline is not sent when Redis comes back', async () => {
      const { client, serve } = await offline(create)
      const store = storeOn(client, 150)
      await assert.rejects(store.set('late', sessionWith({ late: true })), { code: 'ERR_SEALED_TIMEOUT' })
      // node-redis's offline timer fires on its own schedule, a little after the store's.
      await new Promise((resolve) => setTimeout(resolve, 200))
      await serve()
      await waitFor(() => client.isReady, 'the client reconnects')
      // Commands leave node-redis's queue in order: once a later one is answered, the earlier is gone or done.
      assert.equal(await client.exists(`${store.prefix}late`), 0)
      // The same store writes as soon as it is connected again.
      await store.set('now', sessionWith({ now: true }))
      assert.equal(await client.exists(`${store.prefix}now`), 1)
    })

    it('a write sent while the client is offline still goes out once it connects within the timeout', async () => {
      const { client, serve } = await offline(create)
      const store = storeOn(client, 5000)
      const writing = store.set('queued', sessionWith({ queued: true }))
      await serve()
      await writing
      assert.equal(await client.exists(`${store.prefix}queued`), 1)
    })
  })
}
