/**
 * Bad input is handled before it is paid for: oversized text values are refused before decoding
 * (a 512 MiB value is no session, not a rejected get), only the canonical text form of each
 * encoding opens, and a record stamped further ahead than `clockSkew` is refused ('future').
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { KeyRing } from '../../src/codec/keyring.js'
import { open } from '../../src/codec/open.js'
import type { Encoding } from '../../src/codec/seal.js'
import { schemeFor } from '../../src/codec/format.js'
import { deriveMasterKeys } from '../../src/codec/secrets.js'
import { sealText } from '../../src/codec/text.js'
import type { SealErrorInfo } from '../../src/index.js'
import { reHeadered } from '../support/key-holder.js'
import { useClient, useRedis } from '../support/redis.js'
import { SECRET_A, sessionWith, StoreTracker, uniquePrefix } from '../support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

const KEY = 'sess:canon'
const ringOf = async () => new KeyRing(await deriveMasterKeys([SECRET_A]))
const settings = (encoding: Encoding) => ({ scheme: schemeFor('aes-256-gcm', 'sha512'), encoding, compression: undefined }) as const

describe('size before decoding', () => {
  it('a 512 MiB text value in Redis is no session (too-large), not a rejected get', { timeout: 180_000 }, async () => {
    const prefix = uniquePrefix('huge')
    const reports: SealErrorInfo[] = []
    const store = stores.create({ client: connection.client, prefix, timeout: 120_000, onSealError: (info) => reports.push(info) })
    // One byte past V8's longest string: decoding it as text would throw ERR_STRING_TOO_LONG.
    await redis.raw.set(`${prefix}big`, Buffer.alloc(512 * 1024 * 1024, 0x30))
    assert.equal(await store.get('big'), null)
    assert.deepEqual(reports, [{ reason: 'too-large', sid: 'big' }])
    await redis.raw.call('DEL', `${prefix}big`)
  })

  it('for each encoding, a value just longer than the largest record of maxSessionBytes is refused by size, one that fits is decoded', async () => {
    const ring = await ringOf()
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      const sealed = sealText('x'.repeat(1000), KEY, ring, settings(encoding)) as string
      assert.ok(open(Buffer.from(sealed), KEY, ring, 1000).ok, `${encoding}: a record of maxSessionBytes opens`)
      const padded = Buffer.from(sealed + (encoding === 'hex' ? '00' : 'AAAA').repeat(200))
      assert.deepEqual(open(padded, KEY, ring, 1000), { ok: false, reason: 'too-large' }, encoding)
    }
  })
})

describe('the plaintext length in the header (FORMAT.md: a mismatch is "decompress")', () => {
  it('an authentic record whose plaintext length is one byte short or long does not open, compressed or not', async () => {
    const ring = await ringOf()
    const text = JSON.stringify({ blob: 'y'.repeat(3000) })
    for (const compression of [undefined, { algorithm: 'gzip', level: 6, minBytes: 0 } as const]) {
      const sealed = sealText(text, KEY, ring, { scheme: schemeFor('aes-256-ctr', 'sha256'), encoding: 'binary', compression }) as Buffer
      assert.ok(open(sealed, KEY, ring, 1 << 20).ok)
      for (const delta of [-1, 1]) {
        const record = reHeadered(sealed, KEY, ring, (h) => h.writeUInt32BE(text.length + delta, 19))
        assert.deepEqual(open(record, KEY, ring, 1 << 20), { ok: false, reason: 'decompress' }, `${compression ? 'gzip' : 'plain'}, ${delta}`)
      }
    }
  })
})

describe('canonical text forms only', () => {
  it('uppercase or odd-length hex, junk, whitespace, altered base64 padding bits or padding: refused (encoding)', async () => {
    const ring = await ringOf()
    const hex = sealText('{"a":1}', KEY, ring, settings('hex')) as string
    // Unpadded base64 without '+' or '/' is canonical base64url (and opens): take a record with one of them.
    let b64 = ''
    while (!/[+/]/.test(b64.replace(/=+$/, ''))) b64 = sealText('{"a":12}', KEY, ring, settings('base64')) as string
    let url = ''
    while (!url.includes('-') || !url.includes('_')) url = sealText('{"a":123}', KEY, ring, settings('base64url')) as string
    for (const good of [hex, b64, url]) assert.ok(open(Buffer.from(good), KEY, ring, 1 << 20).ok)
    assert.ok(b64.endsWith('=') && !url.endsWith('='), 'the fixtures have padding to play with')
    const lastB64 = b64.replace(/=+$/, '')
    const bumped = (s: string, i: number) => s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) + 1) + s.slice(i + 1)
    const variants: [string, string][] = [
      ['uppercase hex', hex.toUpperCase()],
      ['one uppercase hex digit', hex.replace(/[a-f]/, (c) => c.toUpperCase())],
      ['odd trailing hex digit', `${hex}0`],
      ['hex with a newline', `${hex}\n`],
      ['hex with junk', `${hex}zz`],
      ['hex with a space inside', `${hex.slice(0, 10)} ${hex.slice(10)}`],
      ['base64 with unused padding bits set', `${bumped(lastB64, lastB64.length - 1)}${b64.slice(lastB64.length)}`],
      ['base64 with its padding dropped', lastB64],
      ['base64 with extra padding', `${b64}=`],
      ['base64 with whitespace', `${b64.slice(0, 8)}\r\n${b64.slice(8)}`],
      ['base64url with padding added', `${url}==`.slice(0, url.length + ((4 - (url.length % 4)) % 4))],
      ['base64url with trailing junk', `${url}!`],
      ['base64url with a mixed alphabet', url.replace('-', '+')],
    ]
    for (const [what, value] of variants) {
      if (value === hex || value === b64 || value === url) continue
      assert.deepEqual(open(Buffer.from(value, 'latin1'), KEY, ring, 1 << 20), { ok: false, reason: 'encoding' }, what)
    }
  })
})

describe('seal times in the future', () => {
  async function storeWith(options: { clockSkew?: number } = {}) {
    const prefix = uniquePrefix('future')
    const reports: SealErrorInfo[] = []
    const store = stores.create({ client: connection.client, prefix, onSealError: (info) => reports.push(info), ...options })
    const ring = await ringOf()
    const plant = async (sid: string, aheadMs: number) =>
      redis.raw.set(`${prefix}${sid}`, sealText(JSON.stringify(sessionWith()), `${prefix}${sid}`, ring, settings('binary'), Date.now() + aheadMs) as Buffer)
    return { store, reports, plant }
  }

  it('by default, a record sealed 6 minutes ahead is refused (future); 4 minutes ahead opens', async () => {
    const { store, reports, plant } = await storeWith()
    await plant('far', 6 * 60_000)
    await plant('near', 4 * 60_000)
    assert.equal(await store.get('far'), null)
    assert.deepEqual(reports, [{ reason: 'future', sid: 'far' }])
    assert.ok(await store.get('near'))
  })

  it('clockSkew: 0 refuses a record sealed a minute ahead; clockSkew is checked', async () => {
    const { store, reports, plant } = await storeWith({ clockSkew: 0 })
    await plant('ahead', 60_000)
    assert.equal(await store.get('ahead'), null)
    assert.deepEqual(reports, [{ reason: 'future', sid: 'ahead' }])
    for (const bad of [-1, 1.5, '300']) assert.throws(() => stores.create({ client: connection.client, clockSkew: bad as number }), (e: Error) => e instanceof TypeError && e.message.includes('"clockSkew"'))
  })
})
