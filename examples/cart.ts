/**
 * The cart: its routes and its page. Items are kept one entry per unit (see `CartItem`), shown
 * grouped by product. Two demonstrations sit apart from the shop: "Add 1,000" (a session large
 * enough for the worker pool) and "Add 20 at once" (20 parallel requests writing one session).
 */
import { randomBytes } from 'node:crypto'
import type { Express, Request, Response } from 'express'
import { redirectWithFlash, takeFlash } from './flash.js'
import { escapeHtml, formatCount, formatMoney, layout, plural, type Notice } from './layout.js'
import { badRequestPage } from './pages.js'
import { MAX_ADD, MAX_CART_ITEMS, PRODUCTS, type CartItem, type Product } from './products.js'
import { requireUser, sessionBytes, sessionStep, userName } from './session-steps.js'

/** How many parallel requests "Add 20 at once" sends. */
export const BURST = 20
const BURST_SKU = 'socks-wool'
const LARGE_SKU = 'tea-green'

interface Line {
  readonly product: Product
  readonly quantity: number
}

function linesOf(items: readonly CartItem[]): Line[] {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(item.sku, (counts.get(item.sku) ?? 0) + 1)
  return PRODUCTS.filter((p) => counts.has(p.sku)).map((product) => ({ product, quantity: counts.get(product.sku) ?? 0 }))
}

const skuField = (sku: string) => `<input type="hidden" name="sku" value="${escapeHtml(sku)}">`

function lineRow({ product, quantity }: Line): string {
  return `<tr data-sku="${escapeHtml(product.sku)}"><td data-label="Product">${escapeHtml(product.title)}</td>
  <td class="num" data-label="Quantity">${formatCount(quantity)}</td>
  <td class="num" data-label="Subtotal">${formatMoney(quantity * product.priceCents)}</td>
  <td><form method="post" action="/cart/remove">${skuField(product.sku)}<button type="submit" class="danger">Remove</button></form></td></tr>`
}

/** The part of the page that "Add 20 at once" fetches again and swaps in. */
function cartSection(items: readonly CartItem[]): string {
  const total = items.reduce((sum, item) => sum + item.priceCents, 0)
  const lines = linesOf(items)
  const body = lines.length
    ? `<table class="cards"><thead><tr><th>Product</th><th class="num">Quantity</th><th class="num">Subtotal</th><th></th></tr></thead>
<tbody>${lines.map(lineRow).join('\n')}</tbody></table>
<div class="row"><form method="post" action="/cart/clear"><button type="submit" class="danger">Empty the cart</button></form></div>`
    : '<p>Your cart is empty.</p>'
  return `<section id="cart" data-count="${items.length}">
<p class="summary"><strong>${plural(items.length, 'item')}</strong>, ${formatMoney(total)} in total.</p>
${body}
</section>`
}

const shop = (): string =>
  `<h2>Products</h2><ul class="products">${PRODUCTS.map(
    (p) => `<li><span>${escapeHtml(p.title)} <span class="muted">${formatMoney(p.priceCents)}</span></span>
  <form method="post" action="/cart/add">${skuField(p.sku)}<button type="submit">Add</button></form></li>`,
  ).join('\n')}</ul>`

function demos(bytes: number, offloadThreshold: number): string {
  const pooled = bytes >= offloadThreshold
  return `<section class="demo" aria-labelledby="demo-title">
<p class="label">Demonstrations</p>
<h2 id="demo-title">What the session store does under the hood</h2>
<p><strong>A large session.</strong> Each item is kept in the session, so a big cart makes a big session.
Session size: <strong>${formatCount(bytes)} bytes</strong>
<span class="muted">(${pooled ? 'at or above' : 'below'} the ${formatCount(offloadThreshold)}-byte offload threshold, so it is sealed ${pooled ? 'on the worker pool' : 'inline, on the main thread'})</span></p>
<form method="post" action="/cart/add">${skuField(LARGE_SKU)}<input type="hidden" name="count" value="${MAX_ADD}"><button type="submit">Add ${formatCount(MAX_ADD)}</button></form>
<p><strong>Concurrent writes.</strong> "Add ${BURST} at once" sends ${BURST} requests from this page at the same time, each adding one pair of socks to the same session.
The store merges the overlapping writes, so all ${BURST} should arrive.</p>
<div class="row"><button type="button" id="burst" data-sku="${BURST_SKU}" disabled>Add ${BURST} at once</button><output id="burst-result" aria-live="polite"></output></div>
</section>`
}

