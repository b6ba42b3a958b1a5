/** Any record that fails to open is no session: get gives null, onSealError gets a reason and the sid, never plaintext. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Encoding, RedisStore, SealErrorInfo } from '../src/index.js'
import { encodeEnvelope, envelopeOf, flipBit, HEADER_BYTES, SCHEME_CASES, type SchemeCase } from './support/envelope.js'
import { useClient, useRedis } from './support/redis.js'
import { asStored, nextTurn, probe, SECRET_A, SECRET_B, sessionWith, StoreTracker, uniquePrefix } from './support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

const MARKER = 'secret-plaintext-4d1e'
type Reason = SealErrorInfo['reason']

interface Fixture {
  readonly store: RedisStore
  readonly key: string
  readonly reports: SealErrorInfo[]
  readonly envelope: Buffer
  readonly encodeas: Encoding
}

async function sealed(scheme: SchemeCase, encodeas: Encoding = 'binary'): Promise<Fixture> {
  const prefix = uniquePrefix('tamper')
  const reports: SealErrorInfo[] = []
  const store = stores.create({
    client: connection.client,
    prefix,
    algorithm: scheme.algorithm,
    hashing: scheme.hashing,
    encodeas,
    onSealError: (info) => reports.push(info),
  })
  await store.set('victim', sessionWith({ user: MARKER, admin: false }))
  const envelope = envelopeOf((await redis.raw.getBuffer(`${prefix}victim`)) as Buffer, encodeas)
  return { store, key: `${prefix}victim`, reports, envelope, encodeas }
}

/** Writes `bytes` in place of the record and expects get to give null with one of `reasons`. */
async function expectRejected(f: Fixture, bytes: Buffer, reasons: readonly Reason[], what: string): Promise<void> {
  await redis.raw.set(f.key, encodeEnvelope(bytes, f.encodeas))
  const failuresBefore = f.store.stats().openFailures
  const p = probe<unknown>()
  await f.store.get('victim', p.callback)
  await nextTurn()
  assert.deepEqual(p.calls, [{ err: null, value: null }], `${what}: get calls back once with (null, null)`)
  assert.equal(f.store.stats().openFailures, failuresBefore + 1, `${what}: counted`)
  const report = f.reports.pop()
  assert.ok(report, `${what}: onSealError called`)
  assert.deepEqual(Object.keys(report).sort(), ['reason', 'sid'], `${what}: info holds only reason and sid`)
  assert.equal(report.sid, 'victim')
  assert.ok(reasons.includes(report.reason), `${what}: reason ${report.reason}, expected one of ${reasons.join(', ')}`)
  assert.equal(JSON.stringify(report).includes(MARKER), false)
}

/** The envelope's fields as [name, start, end, reasons a one-bit change may produce]. */
function fields(scheme: SchemeCase, length: number): [string, number, number, readonly Reason[]][] {
  const nonceEnd = HEADER_BYTES + scheme.nonceBytes
  const tagStart = length - scheme.tagBytes
  return [
    ['version', 0, 1, ['version']],
    // A flip may land on another valid scheme id, whose check then fails on the tag or length.
    ['algorithm', 1, 2, ['algorithm', 'tag', 'truncated']],
    ['key id', 2, 6, ['key']],
    // Flipping bit 0 or 1 gives a valid compression flag; the header is in the AAD, so the tag fails.
    ['flags', 6, 7, ['flags', 'tag']],
    ['sealed-at', 7, 13, ['tag']],
    ['created-at', 13, 19, ['tag']],
    // A larger length may exceed maxSessionBytes, which is refused before decrypting.
    ['plaintext length', 19, 23, ['tag', 'too-large']],
    ['nonce', HEADER_BYTES, nonceEnd, ['tag']],
    ['ciphertext', nonceEnd, tagStart, ['tag']],
    ['tag', tagStart, length, ['tag']],
  ]
}

/** Every bit of the header fields; in nonce, ciphertext and tag the first and last bit and every 11th. */
function bitsOf(start: number, end: number): number[] {
  const all = Array.from({ length: (end - start) * 8 }, (_, i) => start * 8 + i)
  if (end <= HEADER_BYTES) return all
  return all.filter((bit, i) => i === 0 || i === all.length - 1 || bit % 11 === 0)
}

describe('one flipped bit in each field of the envelope', () => {
  for (const scheme of SCHEME_CASES) {
    it(scheme.label, async () => {
      const f = await sealed(scheme)
      for (const [name, start, end, reasons] of fields(scheme, f.envelope.length)) {
        assert.ok(end > start, `${name} is not empty`)
        for (const bit of bitsOf(start, end)) {
          const tampered = flipBit(f.envelope, bit)
          // 0x41 ('A') would make the record read as base64 text; it still must not open.
          const anyReason = name === 'version' && tampered[0] === 0x41
          await expectRejected(f, tampered, anyReason ? [...new Set(fields(scheme, 0).flatMap((x) => x[3]))] : reasons, `${name} bit ${bit}`)
        }
      }
      await redis.raw.set(f.key, f.envelope)
      assert.equal(((await f.store.get('victim')) as unknown as { user: string }).user, MARKER, 'the untouched record still opens')
    })
  }

  for (const encodeas of ['base64', 'base64url', 'hex'] as const) {
    it(`aes-256-gcm written as ${encodeas}`, async () => {
      const scheme = SCHEME_CASES[0] as SchemeCase
      const f = await sealed(scheme, encodeas)
      for (const [name, start, end, reasons] of fields(scheme, f.envelope.length)) {
        await expectRejected(f, flipBit(f.envelope, start * 8 + 7), reasons, `${name}: low bit of its first byte`)
        await expectRejected(f, flipBit(f.envelope, (end - 1) * 8), reasons, `${name}: high bit of its last byte`)
      }
    })
  }
})

