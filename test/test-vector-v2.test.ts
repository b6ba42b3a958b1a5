/**
 * Frozen version 2 records (FORMAT.md), produced once and never regenerated, next to the
 * version 1 ones in test-vector.test.ts (which must keep opening too).
 */
import assert from 'node:assert/strict'
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, scryptSync, timingSafeEqual } from 'node:crypto'
import { describe, it } from 'node:test'
import { KeyRing } from '../src/codec/keyring.js'
import { open } from '../src/codec/open.js'
import type { CipherName, HashName } from '../src/index.js'
import { deriveMasterKeys } from '../src/codec/secrets.js'
import { createdAtOf } from '../src/session-marks.js'
import { useClient, useRedis } from './support/redis.js'
import { StoreTracker } from './support/sessions.js'

/** Test-only key material: the bytes 0x00..0x1f. */
const VECTOR_SECRET = Buffer.from(Array.from({ length: 32 }, (_, i) => i))
const VECTOR_PASSPHRASE = 'connect-redis-sealed test vector passphrase'
const VECTOR_KEY = 'sess:vector'
const VECTOR_JSON =
  '{"cookie":{"originalMaxAge":3600000,"expires":"2030-01-01T00:00:00.000Z","httpOnly":true,"path":"/"},"user":"vector","n":42,"note":"größe"}'
const SEALED_AT = Date.UTC(2026, 0, 1)
const CREATED_AT = Date.UTC(2025, 11, 1)

interface Vector {
  readonly label: string
  readonly secret: Buffer | string
  readonly keyId: number
  readonly algorithm: CipherName
  readonly hashing?: HashName
  readonly hex: string
}

const VECTORS: readonly Vector[] = [
  {
    label: 'XAES-256-GCM, 32-byte secret',
    secret: VECTOR_SECRET,
    keyId: 0x19cfa289,
    algorithm: 'aes-256-gcm',
    hex: '020119cfa28900019b76daa800019ad73584000000008d5aa88d43586448645c12c9dbc74951e01adb70ea1e85f9919230fd90287c51a0a0b6c98b9f0552dcd0102bd05334fe35a6f1ffb0eb253e28343dfa853de2e876d98ccaae7c1b47d1d03f636ef54ade1bc28c264d8c4d6fdd94469d2c719e93a0c7e1b9f8c9668b423b36e4c975fd315d64f7fd11d8d422835106058e165e0105b27f9adeaa9377cb24819e2d99c93759e1d290a37c8a8d6e1fd1abbaf986b70bfe0a5c742c12d504c6b239821c13b23dd8cf9f86cc',
  },
  {
    label: 'ChaCha20-Poly1305 with the XAES key derivation, 32-byte secret',
    secret: VECTOR_SECRET,
    keyId: 0x19cfa289,
    algorithm: 'chacha20-poly1305',
    hex: '020219cfa28900019b76daa800019ad73584000000008dc22457ba5f2ac6a3d7495aa1e35932f7de2409d315a1f472e18d1567c7471b34558a9c9f0ae8d952199a45dc5fde7483affab9f67977998227149c63c8b082b1a04113759aa4f5b3ac1f7a7981d53ca85148a42454913635e911f8d984ee14c0beee24866d2736732d516adfe8ba9c78b148b7d18b3442d3e5ca086b74bd3419ad0aeaf8398ac45aaf01a3acd3e32ab47354322fcd7ae0a0f0640ef5eae6a46f07a0ca6972289b95c59a53836536a5b5e5646e43d5',
  },
  {
    label: 'AES-256-CBC + HMAC-SHA512, 32-byte secret',
    secret: VECTOR_SECRET,
    keyId: 0x19cfa289,
    algorithm: 'aes-256-cbc',
    hashing: 'sha512',
    hex: '021319cfa28900019b76daa800019ad73584000000008d268b01c4c6a41ebd45ee29c0bd0018af242f238f6dbebd85921b2476f95bcd6d3428fb3cfeda6a41bc00dd933e06041b915f30f46ca08064e556cf9eee422113861b92b06fc5c26547fdbff7b36ed6c90e55f5363f6aeda61631e4df89abcb347e394f282eca42c4f365906560656dd09d1f3e119f1c24d3857e0fb014718737478b7a9ba9d0544f40e7cc1b1b71617b4a129938ba3bd7bae0a5f96e1311c72b0a80822dcf7636ff12b533122d16e7154b23259f45fb585f1cc125b963ba667b',
  },
  {
    label: 'AES-256-CTR + HMAC-SHA256, 32-byte secret',
    secret: VECTOR_SECRET,
    keyId: 0x19cfa289,
    algorithm: 'aes-256-ctr',
    hashing: 'sha256',
    hex: '022119cfa28900019b76daa800019ad73584000000008df8aefebe37b21ef988c7ed5cca8ea0dc54ecadef4d7e5ef0b33b0248b9253ec5aebe8d33db4c0477dfdfa68c6a7f55cdee9e25588884bc848977c2b01a9acac4cfc3fa297a9e29453828ae7b01e3bf42a3f2ed6cae686c8334f679c9818661640dc83575b264e84bc7bbee131cd58dd2d9668f899a673a77141879cac1e8e6dc7debdc7ac3840b08aec063ea0a569677ebff4577f72f05e7f095580f387f735ba49ded11ac1ecc2ac00fd0897e',
  },
  {
    label: 'XAES-256-GCM, passphrase (scrypt N = 2^17, keySalt "sess:")',
    secret: VECTOR_PASSPHRASE,
    keyId: 0xfac26fd4,
    algorithm: 'aes-256-gcm',
    hex: '0201fac26fd400019b76daa800019ad73584000000008d0f93da4133e4920b81923faf4550d58062aa4e59157efedcb11b96ad916d1ec480d56f6441fcd981a8f38d83f9443ce8944b440979ad8add444e4fef54d07cc7071feb1c4b76e5750d9b599ccb2f4de93e79bbfc0a8065e7a53e59fcb8ad70f7c6d2d1d90c4eb63172a046deafd182ca499ee4797357b67627383f0b659108c95a25a70e24d10603fa81b0b132f1e800354db42a85545858b09f595a6990be18f960f91551087d48e59752f235e9473e1267128e5a',
  },
]