/** Sends BURST parallel POSTs, then fetches the cart again and says how many items arrived. */
const BURST_SCRIPT = `<script>
const burst = document.getElementById('burst')
const result = document.getElementById('burst-result')
burst.disabled = false
burst.addEventListener('click', async () => {
  burst.disabled = true
  result.className = ''
  result.textContent = 'Sending ${BURST} requests at once…'
  const before = Number(document.getElementById('cart').dataset.count)
  const body = new URLSearchParams({ sku: burst.dataset.sku })
  const send = () => fetch('/cart/add', { method: 'POST', body, headers: { accept: 'application/json' } }).then((r) => r.ok, () => false)
  const answered = (await Promise.all(Array.from({ length: ${BURST} }, send))).filter(Boolean).length
  const page = new DOMParser().parseFromString(await (await fetch('/cart')).text(), 'text/html')
  const fresh = page.getElementById('cart')
  document.getElementById('cart').replaceWith(fresh)
  const arrived = Number(fresh.dataset.count) - before
  result.textContent = answered + ' of ${BURST} requests answered OK; ' + arrived + ' of ${BURST} items arrived in the cart.'
  result.className = arrived === ${BURST} ? 'notice ok' : 'notice error'
  burst.disabled = false
})
</script>`

export function cartPage(name: string, items: readonly CartItem[], bytes: number, offloadThreshold: number, notice?: Notice): string {
  return layout('Cart', `${cartSection(items)}\n${shop()}\n${demos(bytes, offloadThreshold)}`, { user: name, notice, tail: BURST_SCRIPT })
}

function newItems(product: Product, count: number): CartItem[] {
  const ids = randomBytes(6 * count)
  const addedAt = new Date().toISOString()
  return Array.from({ length: count }, (_, i) => ({ ...product, id: ids.subarray(i * 6, i * 6 + 6).toString('base64url'), addedAt }))
}

const wantsJson = (req: Request): boolean => req.accepts(['html', 'json']) === 'json'

/** Adds the cart routes. `offloadThreshold` is the store's, for the page's explanation. */
export function addCartRoutes(app: Express, offloadThreshold: number): void {
  app.get('/cart', requireUser, (req, res) => {
    res.type('html').send(cartPage(userName(req), req.session.cart ?? [], sessionBytes(req), offloadThreshold, takeFlash(req, res)))
  })

  app.post('/cart/add', requireUser, async (req: Request, res: Response) => {
    const product = PRODUCTS.find((p) => p.sku === req.body?.sku)
    const count = Number(req.body?.count ?? 1)
    const cart = req.session.cart ?? []
    if (!product || !Number.isInteger(count) || count < 1 || count > MAX_ADD) {
      if (wantsJson(req)) res.status(400).json({ error: 'unknown product or count' })
      else res.status(400).type('html').send(badRequestPage(`Unknown product or count: choose a product on the cart page and add 1 to ${formatCount(MAX_ADD)} items.`, userName(req)))
      return
    }
    const room = MAX_CART_ITEMS - cart.length
    if (count > room) {
      if (wantsJson(req)) res.status(409).json({ error: 'the cart is full', room })
      else redirectWithFlash(res, '/cart', 'cart-full', room)
      return
    }
    req.session.cart = [...cart, ...newItems(product, count)]
    // express-session saves after the response; the next GET must find the write already done.
    await sessionStep(req, 'save')
    if (wantsJson(req)) res.json({ added: count })
    else redirectWithFlash(res, '/cart', 'added', product.sku, count)
  })

  app.post('/cart/remove', requireUser, async (req, res) => {
    const cart = req.session.cart ?? []
    const kept = cart.filter((item) => item.sku !== req.body?.sku)
    if (kept.length === cart.length) {
      res.redirect(303, '/cart')
      return
    }
    req.session.cart = kept
    await sessionStep(req, 'save')
    redirectWithFlash(res, '/cart', 'removed', String(req.body.sku), cart.length - kept.length)
  })

  app.post('/cart/clear', requireUser, async (req, res) => {
    req.session.cart = []
    await sessionStep(req, 'save')
    redirectWithFlash(res, '/cart', 'emptied')
  })
}