describe('truncated and extended records', () => {
  for (const scheme of [SCHEME_CASES[0], SCHEME_CASES[4]] as SchemeCase[]) {
    it(`${scheme.label}: every shorter length fails; a longer record fails`, async () => {
      const f = await sealed(scheme)
      const minimum = HEADER_BYTES + scheme.nonceBytes + scheme.tagBytes
      for (let length = 0; length < f.envelope.length; length++) {
        const reasons: Reason[] = length < minimum ? ['truncated'] : ['tag']
        await expectRejected(f, f.envelope.subarray(0, length), reasons, `length ${length}`)
      }
      await expectRejected(f, Buffer.concat([f.envelope, Buffer.from([0])]), ['tag'], 'one byte appended')
    })
  }

  it('truncated text records fail too', async () => {
    for (const encodeas of ['base64', 'base64url', 'hex'] as const) {
      const f = await sealed(SCHEME_CASES[0] as SchemeCase, encodeas)
      // Padding carries no bytes: cut into the data itself.
      const text = (encodeEnvelope(f.envelope, encodeas) as string).replace(/=+$/, '')
      for (const cut of [1, 2, 7, Math.floor(text.length / 2)]) {
        await redis.raw.set(f.key, text.slice(0, text.length - cut))
        assert.equal(await f.store.get('victim'), null, `${encodeas} minus ${cut} chars`)
      }
    }
  })
})

describe('records out of place', () => {
  it('a record copied to another session id does not open there', async () => {
    const f = await sealed(SCHEME_CASES[0] as SchemeCase)
    const prefix = f.key.slice(0, -'victim'.length)
    await redis.raw.set(`${prefix}mallory`, f.envelope)
    assert.equal(await f.store.get('mallory'), null)
    assert.deepEqual(f.reports, [{ reason: 'tag', sid: 'mallory' }])
    assert.equal(((await f.store.get('victim')) as unknown as { user: string }).user, MARKER)
  })

  it('a record copied under another prefix (same sid, same secret) does not open there', async () => {
    const f = await sealed(SCHEME_CASES[0] as SchemeCase)
    const otherPrefix = uniquePrefix('other')
    const other = stores.create({ client: connection.client, prefix: otherPrefix })
    await redis.raw.set(`${otherPrefix}victim`, f.envelope)
    assert.equal(await other.get('victim'), null)
  })

  it('a store with a different secret gets no session (reason "key")', async () => {
    const f = await sealed(SCHEME_CASES[0] as SchemeCase)
    const reports: SealErrorInfo[] = []
    const prefix = f.key.slice(0, -'victim'.length)
    const stranger = stores.create({ client: connection.client, prefix, secret: SECRET_B, onSealError: (i) => reports.push(i) })
    assert.equal(await stranger.get('victim'), null)
    assert.deepEqual(reports, [{ reason: 'key', sid: 'victim' }])
  })

  it('a wrong passphrase gets no session; the same passphrase in another store opens it', async () => {
    const prefix = uniquePrefix('pass')
    const passphrase = 'correct horse battery staple, and then some more'
    const writer = stores.create({ client: connection.client, prefix, secret: passphrase })
    const session = sessionWith({ user: MARKER })
    await writer.set('p', session)
    const sameAgain = stores.create({ client: connection.client, prefix, secret: passphrase })
    assert.deepEqual(await sameAgain.get('p'), asStored(session))
    const wrong = stores.create({ client: connection.client, prefix, secret: `${passphrase}!` })
    assert.equal(await wrong.get('p'), null)
    const asBuffer = stores.create({ client: connection.client, prefix, secret: SECRET_A })
    assert.equal(await asBuffer.get('p'), null)
  })

  it('values that are not sealed records (plaintext from connect-redis, garbage) are no session', async () => {
    const f = await sealed(SCHEME_CASES[0] as SchemeCase)
    const foreign = [
      ['connect-redis JSON', '{"cookie":{"originalMaxAge":null},"user":"x"}', 'version'],
      ['hex garbage', '0011223344556677889900aabbccddeeff', undefined],
      ['base64 garbage', 'AAECAwQFBgcICQoLDA0ODxAREhM=', undefined],
      ['empty string', '', 'truncated'],
    ] as const
    for (const [what, value, reason] of foreign) {
      await redis.raw.set(f.key, value)
      assert.equal(await f.store.get('victim'), null, what)
      const report = f.reports.pop()
      assert.ok(report, `${what}: reported`)
      if (reason) assert.equal(report.reason, reason, what)
    }
  })
})
