/**
 * The plain-app session, shaped like the one issue 27 measured: a shopping cart of about 13
 * items, a few names with non-Latin-1 characters (so V8 holds the JSON as a two-byte string),
 * a user, and the counter the read+write route changes; about 1 KB of UTF-8 JSON.
 */

const NAMES = ['Mug', 'Tea', 'Socks', 'Pen', 'Lamp', 'Cable', 'Notebook', 'Candle', 'Soap', 'Map', 'Bag', 'Cup', 'Card']
/** Non-Latin-1: Polish, Greek, Japanese; every session holds each of them once. */
const FOREIGN = ['Łódź', 'Ελιά', '東京']

/** The fields a session starts with, sent as POST /login's JSON body. */
export interface CartSession {
  counter: number
  user: { id: number; name: string; locale: string }
  cart: { items: { sku: string; name: string; qty: number; price: number }[]; currency: string }
}

/** Session number `seed` (0, 1, …): the same seed always gives the same session. */
export function makeCart(seed: number, items = 13): CartSession {
  let a = (seed * 2654435761 + 1) >>> 0
  const next = (max: number) => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0
    return (a >>> 8) % max
  }
  return {
    counter: 0,
    user: { id: 1000 + seed, name: `customer ${seed}`, locale: 'en-GB' },
    cart: {
      items: Array.from({ length: items }, (_, i) => ({
        sku: `SKU-${String(100000 + next(900000))}`,
        name: `${NAMES[i % NAMES.length] as string}${i < FOREIGN.length ? ` ${FOREIGN[i] as string}` : ''} ${next(100)}`,
        qty: 1 + next(4),
        price: next(10_000) / 100,
      })),
      currency: 'EUR',
    },
  }
}
