/** A browser in miniature for HTTP tests of the example app: keeps cookies between requests and never follows redirects. */
import assert from 'node:assert/strict'

export interface Reply {
  status: number
  location: string | null
  /** The Cache-Control header, if any. */
  cacheControl: string | null
  body: string
}

export class Browser {
  readonly cookies = new Map<string, string>()
  /** `userAgent`: the User-Agent header sent with every request (none when undefined). */
  constructor(
    private readonly base: string,
    private readonly userAgent?: string,
  ) {}

  async request(path: string, form?: Record<string, string>): Promise<Reply> {
    const headers: Record<string, string> = {}
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded'
    if (this.userAgent !== undefined) headers['user-agent'] = this.userAgent
    const response = await fetch(this.base + path, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form ? new URLSearchParams(form).toString() : undefined,
      redirect: 'manual',
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';')
      const name = pair.slice(0, pair.indexOf('='))
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a))
      if (expired) this.cookies.delete(name)
      else this.cookies.set(name, pair.slice(name.length + 1))
    }
    return { status: response.status, location: response.headers.get('location'), cacheControl: response.headers.get('cache-control'), body: await response.text() }
  }

  /** The session id inside the signed `connect.sid` cookie (`s:<id>.<signature>`). */
  sessionId(): string {
    const cookie = decodeURIComponent(this.cookies.get('connect.sid') ?? '')
    const match = /^s:([^.]+)\./.exec(cookie)
    assert.ok(match, `no signed session cookie: ${cookie}`)
    return match[1] as string
  }
}

/** A browser logged in to the example app at `base` as `name` (the login answered with a redirect). */
export async function loggedIn(base: string, name: string, userAgent?: string): Promise<Browser> {
  const browser = new Browser(base, userAgent)
  const login = await browser.request('/login', { name })
  assert.equal(login.status, 303, `login as ${name}`)
  return browser
}
