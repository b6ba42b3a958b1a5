import { hkdfSync } from 'node:crypto'
import { V1, type FormatVersion, type Scheme } from './format.js'
import { RecordKeyDeriver } from './xaes.js'

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
  /** Version 2 AEAD only: derives each record's cipher key from its nonce (XAES-256-GCM's KDF). */
  readonly deriver: RecordKeyDeriver | undefined
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
  /** By id, scheme and version packed in one number (a string key would cost an allocation per record). */
  readonly #cache = new Map<number, SchemeKeys>()
  /** The id of the key that seals. */
  readonly currentId: number

  constructor(masters: readonly MasterKey[]) {
    const first = masters[0]
    if (!first) throw new Error('KeyRing needs at least one key')
    this.currentId = first.id
    this.#masters = new Map(masters.map((m) => [m.id, m.key]))
  }

  /**
   * The keys for `scheme` in records of `version` under key `id`, or undefined when no such key
   * is configured. Version 2 keys come from their own HKDF labels, so no key serves two constructions.
   */
  keysFor(id: number, scheme: Scheme, version: FormatVersion = V1): SchemeKeys | undefined {
    const cacheKey = id * 1024 + scheme.id * 4 + version
    const cached = this.#cache.get(cacheKey)
    if (cached) return cached
    const master = this.#masters.get(id)
    if (!master) return undefined
    const label = version === V1 ? '' : 'v2:'
    const encryption = expand(master, `${label}enc:${scheme.id}`, 32)
    const keys: SchemeKeys = {
      id,
      encryption,
      mac: scheme.hash ? expand(master, `${label}mac:${scheme.id}`, MAC_KEY_BYTES[scheme.hash]) : undefined,
      deriver: version !== V1 && scheme.hash === undefined ? new RecordKeyDeriver(encryption) : undefined,
    }
    this.#cache.set(cacheKey, keys)
    return keys
  }

  /**
   * Zeroes the master keys this ring was given and every subkey it derived (cipher, MAC, record-key
   * derivation), then forgets them: a ring whose store closed keeps no key material. Only for a
   * ring that owns its masters' bytes (a worker's copy); it must not be used again.
   */
  wipe(): void {
    for (const keys of this.#cache.values()) {
      keys.encryption.fill(0)
      keys.mac?.fill(0)
      keys.deriver?.wipe()
    }
    this.#cache.clear()
    for (const master of this.#masters.values()) master.fill(0)
  }

  /** Hides key material from `util.inspect` and `JSON.stringify`. */
  toJSON(): object {
    return { keys: this.#masters.size, currentId: this.currentId }
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `KeyRing { keys: ${this.#masters.size}, currentId: ${this.currentId} }`
  }
}
