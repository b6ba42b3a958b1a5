// Minimal typings for the untyped CommonJS packages the bench drives.

declare module 'connect-redis-crypto' {
  import type session from 'express-session'
  interface CryptoStoreOptions {
    client: unknown
    prefix?: string
    ttl?: number
    secret?: string
    algorithm?: string
    hashing?: string
    encodeas?: string
  }
  type CryptoStore = new (options: CryptoStoreOptions) => session.Store
  function connectRedisCrypto(expressSession: typeof session): CryptoStore
  export default connectRedisCrypto
}

declare module 'kruptein' {
  type Done = (error: unknown, value?: string) => void
  interface Kruptein {
    set(secret: string, plaintext: unknown, done: Done): void
    get(secret: string, ciphertext: string, done: Done): void
  }
  function kruptein(options?: { algorithm?: string; hashing?: string; encodeas?: string; secret?: string }): Kruptein
  export default kruptein
}

declare module 'autocannon' {
  interface Request {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request
  }
  interface Options {
    url: string
    connections?: number
    duration?: number
    amount?: number
    overallRate?: number
    timeout?: number
    headers?: Record<string, string>
    requests?: Request[]
  }
  interface Histogram {
    p50: number
    p99: number
    max: number
    mean: number
    average: number
    total: number
  }
  export interface Result {
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
    latency: Histogram
    requests: Histogram
  }
  interface Instance extends PromiseLike<Result> {
    stop(): void
  }
  function autocannon(options: Options): Instance
  export default autocannon
}
