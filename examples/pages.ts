/**
 * Server-rendered HTML of the example app. Every value that came from a user goes through
 * `escapeHtml`; nothing here reads the session store.
 */

/** An item in the cart, as kept in the session. */
export interface CartItem {
  sku: string
  title: string
  /** Price in cents. */
  priceCents: number
  /** ISO time the item was added. */
  addedAt: string
}

export interface Product {
  sku: string
  title: string
  priceCents: number
}

export const PRODUCTS: readonly Product[] = [
  { sku: 'tea-green', title: 'Green tea, 100 g', priceCents: 650 },
  { sku: 'mug-blue', title: 'Blue enamel mug', priceCents: 1200 },
  { sku: 'socks-wool', title: 'Wool socks, pair', priceCents: 1500 },
  { sku: 'notebook-a5', title: 'A5 dotted notebook', priceCents: 900 },
]

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
}

const numbers = new Intl.NumberFormat('en-US')
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' })

export const formatCount = (n: number): string => numbers.format(n)
export const formatMoney = (cents: number): string => money.format(cents / 100)

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  header { display: flex; gap: 1rem; align-items: baseline; border-bottom: 1px solid #ddd; margin-bottom: 1.5rem; }
  header strong { margin-right: auto; }
  nav a { margin-right: .75rem; }
  form.inline { display: inline; }
  button { font: inherit; padding: .3rem .8rem; cursor: pointer; }
  input[type=text] { font: inherit; padding: .3rem; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eee; }
  .error { color: #a00; }
  .notice { color: #060; }
  tr.current { background: #f4f8ff; }
  .muted { color: #666; font-size: .9em; }
`

/** A full page: title, navigation (depending on who is logged in), and the body. */
export function layout(title: string, user: string | undefined, body: string): string {
  const nav = user
    ? `<nav><a href="/">Home</a><a href="/profile">Profile</a><a href="/cart">Cart</a><a href="/stats">Stats</a></nav>
       <form class="inline" method="post" action="/logout"><button type="submit">Log out</button></form>`
    : `<nav><a href="/">Home</a><a href="/stats">Stats</a></nav>`
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · connect-redis-sealed example</title><style>${STYLE}</style></head>
<body>
<header><strong>connect-redis-sealed example</strong>${nav}</header>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`
}

export function loginPage(error?: string): string {
  return layout(
    'Welcome',
    undefined,
    `<p>Log in with any name. The session is sealed (encrypted and authenticated) before it is written to Redis.</p>
${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
  <label>Name <input type="text" name="name" maxlength="40" required autofocus></label>
  <button type="submit">Log in</button>
</form>`,
  )
}

export function welcomePage(name: string): string {
  return layout(
    'Welcome',
    name,
    `<p>Hello, <strong>${escapeHtml(name)}</strong>. You are logged in.</p>
<p>See your <a href="/profile">profile</a> or fill your <a href="/cart">cart</a>.</p>`,
  )
}

export function profilePage(name: string, since: string, cartCount: number, sessionBytes: number): string {
  return layout(
    'Profile',
    name,
    `<table>
  <tr><th>Name</th><td>${escapeHtml(name)}</td></tr>
  <tr><th>Logged in since</th><td>${escapeHtml(since)}</td></tr>
  <tr><th>Items in cart</th><td>${formatCount(cartCount)}</td></tr>
  <tr><th>Session size</th><td>${formatCount(sessionBytes)} bytes</td></tr>
</table>
<p><a href="/devices">Your devices</a> <span class="muted">(every browser logged in as you; log them out)</span></p>`,
  )
}

export function cartPage(name: string, items: readonly CartItem[], sessionBytes: number, offloadThreshold: number, notice?: string): string {
  const total = items.reduce((sum, item) => sum + item.priceCents, 0)
  const recent = items.slice(-5).reverse()
  const products = PRODUCTS.map(
    (p) => `<tr><td>${escapeHtml(p.title)}</td><td>${formatMoney(p.priceCents)}</td><td>
  <form class="inline" method="post" action="/cart/add"><input type="hidden" name="sku" value="${escapeHtml(p.sku)}"><button type="submit">Add</button></form>
  <form class="inline" method="post" action="/cart/add"><input type="hidden" name="sku" value="${escapeHtml(p.sku)}"><input type="hidden" name="count" value="1000"><button type="submit">Add 1,000</button></form>
</td></tr>`,
  ).join('\n')
  const pooled = sessionBytes >= offloadThreshold
  return layout(
    'Cart',
    name,
    `${notice ? `<p class="error">${escapeHtml(notice)}</p>` : ''}
<p><strong>${formatCount(items.length)} items</strong>, ${formatMoney(total)} in total.
Session size: <strong>${formatCount(sessionBytes)} bytes</strong>
<span class="muted">(${pooled ? 'at or above' : 'below'} the ${formatCount(offloadThreshold)}-byte offloadThreshold: sealed ${pooled ? 'on the worker pool' : 'inline'})</span></p>
<table><tr><th>Product</th><th>Price</th><th></th></tr>
${products}
</table>
${recent.length ? `<h2>Last added</h2><ul>${recent.map((i) => `<li>${escapeHtml(i.title)} <span class="muted">${escapeHtml(i.addedAt)}</span></li>`).join('')}</ul>` : '<p>Your cart is empty.</p>'}
<form method="post" action="/cart/clear"><button type="submit">Empty the cart</button></form>`,
  )
}
