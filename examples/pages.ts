/**
 * The user's pages that are not the cart nor the devices: login, welcome, profile, and the error
 * pages. Every value that came from a user goes through `escapeHtml`; nothing here reads the store.
 */
import { escapeHtml, formatCount, layout, plural, timeTag, type Notice } from './layout.js'

export function loginPage(notice?: Notice): string {
  return layout(
    'Welcome',
    `<p>Log in with any name. The session is sealed (encrypted and authenticated) before it is written to Redis.</p>
<form method="post" action="/login" class="row">
  <label>Name <input type="text" name="name" maxlength="40" required autofocus autocomplete="username"></label>
  <button type="submit" class="primary">Log in</button>
</form>`,
    { notice },
  )
}

export function welcomePage(name: string, notice?: Notice): string {
  return layout(
    'Welcome',
    `<p>Hello, <strong>${escapeHtml(name)}</strong>. You are logged in.</p>
<p>See your <a href="/profile">profile</a>, fill your <a href="/cart">cart</a>, or see <a href="/devices">your devices</a>.</p>`,
    { user: name, notice },
  )
}

export interface ProfileFacts {
  name: string
  /** When this session logged in (ms since the epoch). */
  since: number
  cartCount: number
  sessionBytes: number
}

export function profilePage({ name, since, cartCount, sessionBytes }: ProfileFacts): string {
  return layout(
    'Profile',
    `<table>
  <tr><th>Name</th><td class="name">${escapeHtml(name)}</td></tr>
  <tr><th>Logged in</th><td>${timeTag(since)}</td></tr>
  <tr><th>Cart</th><td>${plural(cartCount, 'item')}</td></tr>
  <tr><th>Session size</th><td>${formatCount(sessionBytes)} bytes</td></tr>
</table>
<p><a href="/devices">Your devices</a> <span class="muted">(every browser logged in as you; log them out)</span></p>`,
    { user: name },
  )
}

/** A styled error page: 400, 404, 413 or 500, with a way back. */
export function errorPage(status: number, message: string, user?: string): string {
  const titles: Record<number, string> = { 400: 'Bad request', 404: 'Page not found', 413: 'Request too large', 500: 'Something went wrong' }
  return layout(
    titles[status] ?? 'Request failed',
    `<p class="notice error" role="alert">${escapeHtml(message)}</p>
<p><a href="/">Back to the start page</a></p>
<p class="muted">Error ${status}</p>`,
    { user },
  )
}

export const badRequestPage = (message: string, user?: string): string => errorPage(400, message, user)

export const notFoundPage = (path: string, user?: string): string => errorPage(404, `There is no page at ${path}.`, user)
