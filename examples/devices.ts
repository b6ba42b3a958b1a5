/**
 * "Your devices": the logged-in user's sessions, listed through the store's `userOf` index
 * (`store.sessionsOf`), with a button to end one other device and one to end all but this one.
 */
import type { Express, Request } from 'express'
import type { RedisStore, UserSession } from '../src/index.js'
import { deviceName } from './device-names.js'
import { redirectWithFlash, takeFlash } from './flash.js'
import { escapeHtml, layout, timeTag, type Notice } from './layout.js'
import { requireUser, userName } from './session-steps.js'

export { browserOf, deviceName, MAX_BROWSER_CHARS } from './device-names.js'

/** The latest sign of use: the last write, or the last request noted in the session (`lastSeen`). */
function lastActivity(device: UserSession): number | undefined {
  const times = [device.sealedAt, device.session.lastSeen].filter((t): t is number => typeof t === 'number' && Number.isFinite(t))
  return times.length ? Math.max(...times) : undefined
}

function deviceRow(device: UserSession, currentId: string, now: number): string {
  const account = device.session.account
  const signedIn = device.createdAt ?? (account ? Date.parse(account.since) : undefined)
  const current = device.id === currentId
  const action = current
    ? ''
    : `<form method="post" action="/devices/logout"><input type="hidden" name="id" value="${escapeHtml(device.id)}"><button type="submit" class="danger">Log out</button></form>`
  return `<tr${current ? ' class="current"' : ''}><td class="browser" data-label="Browser">${escapeHtml(deviceName(account?.browser))}${current ? '<span class="badge">This device</span>' : ''}</td>
  <td data-label="Signed in">${timeTag(signedIn, now)}</td><td data-label="Last activity">${timeTag(lastActivity(device), now)}</td><td>${action}</td></tr>`
}

/** The devices page: one row per session of `name`, this one first, then the others by last activity. */
export function devicesPage(name: string, devices: readonly UserSession[], currentId: string, notice?: Notice): string {
  const now = Date.now()
  const others = devices.filter((d) => d.id !== currentId).sort((a, b) => (lastActivity(b) ?? 0) - (lastActivity(a) ?? 0))
  const ordered = [...devices.filter((d) => d.id === currentId), ...others]
  const logoutOthers = others.length
    ? `<div class="row"><form method="post" action="/devices/logout-others"><button type="submit" class="danger">Log out other devices</button></form>
<span class="muted">Ends every session of yours except this one, e.g. after using a shared or lost computer.</span></div>`
    : '<p>No other device is logged in.</p>'
  return layout(
    'Your devices',
    `<p>Every browser logged in as <strong>${escapeHtml(name)}</strong>. Hover over a time to see it exactly.</p>
<table class="cards devices"><thead><tr><th>Browser</th><th>Signed in</th><th>Last activity</th><th></th></tr></thead>
<tbody>${ordered.map((d) => deviceRow(d, currentId, now)).join('\n')}</tbody>
</table>
${logoutOthers}`,
    { user: name, notice },
  )
}

/**
 * Adds `/devices` and its two POST routes. A posted session id is ended only if it is in the
 * logged-in user's own list, never on trust.
 */
export function addDeviceRoutes(app: Express, store: RedisStore): void {
  const list = async (req: Request) => (await store.sessionsOf(userName(req))) ?? []

  app.get('/devices', requireUser, async (req, res) => {
    res.type('html').send(devicesPage(userName(req), await list(req), req.sessionID, takeFlash(req, res)))
  })

  app.post('/devices/logout', requireUser, async (req, res) => {
    const id: unknown = req.body?.id
    const device = (await list(req)).find((d) => d.id === id && d.id !== req.sessionID)
    if (!device) {
      redirectWithFlash(res, '/devices', 'no-device')
      return
    }
    await store.destroy(device.id)
    redirectWithFlash(res, '/devices', 'ended', 1)
  })

  app.post('/devices/logout-others', requireUser, async (req, res) => {
    const ended = (await store.destroySessionsOf(userName(req), { except: req.sessionID })) ?? 0
    redirectWithFlash(res, '/devices', 'ended', ended)
  })
}
