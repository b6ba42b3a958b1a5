import { DerivationLimiter, type DerivationBound } from './derivation-limiter.js'
import { KeyCache, KRUPTEIN_PREFIX, openKruptein, type KrupteinSettings } from './kruptein.js'

/** Which older store wrote a record. */
export type LegacyKind = 'plaintext' | 'connect-redis-crypto'

/**
 * Why a legacy record did not open: `'legacy'` = malformed, another secret, or altered;
 * `'legacy-ended'` = read after `legacy.until`; `'legacy-busy'` = the PBKDF2 bound was reached.
 */
export type LegacyFailureReason = 'version' | 'too-large' | 'legacy' | 'legacy-ended' | 'legacy-busy'

/** The resolved `legacy` option. */
export interface LegacySettings {
  /** Read plaintext JSON records (connect-redis). */
  readonly plaintext: boolean
  /** Read connect-redis-crypto records with these settings. */
  readonly kruptein: KrupteinSettings | undefined
  /** How many per-record connect-redis-crypto keys to keep. */
  readonly keyCache: number
  /** Milliseconds since the epoch from which legacy records are refused; `Infinity` (the CLI) never. */
  readonly until: number
  /** How much PBKDF2 connect-redis-crypto records may cost. */
  readonly derivations: DerivationBound
}

export type LegacyOpened =
  | { readonly ok: true; readonly text: string; readonly legacy: LegacyKind }
  | { readonly ok: false; readonly reason: LegacyFailureReason }

const OPEN_BRACE = 0x7b

/** Slack for the envelope around a connect-redis-crypto plaintext (hex doubles it, base64 adds a third). */
const ENVELOPE_FACTOR = 3

/** The kind of a stored value by its first bytes, or undefined when it is not a legacy record. */
export function legacyKindOf(stored: Uint8Array): LegacyKind | undefined {
  if (stored[0] !== OPEN_BRACE) return undefined
  const head = Buffer.from(stored.buffer, stored.byteOffset, Math.min(stored.byteLength, KRUPTEIN_PREFIX.length)).toString('latin1')
  return head === KRUPTEIN_PREFIX ? 'connect-redis-crypto' : 'plaintext'
}

/**
 * Reads records that connect-redis (plaintext JSON) and connect-redis-crypto 4.x wrote, during a
 * migration. Our own records never start with "{" (binary 0x01, hex "0", base64 "A"), so the first
 * byte tells them apart. A record of a kind that is not enabled fails with `'version'`, as it does
 * without the option.
 */
export class LegacyReader {
  readonly #settings: LegacySettings
  readonly #maxBytes: number
  readonly #keys: KeyCache
  readonly #limiter: DerivationLimiter

  constructor(settings: LegacySettings, maxBytes: number) {
    this.#settings = settings
    this.#maxBytes = maxBytes
    this.#keys = new KeyCache(settings.keyCache)
    this.#limiter = new DerivationLimiter(settings.derivations)
  }

  /** PBKDF2 derivations started so far. */
  get derivations(): number {
    return this.#limiter.started
  }

  /** True when the stored value is not in our format but looks like a legacy record. */
  recognizes(stored: Uint8Array): boolean {
    return legacyKindOf(stored) !== undefined
  }

  /** The session text of a legacy record. Never throws. */
  async open(stored: Uint8Array): Promise<LegacyOpened> {
    const kind = legacyKindOf(stored)
    const enabled = kind === 'plaintext' ? this.#settings.plaintext : kind === 'connect-redis-crypto' && this.#settings.kruptein !== undefined
    if (enabled && Date.now() >= this.#settings.until) return { ok: false, reason: 'legacy-ended' }
    if (kind === 'plaintext' && this.#settings.plaintext) {
      if (stored.byteLength > this.#maxBytes) return { ok: false, reason: 'too-large' }
      return { ok: true, text: Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString('utf8'), legacy: kind }
    }
    const kruptein = this.#settings.kruptein
    if (kind !== 'connect-redis-crypto' || !kruptein) return { ok: false, reason: 'version' }
    if (stored.byteLength > this.#maxBytes * ENVELOPE_FACTOR + 4096) return { ok: false, reason: 'too-large' }
    const envelope = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString('utf8')
    const opened = await openKruptein(envelope, kruptein, this.#keys, this.#limiter).catch(() => ({ ok: false, reason: 'legacy' }) as const)
    if (!opened.ok) return opened
    if (Buffer.byteLength(opened.text, 'utf8') > this.#maxBytes) return { ok: false, reason: 'too-large' }
    return { ok: true, text: opened.text, legacy: kind }
  }

  /** Keeps the old secret out of logs. */
  toJSON(): object {
    const until = this.#settings.until === Infinity ? null : new Date(this.#settings.until).toISOString()
    return { plaintext: this.#settings.plaintext, connectRedisCrypto: this.#settings.kruptein !== undefined, until }
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `LegacyReader ${JSON.stringify(this.toJSON())}`
  }
}

/**
 * The start-up warning of a store that accepts plaintext records: every one of them opens as a
 * session, so anyone who can write to Redis can plant one until `until`.
 */
export function warnIfPlaintext(settings: LegacySettings | undefined, now = Date.now()): void {
  if (!settings?.plaintext || now >= settings.until) return
  process.emitWarning(
    `legacy.plaintext is on until ${new Date(settings.until).toISOString()}: every plaintext JSON record in Redis opens as a session, ` +
      'so anyone who can write to Redis can plant one. Convert them (`npx connect-redis-sealed migrate --plaintext --trust-plaintext`) and turn legacy.plaintext off.',
    { code: 'CONNECT_REDIS_SEALED_LEGACY_PLAINTEXT' },
  )
}

/** For an operator's one-off run (the CLI): no cut-off, PBKDF2 bounded by libuv's thread pool only. */
export const OPERATOR_RUN: Pick<LegacySettings, 'until' | 'derivations'> = { until: Infinity, derivations: { perSecond: Infinity, concurrency: 4 } }
