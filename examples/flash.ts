/**
 * One-time messages after a redirect (Post/Redirect/Get). The message travels in a short-lived
 * cookie as a code and a few plain arguments, never as text: the page rebuilds the sentence from
 * this table, so a forged cookie can at most pick one of these sentences. A cookie, not the
 * session, because a visitor who mistyped the login form has no session (and gets none).
 */
import type { Request, Response } from 'express'
import { formatCount, plural, type Notice } from './layout.js'
import { MAX_CART_ITEMS, PRODUCTS } from './products.js'

const COOKIE = 'flash'
const MAX_AGE_MS = 60_000

const count = (text: string | undefined): number | undefined => (text !== undefined && /^\d{1,7}$/.test(text) ? Number(text) : undefined)
const title = (sku: string | undefined): string | undefined => PRODUCTS.find((p) => p.sku === sku)?.title

/** Each code: its kind and its sentence (undefined when the arguments do not fit). */
const MESSAGES: Record<string, (args: string[]) => Notice | undefined> = {
  'login-name': () => ({ kind: 'error', text: 'Please enter a name of 1 to 40 characters.' }),
  'logged-out': () => ({ kind: 'ok', text: 'You are logged out. Nothing of your session is left in Redis.' }),
  added: ([sku, n]) => {
    const product = title(sku)
    const added = count(n)
    if (!product || !added) return undefined
    return { kind: 'ok', text: added === 1 ? `Added ${product} to your cart.` : `Added ${formatCount(added)} × ${product} to your cart.` }
  },
  removed: ([sku, n]) => {
    const product = title(sku)
    const removed = count(n)
    return product && removed ? { kind: 'ok', text: `Removed ${product} (${plural(removed, 'item')}) from your cart.` } : undefined
  },
  emptied: () => ({ kind: 'ok', text: 'Your cart is empty now.' }),
  'cart-full': ([room]) => {
    const left = count(room)
    if (left === undefined) return undefined
    return { kind: 'error', text: `Nothing added: the cart holds at most ${formatCount(MAX_CART_ITEMS)} items, and it has room for ${plural(left, 'more item', 'more items')}.` }
  },
  ended: ([n]) => {
    const ended = count(n)
    return ended === undefined ? undefined : { kind: 'ok', text: `Logged out ${plural(ended, 'other device')}.` }
  },
  'no-device': () => ({ kind: 'error', text: 'That device is not logged in any more, so there was nothing to log out.' }),
}

/** Sets the message for the next page and redirects there (303, so a reload never posts again). */
export function redirectWithFlash(res: Response, location: string, code: keyof typeof MESSAGES, ...args: (string | number)[]): void {
  res.cookie(COOKIE, [code, ...args].join(':'), { httpOnly: true, sameSite: 'lax', maxAge: MAX_AGE_MS, path: '/' })
  res.redirect(303, location)
}

/** The message set by the previous response, if any; clears it so a reload does not show it again. */
export function takeFlash(req: Request, res: Response): Notice | undefined {
  const raw = /(?:^|;\s*)flash=([^;]*)/.exec(req.get('cookie') ?? '')?.[1]
  if (raw === undefined) return undefined
  res.clearCookie(COOKIE, { httpOnly: true, sameSite: 'lax', path: '/' })
  let value: string
  try {
    value = decodeURIComponent(raw)
  } catch {
    return undefined
  }
  const [code = '', ...args] = value.split(':')
  return Object.hasOwn(MESSAGES, code) ? MESSAGES[code]?.(args) : undefined
}
