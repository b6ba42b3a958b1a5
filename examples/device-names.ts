/**
 * What the devices page calls a browser: "Chrome on Windows", "Safari on iPhone". The session keeps
 * the User-Agent (bounded, see `browserOf`); bowser (MIT) reads it when the page is drawn, so a
 * newer bowser names old sessions better too.
 */
import Bowser from 'bowser'

/** Longest browser description kept in a session (a User-Agent header can be kilobytes). */
export const MAX_BROWSER_CHARS = 200

/** The User-Agent as kept in the session: control characters and runs of spaces folded, trimmed, bounded. */
export function browserOf(userAgent: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const text = (userAgent ?? '').replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim()
  return [...text].slice(0, MAX_BROWSER_CHARS).join('').trim() || 'unknown browser'
}

/** Longest name shown for a browser bowser does not know (it then echoes the User-Agent's first word). */
const MAX_NAME_CHARS = 40

/** "Chrome on Windows", "Safari on iPhone", "Firefox", or "Unknown browser". */
export function deviceName(userAgent: string | undefined): string {
  if (!userAgent || userAgent === 'unknown browser') return 'Unknown browser'
  const { browser, os, platform } = Bowser.parse(userAgent)
  const name = [...(browser.name ?? '')].slice(0, MAX_NAME_CHARS).join('') || 'Unknown browser'
  const system = platform.vendor === 'Apple' && platform.model ? platform.model : os.name
  return system ? `${name} on ${system}` : name
}
