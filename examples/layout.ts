/**
 * The frame every page of the example app shares: escaping, number and time formats, the header
 * (which folds into a menu on phones), the one-time message, and the style sheet.
 */
import { STYLE } from './style.js'

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c)
}

const numbers = new Intl.NumberFormat('en-US')
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR' })
const exact = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' })

/** 20000 → "20,000". */
export const formatCount = (n: number): string => numbers.format(n)
export const formatMoney = (cents: number): string => money.format(cents / 100)
/** "1 item", "2 items", "1,000 items". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** "just now", "2 min ago", "3 h ago", "yesterday", "4 days ago". */
export function relativeTime(ms: number, now = Date.now()): string {
  const ago = Math.max(0, now - ms)
  if (ago < MINUTE) return 'just now'
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`
  if (ago < 2 * DAY) return 'yesterday'
  return `${formatCount(Math.floor(ago / DAY))} days ago`
}

/** The one way the app shows a time: relative, with the exact UTC time on hover. */
export function timeTag(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined || !Number.isFinite(ms)) return '<span class="muted">unknown</span>'
  const date = new Date(ms)
  return `<time datetime="${date.toISOString()}" title="${exact.format(date)} UTC">${relativeTime(ms, now)}</time>`
}

/** A one-time message: `ok` in the success colour, `error` in the error colour. */
export interface Notice {
  readonly kind: 'ok' | 'error'
  readonly text: string
}

export function noticeHtml(notice: Notice | undefined): string {
  if (!notice) return ''
  return notice.kind === 'error'
    ? `<p class="notice error" role="alert">${escapeHtml(notice.text)}</p>`
    : `<p class="notice ok" role="status">${escapeHtml(notice.text)}</p>`
}

export interface PageOptions {
  /** The logged-in user's name; undefined for a visitor. */
  user?: string | undefined
  notice?: Notice | undefined
  /** Operator pages (/stats) get their own header, without the user's navigation. */
  operator?: boolean
  /** Markup placed after `<main>`, e.g. a page's script. */
  tail?: string
}

function header({ user, operator }: PageOptions): string {
  if (operator) return '<header><a class="brand" href="/stats">Operator · connect-redis-sealed example</a></header>'
  const brand = '<a class="brand" href="/">connect-redis-sealed <span>example</span></a>'
  if (!user) return `<header>${brand}</header>`
  return `<header>
  ${brand}
  <button type="button" class="menu-toggle" aria-expanded="false" aria-controls="site-nav">Menu</button>
  <div class="site-nav" id="site-nav"><nav><a href="/">Home</a><a href="/profile">Profile</a><a href="/cart">Cart</a><a href="/devices">Devices</a></nav>
    <span class="who" title="Logged in as ${escapeHtml(user)}">${escapeHtml(user)}</span>
    <form method="post" action="/logout"><button type="submit">Log out</button></form></div>
</header>`
}

const MENU_SCRIPT = `<script>
document.querySelector('.menu-toggle')?.addEventListener('click', (event) => {
  const open = document.body.classList.toggle('menu-open')
  event.currentTarget.setAttribute('aria-expanded', String(open))
})
</script>`

/** A full page: title, header, the one-time message if any, and the body. */
export function layout(title: string, body: string, options: PageOptions = {}): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · connect-redis-sealed example</title>
<script>document.documentElement.classList.add('js')</script>
<style>${STYLE}</style></head>
<body>
${header(options)}
<main>
<h1>${escapeHtml(title)}</h1>
${noticeHtml(options.notice)}
${body}
</main>
${options.user ? MENU_SCRIPT : ''}${options.tail ?? ''}
</body>
</html>
`
}