const MAIN = VECTORS[0] as Vector
const PLAIN_BYTES = Buffer.byteLength(VECTOR_JSON)

describe('the first version 2 vector, byte by byte', () => {
  const record = Buffer.from(MAIN.hex, 'hex')
  it('header: version, algorithm id, key id, flags, sealed-at, created-at, plaintext length', () => {
    assert.equal(record.length, 23 + 24 + PLAIN_BYTES + 16)
    assert.deepEqual([...record.subarray(0, 2)], [0x02, 0x01], 'version 2, XAES-256-GCM')
    assert.equal(record.subarray(2, 6).toString('hex'), '19cfa289', 'key id')
    assert.equal(record[6], 0x00, 'flags: uncompressed')
    assert.equal(record.subarray(7, 13).toString('hex'), '019b76daa800', 'sealed-at')
    assert.equal(record.subarray(13, 19).toString('hex'), '019ad7358400', 'created-at')
    assert.equal(record.readUIntBE(13, 6), CREATED_AT)
    assert.equal(record.subarray(19, 23).toString('hex'), '0000008d', 'plaintext length 141')
  })
  it('nonce (24 bytes), ciphertext (as long as the plaintext), tag (16 bytes)', () => {
    assert.equal(record.subarray(23, 47).toString('hex'), '5aa88d43586448645c12c9dbc74951e01adb70ea1e85f991')
    assert.equal(record.subarray(47, -16).length, PLAIN_BYTES)
    assert.equal(record.subarray(-16).toString('hex'), '12d504c6b239821c13b23dd8cf9f86cc')
  })
})

describe('every version 2 vector opens through the codec', () => {
  for (const vector of VECTORS) {
    it(vector.label, async () => {
      const masters = await deriveMasterKeys([vector.secret])
      assert.equal(masters[0]?.id, vector.keyId, 'key id of the secret')
      const record = Buffer.from(vector.hex, 'hex')
      const ring = new KeyRing(masters)
      for (const stored of [record, Buffer.from(record.toString('base64')), Buffer.from(record.toString('base64url')), Buffer.from(vector.hex)]) {
        const opened = open(stored, VECTOR_KEY, ring, 1 << 20)
        assert.ok(opened.ok, 'opens')
        assert.equal(opened.plain.toString('utf8'), VECTOR_JSON)
        assert.deepEqual([opened.keyId, opened.version, opened.sealedAt, opened.createdAt, opened.plaintextBytes], [vector.keyId, 2, SEALED_AT, CREATED_AT, PLAIN_BYTES])
      }
      assert.deepEqual(open(record, 'sess:other', ring, 1 << 20), { ok: false, reason: 'tag' }, 'bound to its key')
    })
  }
})

/** AES-256-CMAC of one full block, computed from the definition (NIST SP 800-38B) with BigInt shifts. */
function cmacOneBlock(key: Buffer, block: Buffer): Buffer {
  const aes = (input: Buffer) => {
    const c = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false)
    return Buffer.concat([c.update(input), c.final()])
  }
  const l = BigInt(`0x${aes(Buffer.alloc(16)).toString('hex')}`)
  const mask = (1n << 128n) - 1n
  const k1 = ((l << 1n) & mask) ^ (l >> 127n === 1n ? 0x87n : 0n)
  const m = BigInt(`0x${block.toString('hex')}`) ^ k1
  return aes(Buffer.from(m.toString(16).padStart(32, '0'), 'hex'))
}

