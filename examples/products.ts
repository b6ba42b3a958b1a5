/** What the example shop sells, and what its cart keeps in the session. */

export interface Product {
  sku: string
  title: string
  /** Price in cents. */
  priceCents: number
}

/** An item in the cart, as kept in the session: one entry per unit, so a large cart makes a large session. */
export interface CartItem extends Product {
  /**
   * Unique per item. Two requests that each add the same product add two distinct entries, so the
   * store's three-way merge of concurrent writes keeps both rather than taking them for one change.
   */
  id: string
  /** ISO time the item was added. */
  addedAt: string
}

export const PRODUCTS: readonly Product[] = [
  { sku: 'tea-green', title: 'Green tea, 100 g', priceCents: 650 },
  { sku: 'mug-blue', title: 'Blue enamel mug', priceCents: 1200 },
  { sku: 'socks-wool', title: 'Wool socks, pair', priceCents: 1500 },
  { sku: 'notebook-a5', title: 'A5 dotted notebook', priceCents: 900 },
]

/** Items a cart may hold, so the session stays well under the store's `maxSessionBytes`. */
export const MAX_CART_ITEMS = 20_000
/** Most items one request may add ("Add 1,000"). */
export const MAX_ADD = 1000
