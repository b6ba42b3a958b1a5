/**
 * Deterministic, realistic session contents: nested objects, arrays, strings, numbers, booleans
 * and some non-ASCII text, grown to a target size of UTF-8 JSON. The same size and seed always
 * give the same session, so every contender and every run works on identical data.
 */

/** A session as a store sees it: a cookie plus application data. */
export interface BenchSession {
  cookie: { originalMaxAge: number; expires: string; httpOnly: boolean; path: string; secure: boolean }
  views: number
  [field: string]: unknown
}

/** mulberry32: a small, fast, seedable PRNG (not for cryptography). */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = [
  'account', 'basket', 'checkout', 'delivery', 'express', 'filter', 'gallery', 'history', 'invoice', 'journal',
  'Zoë', 'naïve', 'Łódź', 'München', 'café', 'São Paulo', 'Ελλάδα', 'данные', '東京', 'データ', 'crème brûlée', '🙂',
]
const PAGES = ['/', '/products', '/products/item', '/cart', '/account/orders', '/search', '/help/faq', '/blog/post']

class Generator {
  readonly #random: () => number
  constructor(seed: number) {
    this.#random = prng(seed)
  }
  int(max: number): number {
    return Math.floor(this.#random() * max)
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)] as T
  }
  words(count: number): string {
    return Array.from({ length: count }, () => this.pick(WORDS)).join(' ')
  }
  hex(chars: number): string {
    let out = ''
    while (out.length < chars) out += this.int(0x100000000).toString(16).padStart(8, '0')
    return out.slice(0, chars)
  }
  cartItem(): Record<string, unknown> {
    return {
      sku: `SKU-${this.hex(8).toUpperCase()}`,
      name: this.words(3),
      quantity: 1 + this.int(5),
      unitPrice: Math.round(this.#random() * 50_000) / 100,
      options: { size: this.pick(['S', 'M', 'L', 'XL']), giftWrap: this.int(2) === 1, note: this.words(this.int(4)) },
    }
  }
  visit(at: number): Record<string, unknown> {
    return { path: this.pick(PAGES), title: this.words(2 + this.int(4)), at, durationMs: this.int(120_000), scroll: [this.int(100), this.int(100)] }
  }
}

function sizeOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8')
}

const EPOCH = Date.UTC(2026, 0, 1)
const DAY_MS = 86_400_000

/**
 * A session whose `JSON.stringify` is `targetBytes` of UTF-8, within about one item (~250 bytes).
 * `expires` is one day after the moment of the call, so stores compute a positive TTL.
 */
export function makeSession(targetBytes: number, seed = 1): BenchSession {
  const g = new Generator(seed)
  const session: BenchSession = {
    cookie: { originalMaxAge: DAY_MS, expires: new Date(Date.now() + DAY_MS).toISOString(), httpOnly: true, path: '/', secure: false },
    views: 0,
    user: { id: g.int(1e9), name: g.words(2), email: `user${g.int(1e6)}@example.com`, roles: ['customer', g.pick(['beta', 'staff', 'vip'])], locale: g.pick(['fr-FR', 'de-DE', 'ja-JP', 'pt-BR']) },
    csrfSecret: g.hex(32),
    preferences: { theme: g.pick(['dark', 'light']), currency: g.pick(['EUR', 'USD', 'JPY']), newsletter: g.int(2) === 1, pageSize: 24 },
    cart: { id: g.hex(16), items: [] as unknown[], coupon: null, updatedAt: EPOCH },
    history: [] as unknown[],
    flash: [],
  }
  const items = (session.cart as { items: unknown[] }).items
  const history = session.history as unknown[]
  let bytes = sizeOf(session)
  let at = EPOCH
  while (bytes < targetBytes) {
    const entry = g.int(3) === 0 ? g.cartItem() : g.visit((at += 1000 + g.int(60_000)))
    const entryBytes = sizeOf(entry) + 1
    if (bytes + entryBytes > targetBytes + 128 && bytes > targetBytes - 256) break
    ;(entry.sku ? items : history).push(entry)
    bytes += entryBytes
  }
  return session
}

/** The session's fields other than `cookie`, for copying onto an express-session `req.session`. */
export function sessionFields(session: BenchSession): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...session }
  delete fields.cookie
  return fields
}

/** Human label of a byte size: 1 KB, 256 KB, 1 MB. */
export function sizeLabel(bytes: number): string {
  return bytes >= 1 << 20 ? `${bytes / (1 << 20)} MB` : `${bytes / 1024} KB`
}

/** The bench's `userOf`: the id of the user a generated session belongs to. */
export const userIdOf = (s: object): number | undefined => (s as { user?: { id?: number } }).user?.id
