/** Sealing round trips: every algorithm × encoding, the header it writes, no plaintext in Redis, cross-encoding reads, compression. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Encoding } from '../src/index.js'
import { ENCODINGS, envelopeOf, HEADER_BYTES, SCHEME_CASES } from './support/envelope.js'
import { useClient, useRedis } from './support/redis.js'
import { asStored, sessionWith, StoreTracker, uniquePrefix } from './support/sessions.js'

const redis = useRedis()
const connection = useClient(redis)
const stores = new StoreTracker()
redis.beforeStop(() => stores.closeAll())

const MARKER = 'plaintext-marker-7f3a9c'
const session = () => sessionWith({ user: MARKER, role: 'admin', note: 'größe – 東京 – 🍣', list: [1, 2, 3] })

/** Strings of the session that must never appear in Redis, in any of the forms a reader might try. */
function plaintextNeedles(text: string): Buffer[] {
  const utf8 = Buffer.from(text, 'utf8')
  return [utf8, Buffer.from(utf8.toString('hex')), Buffer.from(utf8.toString('base64').slice(0, 12)), Buffer.from(text, 'utf16le')]
}

describe('round trip for every algorithm and encoding', () => {
  for (const scheme of SCHEME_CASES) {
    for (const encodeas of ENCODINGS) {
      it(`${scheme.label} / ${encodeas}`, async () => {
        const prefix = uniquePrefix('rt')
        const store = stores.create({ client: connection.client, prefix, algorithm: scheme.algorithm, hashing: scheme.hashing, encodeas })
        const original = session()
        const before = Date.now()
        await store.set('sid', original)
        const after = Date.now()
        assert.deepEqual(await store.get('sid'), asStored(original))

        const stored = (await redis.raw.getBuffer(`${prefix}sid`)) as Buffer
        const envelope = envelopeOf(stored, encodeas)
        assert.equal(envelope[0], 0x02, 'version 2')
        assert.equal(envelope[1], scheme.id, 'algorithm id')
        assert.equal(envelope[6], 0x00, 'flags: not compressed')
        const sealedAt = envelope.readUIntBE(7, 6)
        assert.ok(sealedAt >= before && sealedAt <= after, 'sealed-at is the time of sealing in ms')
        assert.equal(envelope.readUIntBE(13, 6), sealedAt, 'a new session: created-at is its sealed-at')
        const plainBytes = Buffer.byteLength(JSON.stringify(original))
        assert.equal(envelope.readUInt32BE(19), plainBytes, 'plaintext length')
        const bodyBytes = envelope.length - HEADER_BYTES - scheme.nonceBytes - scheme.tagBytes
        const expectedBody = scheme.algorithm === 'aes-256-cbc' ? (Math.floor(plainBytes / 16) + 1) * 16 : plainBytes
        assert.equal(bodyBytes, expectedBody, 'nonce and tag sizes as documented')
        for (const needle of plaintextNeedles(MARKER)) assert.equal(stored.includes(needle), false, 'plaintext visible in Redis')
        for (const needle of plaintextNeedles('originalMaxAge')) assert.equal(envelope.includes(needle), false, 'JSON keys visible')
      })
    }
  }
})

it('two seals of the same session differ (fresh nonce each time)', async () => {
  const prefix = uniquePrefix('nonce')
  const store = stores.create({ client: connection.client, prefix })
  const s = session()
  await store.set('a', s)
  const first = (await redis.raw.getBuffer(`${prefix}a`)) as Buffer
  await store.set('a', s)
  const second = (await redis.raw.getBuffer(`${prefix}a`)) as Buffer
  assert.notDeepEqual(first.subarray(HEADER_BYTES, HEADER_BYTES + 12), second.subarray(HEADER_BYTES, HEADER_BYTES + 12))
  assert.notDeepEqual(first.subarray(HEADER_BYTES + 12), second.subarray(HEADER_BYTES + 12))
})

describe('a record written with one encodeas opens with any other', () => {
  for (const written of ENCODINGS) {
    it(`written as ${written}`, async () => {
      const prefix = uniquePrefix('x')
      const writer = stores.create({ client: connection.client, prefix, encodeas: written })
      const original = session()
      await writer.set('sid', original)
      for (const reading of ENCODINGS) {
        const reader = stores.create({ client: connection.client, prefix, encodeas: reading as Encoding })
        assert.deepEqual(await reader.get('sid'), asStored(original), `read with ${reading}`)
      }
    })
  }
})

describe('compression', () => {
  const big = sessionWith({ user: MARKER, rows: Array.from({ length: 200 }, (_, i) => ({ i, label: `row number ${i}` })) })
  for (const [algorithm, flag] of [['gzip', 1], ['brotli', 2]] as const) {
    it(`${algorithm}: sets flag ${flag}, stores fewer bytes, round-trips`, async () => {
      const prefix = uniquePrefix(algorithm)
      const store = stores.create({ client: connection.client, prefix, compress: { algorithm, minBytes: 64 } })
      await store.set('big', big)
      const envelope = (await redis.raw.getBuffer(`${prefix}big`)) as Buffer
      assert.equal(envelope[6], flag)
      assert.ok(envelope.length < Buffer.byteLength(JSON.stringify(big)) / 2, 'compressed')
      assert.deepEqual(await store.get('big'), asStored(big))
      const plain = stores.create({ client: connection.client, prefix })
      assert.deepEqual(await plain.get('big'), asStored(big), 'a store without compress still opens it')
    })
  }

  it('below minBytes the plaintext is stored uncompressed (flag 0)', async () => {
    const prefix = uniquePrefix('small')
    const store = stores.create({ client: connection.client, prefix, compress: { algorithm: 'gzip', minBytes: 1_000_000 } })
    await store.set('small', big)
    assert.equal(((await redis.raw.getBuffer(`${prefix}small`)) as Buffer)[6], 0)
    assert.deepEqual(await store.get('small'), asStored(big))
  })
})
