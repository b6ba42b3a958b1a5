import { hkdfSync } from 'node:crypto'
import type { Scheme } from './format.js'

/** A 32-byte master key and the id that names it inside sealed records. */
export interface MasterKey {
  readonly id: number
  readonly key: Uint8Array
}

/** The keys one scheme needs: the cipher key and, for encrypt-then-MAC, the HMAC key. */
export interface SchemeKeys {
  readonly id: number
  readonly encryption: Buffer
  readonly mac: Buffer | undefined
}

const SALT = Buffer.from('connect-redis-sealed/v1')
const MAC_KEY_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const

function expand(master: Uint8Array, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', master, SALT, info, length))
}

/** The 32-bit id written into records sealed with a master key. Not secret. */
export function keyIdOf(master: Uint8Array): number {
  return expand(master, 'key-id', 4).readUInt32BE(0)
}

/**
 * The keys in use: the first seals, all open. Per-scheme subkeys come from HKDF once and are
 * cached, so no operation ever derives a key.
 */
export class KeyRing {
  readonly #masters: ReadonlyMap<number, Uint8Array>
  readonly #cache = new Map<string, SchemeKeys>()
  /** The id of the key that seals. */
  readonly currentId: number

  constructor(masters: readonly MasterKey[]) {
    const first = masters[0]
    if (!first) throw new Error('KeyRing needs at least one key')
    this.currentId = first.id
    this.#masters = new Map(masters.map((m) => [m.id, m.key]))
  }

  /** The keys for `scheme` under key `id`, or undefined when no such key is configured. */
  keysFor(id: number, scheme: Scheme): SchemeKeys | undefined {
    const cacheKey = `${id}:${scheme.id}`
    const cached = this.#cache.get(cacheKey)
    if (cached) return cached
    const master = this.#masters.get(id)
    if (!master) return undefined
    const keys: SchemeKeys = {
      id,
      encryption: expand(master, `enc:${scheme.id}`, 32),
      mac: scheme.hash ? expand(master, `mac:${scheme.id}`, MAC_KEY_BYTES[scheme.hash]) : undefined,
    }
    this.#cache.set(cacheKey, keys)
    return keys
  }

  /** Hides key material from `util.inspect` and `JSON.stringify`. */
  toJSON(): object {
    return { keys: this.#masters.size, currentId: this.currentId }
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `KeyRing { keys: ${this.#masters.size}, currentId: ${this.currentId} }`
  }
}
