/**
 * A record's token: a prefix of the stored value that no other seal shares (it covers the header
 * and 96 random nonce bits), the same whether computed from the stored bytes or from the value a
 * seal returned, in every version and encoding; other values are their own token.
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { schemeFor, type CipherName } from '../../src/codec/format.js'
import { KeyRing } from '../../src/codec/keyring.js'
import { seal, type Encoding } from '../../src/codec/seal.js'
import { deriveMasterKeys } from '../../src/codec/secrets.js'
import { recordToken } from '../../src/records/record-token.js'

let ring: KeyRing
before(async () => {
  ring = new KeyRing(await deriveMasterKeys([Buffer.alloc(32, 9)]))
})

const ENCODINGS: readonly Encoding[] = ['binary', 'hex', 'base64', 'base64url']
const CIPHERS: readonly CipherName[] = ['aes-256-gcm', 'chacha20-poly1305', 'aes-256-cbc', 'aes-256-ctr']

describe('recordToken', () => {
  it('two seals of the same text in the same millisecond never share a token', () => {
    for (const encoding of ENCODINGS) {
      for (const cipher of CIPHERS) {
        const settings = { scheme: schemeFor(cipher, 'sha256'), encoding, compression: undefined }
        const tokens = new Set<string>()
        for (let i = 0; i < 200; i++) {
          const record = seal(Buffer.from('{"same":true}'), 'sess:x', ring, settings, { sealedAt: 1_700_000_000_000 })
          const token = recordToken(record)
          assert.equal(token.whole, false, `${cipher} ${encoding}: a prefix`)
          const stored = typeof record === 'string' ? Buffer.from(record, 'latin1') : record
          assert.ok(stored.subarray(0, token.head.length).equals(token.head), 'the token is the start of the stored value')
          assert.deepEqual(recordToken(stored), token, 'stored bytes and the sealed value give one token')
          tokens.add(token.head.toString('hex'))
        }
        assert.equal(tokens.size, 200, `${cipher} ${encoding}`)
      }
    }
  })

  it('covers the version 2 header and 12 nonce bytes (35 record bytes) in each encoding', () => {
    const expected: Record<Encoding, number> = { binary: 35, hex: 70, base64: 48, base64url: 48 }
    for (const encoding of ENCODINGS) {
      const record = seal(Buffer.from('{}'), 'k', ring, { scheme: schemeFor('aes-256-gcm', 'sha256'), encoding, compression: undefined })
      assert.equal(recordToken(record).head.length, expected[encoding], encoding)
    }
  })

  it('a version 1 record: header and 12 nonce bytes (25 bytes)', () => {
    const v1 = Buffer.concat([Buffer.from([1, 1]), Buffer.alloc(60, 3)])
    assert.equal(recordToken(v1).head.length, 25)
    assert.equal(recordToken(v1.toString('hex')).head.length, 50)
  })

  it('a legacy or unknown value is its own whole token, copied', () => {
    const plain = Buffer.from('{"cookie":{},"user":"x"}')
    const token = recordToken(plain)
    assert.deepEqual(token, { head: plain, whole: true })
    plain[0] = 0
    assert.equal(token.head[0], 0x7b, 'a copy: a reply buffer reused later does not change it')
    assert.equal(recordToken(Buffer.from([2, 1])).whole, true, 'shorter than a header: whole')
  })
})
