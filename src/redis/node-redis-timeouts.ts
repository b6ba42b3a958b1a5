/**
 * node-redis v6 gives every command its own `AbortSignal.timeout(5000)` (v5 can be set up to):
 * a timer, a weak reference and two listener calls per command, about a tenth of a 1 KB get +
 * set on the main thread. Its only effect is to drop a command still waiting to be written:
 * once written, node-redis removes the timer. A connected client writes a command on the next
 * tick, and the store bounds every command's wait with its own deadline sweep, so while the
 * client is ready the store's commands go without that timer. While it is not (connecting,
 * reconnecting: commands wait in node-redis's offline queue), they carry node-redis's own timeout
 * set just past the store's `timeout`, and leave the queue right after the store's deadline.
 */

/** How long after the store's deadline node-redis drops a command still queued offline, so the caller sees ERR_SEALED_TIMEOUT first. */
export const OFFLINE_MARGIN_MS = 25

/** Command options as node-redis v5/v6 accept them (only what this file reads or sets). */
export interface CommandOptions {
  timeout?: number
  typeMapping?: Record<number, unknown>
  [option: string]: unknown
}

/** What this file uses of a node-redis client. */
export interface CommandOptionsClient {
  readonly isReady: boolean
  readonly _commandOptions?: CommandOptions
  withCommandOptions(options: CommandOptions): unknown
}

export function hasCommandOptions(client: object): client is CommandOptionsClient {
  const c = client as Partial<CommandOptionsClient>
  return typeof c.withCommandOptions === 'function' && typeof c.isReady === 'boolean'
}

/**
 * The client's own command options, inherited ones included: node-redis v5 layers them with
 * `Object.create`, v6 spreads them (and adds its default `timeout`).
 */
function ownOptions(client: CommandOptionsClient): CommandOptions {
  const options: CommandOptions = {}
  const current = client._commandOptions
  // v5 keeps options on the prototype chain, which a spread would miss.
  for (const name in current) options[name] = current[name]
  return options
}

interface Pair<T> {
  readonly plain: T
  readonly buffers: T
}

/**
 * The client proxies the store sends its commands through. When the user's client has a
 * shorter `timeout` than the store's, theirs is kept for every command.
 */
export class QueueTimeouts<T> {
  readonly #client: CommandOptionsClient
  readonly #ready: Pair<T>
  readonly #offline: Pair<T>

  constructor(client: CommandOptionsClient, timeoutMs: number, typeMapping: Record<number, unknown>) {
    this.#client = client
    const base = ownOptions(client)
    const theirs = base.timeout
    const keepTheirs = typeof theirs === 'number' && theirs > 0 && theirs < timeoutMs
    const pair = (timeout: number | undefined): Pair<T> => ({
      plain: client.withCommandOptions({ ...base, timeout }) as T,
      buffers: client.withCommandOptions({ ...base, timeout, typeMapping }) as T,
    })
    this.#offline = pair(keepTheirs ? theirs : timeoutMs + OFFLINE_MARGIN_MS)
    this.#ready = keepTheirs ? this.#offline : pair(undefined)
  }

  /** The client for commands whose reply is ignored or not a string. */
  plain(): T {
    return (this.#client.isReady ? this.#ready : this.#offline).plain
  }

  /** The client for commands whose blob-string replies must be Buffers. */
  buffers(): T {
    return (this.#client.isReady ? this.#ready : this.#offline).buffers
  }
}
