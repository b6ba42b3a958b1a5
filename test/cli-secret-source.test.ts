/** Which secrets the CLI takes: only the store's own variable, and only secrets the store accepts. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkSecrets } from '../src/codec/secrets.js'
import { runCli } from './support/cli-process.js'

/** The store's own refusal of `secret`, as its message reads without the package prefix. */
function storeRefusal(secret: string): string {
  try {
    checkSecrets([secret])
  } catch (error) {
    return (error as Error).message.replace(/^connect-redis-sealed: /, '')
  }
  throw new Error(`the store accepts ${secret}`)
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const REDIS_URL = 'redis://127.0.0.1:1'

describe('CLI secrets', () => {
  for (const command of ['stats', 'rekey', 'sessions alice', 'inspect some-id']) {
    it(`${command}: a 5-character secret is refused before Redis is asked, with the store's own message`, async () => {
      const r = await runCli(command.split(' '), { REDIS_URL, SESSION_STORE_SECRET: 'short' })
      assert.equal(r.code, 2, r.stdout + r.stderr)
      assert.match(r.stderr, new RegExp(`the store would refuse this secret: ${escape(storeRefusal('short'))}`))
      assert.doesNotMatch(r.stderr, /short/, 'the secret is not echoed')
    })
  }

  it('a secret list with one short entry is refused too', async () => {
    const r = await runCli(['rekey'], { REDIS_URL, SESSION_STORE_SECRET: 'a-new-secret-of-more-than-32-characters,old' })
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /option "secret\[1\]" must be a passphrase of at least 32 characters \(got 3\)/)
  })

  it('SESSION_SECRET (often the cookie secret) is never read for the store; the message says so', async () => {
    const r = await runCli(['rekey'], { REDIS_URL, SESSION_SECRET: 'the-cookie-secret-of-the-app-0123456789' })
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /no secret: set SESSION_STORE_SECRET .*SESSION_SECRET is set but not read: it is often the cookie secret/)
    assert.doesNotMatch(r.stderr, /did not open|scanning/)
  })

  it('--secret-env SESSION_SECRET reads it when that is where the store secret really is', async () => {
    const r = await runCli(['stats', '--secret-env', 'SESSION_SECRET'], { REDIS_URL, SESSION_SECRET: 'short' })
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /the store would refuse this secret/, 'the variable was read (and its value checked)')
  })
})