describe('every version 2 vector opens with an independent reader written from FORMAT.md alone', () => {
  const SALT = 'connect-redis-sealed/v1'
  const master = (secret: Buffer | string): Buffer =>
    typeof secret === 'string'
      ? scryptSync(secret, 'connect-redis-sealed/scrypt/v2/sess:', 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 })
      : Buffer.from(hkdfSync('sha256', secret, 'connect-redis-sealed/key/v1', 'master', 32))
  const expand = (key: Buffer, info: string, bytes: number) => Buffer.from(hkdfSync('sha256', key, SALT, info, bytes))

  for (const vector of VECTORS) {
    it(vector.label, () => {
      const record = Buffer.from(vector.hex, 'hex')
      const key = master(vector.secret)
      assert.equal(expand(key, 'key-id', 4).readUInt32BE(0), record.readUInt32BE(2), 'key id = HKDF(master, "key-id")[0..4]')
      const id = record[1] as number
      const aad = Buffer.concat([record.subarray(0, 23), Buffer.from(VECTOR_KEY, 'utf8')])
      const encKey = expand(key, `v2:enc:${id}`, 32)
      let plain: Buffer
      if (vector.hashing === undefined) {
        const nonce = record.subarray(23, 47)
        const m = (i: number) => Buffer.concat([Buffer.from([0x00, i, 0x58, 0x00]), nonce.subarray(0, 12)])
        const recordKey = Buffer.concat([cmacOneBlock(encKey, m(1)), cmacOneBlock(encKey, m(2))])
        const decipher = createDecipheriv(vector.algorithm as 'aes-256-gcm', recordKey, nonce.subarray(12), { authTagLength: 16 })
        decipher.setAAD(aad)
        decipher.setAuthTag(record.subarray(-16))
        plain = Buffer.concat([decipher.update(record.subarray(47, -16)), decipher.final()])
      } else {
        const hashBytes = { sha256: 32, sha384: 48, sha512: 64 }[vector.hashing]
        const tagBytes = hashBytes / 2
        const iv = record.subarray(23, 39)
        const body = record.subarray(39, -tagBytes)
        const aadBits = Buffer.alloc(8)
        aadBits.writeBigUInt64BE(BigInt(aad.length * 8))
        const mac = createHmac(vector.hashing, expand(key, `v2:mac:${id}`, hashBytes)).update(aad).update(iv).update(body).update(aadBits).digest()
        assert.ok(timingSafeEqual(mac.subarray(0, tagBytes), record.subarray(-tagBytes)), 'HMAC tag')
        const decipher = createDecipheriv(vector.algorithm, encKey, iv)
        plain = Buffer.concat([decipher.update(body), decipher.final()])
      }
      assert.equal(plain.toString('utf8'), VECTOR_JSON)
    })
  }

  it('the key derivation is the one of C2SP XAES-256-GCM (the spec’s two vectors)', () => {
    const nonce = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWX')
    for (const [byte, aad, ct, tag] of [
      [0x01, '', 'ce546ef63c9cc60765923609', 'b33a9a1974e96e52daf2fcf7075e2271'],
      [0x03, 'c2sp.org/XAES-256-GCM', '986ec1832593df5443a17943', '7fd083bf3fdb41abd740a21f71eb769d'],
    ] as const) {
      const key = Buffer.alloc(32, byte)
      const m = (i: number) => Buffer.concat([Buffer.from([0x00, i, 0x58, 0x00]), nonce.subarray(0, 12)])
      const cipher = createCipheriv('aes-256-gcm', Buffer.concat([cmacOneBlock(key, m(1)), cmacOneBlock(key, m(2))]), nonce.subarray(12))
      cipher.setAAD(Buffer.from(aad))
      const out = Buffer.concat([cipher.update('XAES-256-GCM'), cipher.final()])
      assert.deepEqual([out.toString('hex'), cipher.getAuthTag().toString('hex')], [ct, tag])
    }
  })
})

describe('version 2 vectors through the store', () => {
  const redis = useRedis()
  const connection = useClient(redis)
  const stores = new StoreTracker()
  redis.beforeStop(() => stores.closeAll())

  for (const vector of VECTORS) {
    it(`${vector.label}: raw bytes at ${VECTOR_KEY} open with get('vector'), created-at carried`, async () => {
      await redis.raw.set(VECTOR_KEY, Buffer.from(vector.hex, 'hex'))
      const store = stores.create({ client: connection.client, prefix: 'sess:', secret: vector.secret })
      const session = await store.get('vector')
      assert.deepEqual(session, JSON.parse(VECTOR_JSON))
      assert.equal(createdAtOf(session), CREATED_AT)
      assert.equal(store.stats().openFailures, 0)
    })
  }
})
