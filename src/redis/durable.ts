import { SealedError } from '../errors.js'
import type { ResolvedDurability } from '../options/durability.js'
import type { RedisAdapter } from './adapter.js'
import { DeadlineSweep, withDeadline } from './deadline.js'
import { duplicateLinks, type Link, type Links } from './durable-links.js'

/** Only these survive as a connection's identity: CLIENT INFO's other fields change from call to call. */
const IDENTITY = /(?:^|\s)(id|addr|laddr)=(\S*)/g

function identityOf(reply: unknown): string {
  const text = typeof reply === 'string' ? reply : Buffer.from(reply as Uint8Array).toString('latin1')
  return [...text.matchAll(IDENTITY)].map((m) => `${m[1]}=${m[2]}`).join(' ')
}

const REDIRECTED = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b/
const REDIRECTS = 3

function redirected(error: unknown): boolean {
  return error instanceof Error && REDIRECTED.test(error.message)
}

/** A connection used by one durable operation, with who it was when first used. */
interface Used {
  readonly link: Link
  readonly before: Promise<string>
}

/**
 * Durable writes: an operation runs its commands on the store's own connection(s) (a duplicate
 * of the user's client), then `WAIT replicas timeout` on each connection it used. `WAIT` blocks
 * only that connection, so the user's shared client keeps serving other requests meanwhile.
 *
 * `WAIT` counts the replicas that acknowledged the writes of the connection it runs on. Were the
 * connection replaced between the writes and the WAIT (a reconnect, a failover), a WAIT on the new
 * one would confirm nothing; so the connection's identity (CLIENT INFO id, addr, laddr) is read
 * before its first command and right after the WAIT, and any difference fails the operation.
 */
export class Durability {
  readonly #links: Links
  readonly #replicas: number
  readonly #timeout: number
  readonly #commandTimeout: number
  readonly #waits: DeadlineSweep
  /** Whether `set` (and touch/expiry deletes) wait too, not only revocations. */
  readonly writes: boolean

  constructor(client: object, options: ResolvedDurability, commandTimeout: number) {
    this.#links = duplicateLinks(client)
    this.#replicas = options.replicas
    this.#timeout = options.timeout
    this.writes = options.writes
    this.#commandTimeout = commandTimeout
    this.#waits = new DeadlineSweep(options.timeout + commandTimeout)
  }

  /** Runs `work` on the store's own connections, then waits until the replicas hold its writes. */
  async run<T>(work: (redis: RedisAdapter) => Promise<T>): Promise<T> {
    const used = new Map<Link, Used>()
    const result = await work(withDeadline(this.#routed(used), this.#commandTimeout))
    await Promise.all([...used.values()].map((u) => this.#confirm(u)))
    return result
  }

  close(): Promise<void> {
    return this.#links.close()
  }

  /** The link for a key, remembered with its identity the first time this operation uses it. */
  async #use(key: string, used: Map<Link, Used>): Promise<Link> {
    const link = await this.#links.linkFor(key)
    if (!used.has(link)) {
      const before = link.send(['CLIENT', 'INFO']).then(identityOf)
      before.catch(() => {})
      used.set(link, { link, before })
    }
    return link
  }

  /** One single-key command on its slot's master; a redirect makes the client relearn the slot and the command go again. */
  async #on<T>(key: string, used: Map<Link, Used>, command: (redis: RedisAdapter) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await command((await this.#use(key, used)).redis)
      } catch (error) {
        if (!redirected(error) || attempt === REDIRECTS) throw error
        await this.#links.relearn(key)
      }
    }
  }

  #routed(used: Map<Link, Used>): RedisAdapter {
    const on = <T>(key: string, command: (redis: RedisAdapter) => Promise<T>) => this.#on(key, used, command)
    return {
      // As on a cluster: a user's index entry is written before the record, never after.
      cluster: true,
      get: (key) => on(key, (r) => r.get(key)),
      mget: (keys) => Promise.all(keys.map((key) => on(key, (r) => r.get(key)))),
      set: (key, value, ttl) => on(key, (r) => r.set(key, value, ttl)),
      expire: (key, ttl) => on(key, (r) => r.expire(key, ttl)),
      del: async (keys) => void (await Promise.all(keys.map((key) => on(key, (r) => r.del([key]))))),
      eval: (script, keys, args) => on(keys[0] ?? '', (r) => r.eval(script, keys, args)),
      scan: () => {
        throw new Error('SCAN is not a durable operation')
      },
    }
  }

  async #confirm({ link, before }: Used): Promise<void> {
    const waited = link.send(['WAIT', String(this.#replicas), String(this.#timeout)])
    const after = link.send(['CLIENT', 'INFO']).then(identityOf)
    after.catch(() => {})
    let acknowledged: number
    try {
      acknowledged = Number(await this.#waits.bound(waited, 'WAIT'))
      if ((await before) !== (await after)) throw new Error('the connection changed between the writes and WAIT')
    } catch (cause) {
      throw notDurable(`could not confirm the write on ${this.#replicas} replica(s)`, cause)
    }
    if (!(acknowledged >= this.#replicas)) {
      throw notDurable(`${acknowledged} of ${this.#replicas} replica(s) confirmed the write within ${this.#timeout} ms`)
    }
  }
}

function notDurable(what: string, cause?: unknown): SealedError {
  return new SealedError('ERR_SEALED_NOT_DURABLE', `${what}: the change is done on the master but may not survive a failover`, cause === undefined ? undefined : { cause })
}
