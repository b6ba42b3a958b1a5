/**
 * The example app's cart page (examples/cart.ts) over plain HTTP: lines grouped by product, a
 * one-time confirmation after each change (Post/Redirect/Get), plurals, the full-cart error, and
 * the JSON answer that "Add 20 at once" relies on.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_CART_ITEMS } from '../examples/products.js'
import { exampleApp } from './support/example-app.js'
import { loggedIn as logIn, type Browser } from './support/http-browser.js'

const example = exampleApp()

const loggedIn = (name: string): Promise<Browser> => logIn(example.app.url, name)

/** Posts a form, checks it redirects to /cart, and returns the page that follows. */
async function post(browser: Browser, path: string, form: Record<string, string>): Promise<string> {
  const reply = await browser.request(path, form)
  assert.equal(reply.status, 303, `${path} redirects`)
  assert.equal(reply.location, '/cart')
  return (await browser.request('/cart')).body
}

const lines = (body: string): [string, string][] =>
  [...body.matchAll(/<tr data-sku="([^"]+)"><td data-label="Product">[^<]*<\/td>\s*<td class="num" data-label="Quantity">([\d,]+)<\/td>/g)].map((m) => [m[1] as string, m[2] as string])

test('lines are grouped by product with a quantity and a remove button; each change is confirmed once; plurals are right', async () => {
  const browser = await loggedIn('Cart Probe')
  const empty = (await browser.request('/cart')).body
  assert.match(empty, /<strong>0 items<\/strong>/)
  assert.match(empty, /Your cart is empty\./)
  assert.doesNotMatch(empty, /Empty the cart/, 'nothing to empty')

  let page = await post(browser, '/cart/add', { sku: 'mug-blue' })
  assert.match(page, /<p class="notice ok" role="status">Added Blue enamel mug to your cart\.<\/p>/)
  assert.match(page, /<strong>1 item<\/strong>, €12\.00 in total\./, 'singular')
  assert.match(page, /Empty the cart/)
  assert.doesNotMatch((await browser.request('/cart')).body, /Added Blue enamel mug/, 'the confirmation is shown once')

  await post(browser, '/cart/add', { sku: 'mug-blue' })
  page = await post(browser, '/cart/add', { sku: 'tea-green', count: '1000' })
  assert.match(page, /Added 1,000 × Green tea, 100 g to your cart\./)
  assert.match(page, /<strong>1,002 items<\/strong>, €6,524\.00 in total\./)
  assert.deepEqual(lines(page), [
    ['tea-green', '1,000'],
    ['mug-blue', '2'],
  ])
  assert.match(page, /<form method="post" action="\/cart\/remove"><input type="hidden" name="sku" value="tea-green"><button type="submit" class="danger">Remove<\/button>/)

  page = await post(browser, '/cart/remove', { sku: 'tea-green' })
  assert.match(page, /Removed Green tea, 100 g \(1,000 items\) from your cart\./)
  assert.deepEqual(lines(page), [['mug-blue', '2']])
  page = await post(browser, '/cart/remove', { sku: 'tea-green' })
  assert.doesNotMatch(page, /class="notice/, 'removing what is not there says nothing')

  page = await post(browser, '/cart/clear', {})
  assert.match(page, /Your cart is empty now\./)
  assert.match(page, /<strong>0 items<\/strong>/)
  assert.doesNotMatch(page, /Empty the cart/)
})

test('the demonstrations are labelled as such, with numbers written with separators', async () => {
  const page = (await (await loggedIn('Demo Probe')).request('/cart')).body
  assert.match(page, /<section class="demo"[^>]*>\s*<p class="label">Demonstrations<\/p>/)
  const demo = page.slice(page.indexOf('<section class="demo"'))
  assert.match(demo, /A large session\.[\s\S]*<button type="submit">Add 1,000<\/button>/)
  assert.match(demo, /Concurrent writes\.[\s\S]*<button type="button" id="burst"[^>]*>Add 20 at once<\/button>/)
  assert.match(demo, /the 32,768-byte offload threshold/)
  const text = (/<main>([\s\S]*)<\/main>/.exec(page)?.[1] ?? '').replace(/<[^>]*>/g, ' ')
  assert.doesNotMatch(text, /\d{5}/, 'no number of five digits or more without a separator')
})

test('a full cart refuses more with a one-time error naming the limit; JSON callers get a 409', async () => {
  const browser = await loggedIn('Full Cart')
  for (let i = 0; i < MAX_CART_ITEMS / 1000; i++) assert.equal((await browser.request('/cart/add', { sku: 'notebook-a5', count: '1000' })).status, 303)
  const page = await post(browser, '/cart/add', { sku: 'tea-green' })
  assert.match(page, /<p class="notice error" role="alert">Nothing added: the cart holds at most 20,000 items, and it has room for 0 more items\.<\/p>/)
  assert.match(page, /<strong>20,000 items<\/strong>/)

  const json = await fetch(`${example.app.url}/cart/add`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', cookie: `connect.sid=${browser.cookies.get('connect.sid')}` },
    body: 'sku=tea-green',
  })
  assert.equal(json.status, 409)
  assert.deepEqual(await json.json(), { error: 'the cart is full', room: 0 })
  assert.doesNotMatch(json.headers.get('set-cookie') ?? '', /flash=/, 'no one-time message for a script')
})

test('POST /cart/add with Accept: application/json answers {added} and sets no message', async () => {
  const browser = await loggedIn('Json Probe')
  const cookie = `connect.sid=${browser.cookies.get('connect.sid')}`
  const reply = await fetch(`${example.app.url}/cart/add`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: 'sku=socks-wool',
  })
  assert.equal(reply.status, 200)
  assert.deepEqual(await reply.json(), { added: 1 })
  assert.doesNotMatch(reply.headers.get('set-cookie') ?? '', /flash=/)
  assert.deepEqual(lines((await browser.request('/cart')).body), [['socks-wool', '1']])
})
