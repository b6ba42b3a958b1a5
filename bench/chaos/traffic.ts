/**
 * The soak's generated traffic and its ledger. Virtual users log in, read, write a counter, and end
 * with a logout, a `destroySessionsOf` of their user, or by leaving the session open. The ledger
 * keeps only what the app acknowledged (a 2xx); an operation that failed leaves that session
 * uncertain and out of the checks. Every loop is bounded by a stop flag and by `maxRequests`.
 */

export interface Sample {
  readonly start: number
  readonly ms: number
  readonly ok: boolean
}

interface Entry {
  readonly sid: string
  readonly cookie: string
  readonly user: string
  /** The counter value last acknowledged. */
  n: number
  /** A write of this value failed: the stored counter may be it or `n`. */
  attempted?: number
  state: 'live' | 'revoked' | 'uncertain'
  checked?: boolean
}

export interface Findings {
  /** Acknowledged as live, then missing. */
  sessionsLost: number
  /** Acknowledged as destroyed, then readable again. */
  revocationsUndone: number
  /** Readable, but the counter is neither the acknowledged value nor an attempted one. */
  writesLost: number
  checked: number
}

const THINK_MS = 25
const REQUEST_MS = 15_000

/** One configuration's traffic against its app servers (one port per app process). */
export class Traffic {
  readonly samples: Sample[] = []
  readonly #ledger: Entry[] = []
  #stop = false
  #requests = 0
  #next = 0

  constructor(
    private readonly ports: readonly number[],
    private readonly users: number,
    private readonly maxRequests: number,
  ) {}

  #port(): number {
    return this.ports[this.#next++ % this.ports.length] as number
  }

  async #call(method: string, path: string, cookie?: string, record = true): Promise<{ status: number; body: Record<string, unknown>; cookie?: string }> {
    const start = performance.now()
    this.#requests++
    let status = 0
    try {
      const res = await fetch(`http://127.0.0.1:${this.#port()}${path}`, { method, headers: cookie ? { cookie } : {}, signal: AbortSignal.timeout(REQUEST_MS) })
      status = res.status
      const body = (await res.json().catch(() => ({}))) as Record<string, unknown>
      const setCookie = res.headers.get('set-cookie')?.split(';')[0]
      return { status, body, cookie: setCookie }
    } catch {
      return { status, body: {} }
    } finally {
      if (record) this.samples.push({ start, ms: performance.now() - start, ok: status >= 200 && status < 300 })
    }
  }

  async #user(id: number): Promise<void> {
    const pause = () => new Promise((resolve) => setTimeout(resolve, THINK_MS))
    for (let round = 0; !this.#stop && this.#requests < this.maxRequests; round++) {
      const user = `vu${id}-${round}`
      const mine: Entry[] = []
      for (let device = 0; device < 2 && !this.#stop; device++) {
        const login = await this.#call('POST', `/login?user=${user}`)
        await pause()
        if (login.status !== 200 || !login.cookie) continue
        const entry: Entry = { sid: String(login.body.sid), cookie: login.cookie, user, n: 0, state: 'live' }
        this.#ledger.push(entry)
        mine.push(entry)
        for (let i = 1; i <= 3 && !this.#stop; i++) {
          await this.#call('GET', '/read', entry.cookie)
          await pause()
          const write = await this.#call('POST', `/write?n=${entry.n + 1}`, entry.cookie)
          if (write.status === 200) entry.n++
          else entry.attempted = entry.n + 1
          await pause()
        }
      }
      const ending = round % 3
      if (ending === 0 && mine[0]) {
        const out = await this.#call('POST', '/logout', mine[0].cookie)
        mine[0].state = out.status === 200 ? 'revoked' : 'uncertain'
      } else if (ending === 1 && mine.length > 0) {
        const out = await this.#call('POST', `/revoke?user=${user}`)
        for (const entry of mine) entry.state = out.status === 200 ? 'revoked' : 'uncertain'
      }
      await pause()
    }
  }

  /** Starts the virtual users; resolves when `stop()` was called and every loop has ended. */
  run(): Promise<void> {
    return Promise.all(Array.from({ length: this.users }, (_, i) => this.#user(i))).then(() => {})
  }

  stop(): void {
    this.#stop = true
  }

  /** Reads back every ledger entry not checked yet (outside the samples); each is checked once. */
  async verify(): Promise<Findings> {
    const found: Findings = { sessionsLost: 0, revocationsUndone: 0, writesLost: 0, checked: 0 }
    for (const entry of this.#ledger) {
      if (entry.checked || entry.state === 'uncertain') continue
      entry.checked = true
      const read = await this.#call('GET', '/read', entry.cookie, false)
      if (read.status !== 200 && read.status !== 401) {
        entry.checked = false
        continue
      }
      found.checked++
      const present = read.status === 200
      if (entry.state === 'revoked' && present) found.revocationsUndone++
      if (entry.state === 'live' && !present) found.sessionsLost++
      if (entry.state === 'live' && present && read.body.n !== entry.n && read.body.n !== entry.attempted) found.writesLost++
    }
    return found
  }
}
