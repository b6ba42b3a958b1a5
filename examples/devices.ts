/**
 * "Your devices": the logged-in user's sessions, listed through the store's `userOf` index
 * (`store.sessionsOf`), with a button to end one other device and one to end all but this one.
 */
import type { Express, Request, RequestHandler } from 'express'
import type { RedisStore, UserSession } from '../src/index.js'
import { escapeHtml, layout } from './pages.js'

/** Longest browser description kept in a session (a User-Agent header can be kilobytes). */
export const MAX_BROWSER_CHARS = 200

/** The User-Agent as kept in the session: control characters and runs of spaces folded, trimmed, bounded. */
export function browserOf(userAgent: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const text = (userAgent ?? '').replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim()
  return [...text].slice(0, MAX_BROWSER_CHARS).join('').trim() || 'unknown browser'
}

const when = (ms: number | undefined): string => (ms === undefined ? 'unknown' : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`)

function deviceRow(device: UserSession, currentId: string): string {
  const account = device.session.account
  const created = device.createdAt ?? (account ? Date.parse(account.since) : undefined)
  const action =
    device.id === currentId
      ? '<strong>this device</strong>'
      : `<form class="inline" method="post" action="/devices/logout"><input type="hidden" name="id" value="${escapeHtml(device.id)}"><button type="submit">Log out</button></form>`
  return `<tr${device.id === currentId ? ' class="current"' : ''}><td class="browser">${escapeHtml(account?.browser ?? 'unknown browser')}</td>
  <td>${escapeHtml(when(created))}</td><td>${escapeHtml(when(device.sealedAt))}</td><td>${action}</td></tr>`
}

/** The devices page: one row per session of `name`, this one first, then the others newest first. */
export function devicesPage(name: string, devices: readonly UserSession[], currentId: string, notice?: string): string {
  const others = devices.filter((d) => d.id !== currentId).length
  return layout(
    'Your devices',
    name,
    `${notice ? `<p class="notice">${escapeHtml(notice)}</p>` : ''}
<p>Every browser logged in as <strong>${escapeHtml(name)}</strong>. <span class="muted">"Last used" is the session's last write.</span></p>
<table><tr><th>Browser</th><th>Logged in</th><th>Last used</th><th></th></tr>
${[...devices.filter((d) => d.id === currentId), ...devices.filter((d) => d.id !== currentId)].map((d) => deviceRow(d, currentId)).join('\n')}
</table>
${others > 0 ? '<form method="post" action="/devices/logout-others"><button type="submit">Log out other devices</button></form>' : '<p>No other device is logged in.</p>'}`,
  )
}

function endedNotice(query: unknown): string | undefined {
  const ended = Number(query)
  if (!Number.isInteger(ended) || ended < 0) return undefined
  return `Logged out ${ended} other device${ended === 1 ? '' : 's'}.`
}

/**
 * Adds `/devices` and its two POST routes. `nameOf` is the logged-in user (the app's `userOf`);
 * a posted session id is ended only if it is in that user's own list, never on trust.
 */
export function addDeviceRoutes(app: Express, store: RedisStore, requireUser: RequestHandler, nameOf: (req: Request) => string): void {
  const list = async (req: Request) => (await store.sessionsOf(nameOf(req))) ?? []

  app.get('/devices', requireUser, async (req, res) => {
    res.type('html').send(devicesPage(nameOf(req), await list(req), req.sessionID, endedNotice(req.query.ended)))
  })

  app.post('/devices/logout', requireUser, async (req, res) => {
    const id: unknown = req.body?.id
    const devices = await list(req)
    const device = devices.find((d) => d.id === id && d.id !== req.sessionID)
    if (!device) {
      res.status(404).type('html').send(devicesPage(nameOf(req), devices, req.sessionID, 'No such other device of yours.'))
      return
    }
    await store.destroy(device.id)
    res.redirect(303, '/devices?ended=1')
  })

  app.post('/devices/logout-others', requireUser, async (req, res) => {
    const ended = (await store.destroySessionsOf(nameOf(req), { except: req.sessionID })) ?? 0
    res.redirect(303, `/devices?ended=${ended}`)
  })
}
