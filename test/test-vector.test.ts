/**
 * Frozen records (FORMAT.md): produced once by version 0.1.0 and never regenerated. If one of
 * these stops opening, today's stored sessions would stop opening too.
 */
import assert from 'node:assert/strict'
import { createDecipheriv, createHmac, hkdfSync, scryptSync, timingSafeEqual } from 'node:crypto'
import { describe, it } from 'node:test'
import { KeyRing } from '../src/codec/keyring.js'
import { open } from '../src/codec/open.js'
import type { CipherName, HashName } from '../src/index.js'
import { deriveMasterKeys } from '../src/codec/secrets.js'
import { useClient, useRedis } from './support/redis.js'
import { StoreTracker } from './support/sessions.js'

/** Test-only key material: the bytes 0x00..0x1f. */
const VECTOR_SECRET = Buffer.from(Array.from({ length: 32 }, (_, i) => i))
const VECTOR_PASSPHRASE = 'connect-redis-sealed test vector passphrase'
const VECTOR_KEY = 'sess:vector'
const VECTOR_JSON =
  '{"cookie":{"originalMaxAge":3600000,"expires":"2030-01-01T00:00:00.000Z","httpOnly":true,"path":"/"},"user":"vector","n":42,"note":"größe"}'
const SEALED_AT = Date.UTC(2026, 0, 1)

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
    label: 'aes-256-gcm, 32-byte secret',
    secret: VECTOR_SECRET,
    keyId: 0x19cfa289,
    algorithm: 'aes-256-gcm',
    hex: '010119cfa28900019b76daa8002094d8797fdb54a8e1da20e58797091a3c98ff1036f9388f2df2ca85d25c1e55be5bcf767628c2094ad63970ca2d05a62fcf55abbd19e4d897617c9a61b60a6c6fcd0e522b9a258cc822696c74b807e30a309d677454c4ac322edaa4390c21941c64096a844801f3f7fd2e00b4ac15a34fd909f71cd3ed2dccd161747c557de83484ac36df5e5bb629e56db156c22ded8bb05abf4a46903197539eea5cb38efb37fcf97e72c1841cbf',
  },
  {
    label: 'chacha20-poly1305, 32-byte secret',
    secret: VECTOR_SECRET,
    keyId: 0x19cfa289,
    algorithm: 'chacha20-poly1305',
    hex: '010219cfa28900019b76daa800a541de3b9d97d340c3944d82f290021750318040de71d3beaa2ec302f8875ce87a736f1a721edf7fb4b2143d85c80f45698ed212f6da0bc61625d0556f3fd331716cb478c21c33242adba839b4f73a9cf83e52b9475e387386f28356e9c530d491cf7ab43d23fc931b1114e337b030e4b1879ea990b381667bdf673e99ae5721435d61d017997d47e5578e8d8b9352af649f58e322a6248bad3e2ac4596719f1c60ce1f884e476c62a',
  },
  {
    label: 'aes-256-cbc + HMAC-SHA512, 32-byte secret',
    secret: VECTOR_SECRET,
    keyId: 0x19cfa289,
    algorithm: 'aes-256-cbc',
    hashing: 'sha512',
    hex: '011319cfa28900019b76daa800a442e144fe62b63d944a80a6500b4fd6b87414e342d2bb155e94315bc5d00d1a42a2f3816afdec099e38de6b42846126eee5db967a12bf54fa96695b1aa0fe2225168c8ddcce5206edd7a435d78e69a81fd4cd773ab6732e38eb84c2bc35709e69ff0c6b39ffa06b0cebf3647be7f23f5d30518e0f295ee07e1e459fba7d764ed2505fb0471a39481980e1e909baf2c6c57d99feaff07aade1d18a9c03dba25fd737278a8ca09e86db530d073a18d5876e52138ff7d6c4bb63c24ada52e9bc95',
  },
  {
    label: 'aes-256-ctr + HMAC-SHA256, 32-byte secret',
    secret: VECTOR_SECRET,
    keyId: 0x19cfa289,
    algorithm: 'aes-256-ctr',
    hashing: 'sha256',
    hex: '012119cfa28900019b76daa80055d9a74e906160e4009e64fab8ea042e0cbbefb39fc53459bf81d063e12ec903287be4130f727edaa54a11ea7668d9bc2e79cdd381501a451bcca108cf0551ba85c0f99669b0e2d1e7f35df07f7576bc2f4e2a30e6f26e9fffb566712248a1a410c37fd1f6c7c0b748355e8bf481e03bda3ac3277889c1b29bd4f2783106e33e4e0a22ae4906e95d0530d5581f42541d2a98cb874658336c6cc8d3062745982923402169511fe648ff63388185',
  },
  {
    label: 'aes-256-gcm, passphrase',
    secret: VECTOR_PASSPHRASE,
    keyId: 0x1ff99c6e,
    algorithm: 'aes-256-gcm',
    hex: '01011ff99c6e00019b76daa800e0d7f8d9f79946e50ab9cd19c9d03d7cc21a60d444df2e18a6e59d6dac305bb2057b56531d43c5c50bb6de977e35a529f98b46f9da63cc740a9a43bc292231579c4be98507472834f12fe3b4c03d06a4b2332702c31bc2b32de65beed8ac1704d4d85d3c76efdd6e81f1b4bfb0aaaf014a35350bc1daa42439d9a4dd7b70a132c8101a4734bef451cf6eaf9413730b0d3bce5785bd24ee4c83b4afd1e8022abb649ea88fa1521ee3dd',
  },
]

const MAIN = VECTORS[0] as Vector

describe('the first vector, byte by byte', () => {
  const record = Buffer.from(MAIN.hex, 'hex')
  it('header: version, algorithm id, key id, flags, sealed-at', () => {
    assert.equal(Buffer.byteLength(VECTOR_JSON), 141)
    assert.equal(record.length, 13 + 12 + 141 + 16)
    assert.deepEqual([...record.subarray(0, 2)], [0x01, 0x01], 'version 1, aes-256-gcm')
    assert.equal(record.subarray(2, 6).toString('hex'), '19cfa289', 'key id')
    assert.equal(record[6], 0x00, 'flags: uncompressed')
    assert.equal(record.subarray(7, 13).toString('hex'), '019b76daa800', 'sealed-at')
    assert.equal(record.readUIntBE(7, 6), SEALED_AT)
  })
  it('nonce (12 bytes), ciphertext (as long as the plaintext), tag (16 bytes)', () => {
    assert.equal(record.subarray(13, 25).toString('hex'), '2094d8797fdb54a8e1da20e5')
    assert.equal(record.subarray(25, -16).length, Buffer.byteLength(VECTOR_JSON))
    assert.equal(record.subarray(-16).toString('hex'), '539eea5cb38efb37fcf97e72c1841cbf')
  })
})

describe('every vector opens through the codec', () => {
  for (const vector of VECTORS) {
    it(vector.label, async () => {
      const masters = await deriveMasterKeys([vector.secret])
      // A passphrase's ring holds today's derivation first and the one of these vectors (N = 2^15, fixed salt) after it.
      assert.equal(masters[typeof vector.secret === 'string' ? 1 : 0]?.id, vector.keyId, 'key id of the secret')
      const record = Buffer.from(vector.hex, 'hex')
      const ring = new KeyRing(masters)
      for (const stored of [record, Buffer.from(record.toString('base64')), Buffer.from(record.toString('base64url')), Buffer.from(vector.hex)]) {
        const opened = open(stored, VECTOR_KEY, ring, 1 << 20)
        assert.ok(opened.ok, 'opens')
        assert.equal(opened.plain.toString('utf8'), VECTOR_JSON)
        assert.equal(opened.keyId, vector.keyId)
        assert.equal(opened.sealedAt, SEALED_AT)
      }
      assert.deepEqual(open(record, 'sess:other', ring, 1 << 20), { ok: false, reason: 'tag' }, 'bound to its key')
    })
  }
})

describe('every vector opens with an independent reader written from FORMAT.md alone', () => {
  const SALT = 'connect-redis-sealed/v1'
  const master = (secret: Buffer | string): Buffer =>
    typeof secret === 'string'
      ? scryptSync(secret, 'connect-redis-sealed/scrypt/v1', 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })
      : Buffer.from(hkdfSync('sha256', secret, 'connect-redis-sealed/key/v1', 'master', 32))
  const expand = (key: Buffer, info: string, bytes: number) => Buffer.from(hkdfSync('sha256', key, SALT, info, bytes))

  for (const vector of VECTORS) {
    it(vector.label, () => {
      const record = Buffer.from(vector.hex, 'hex')
      const key = master(vector.secret)
      assert.equal(expand(key, 'key-id', 4).readUInt32BE(0), record.readUInt32BE(2), 'key id = HKDF(master, "key-id")[0..4]')
      const id = record[1] as number
      const header = record.subarray(0, 13)
      const aad = Buffer.concat([header, Buffer.from(VECTOR_KEY, 'utf8')])
      const encKey = expand(key, `enc:${id}`, 32)
      let plain: Buffer
      if (vector.hashing === undefined) {
        const nonce = record.subarray(13, 25)
        const decipher = createDecipheriv(vector.algorithm as 'aes-256-gcm', encKey, nonce, { authTagLength: 16 })
        decipher.setAAD(aad)
        decipher.setAuthTag(record.subarray(-16))
        plain = Buffer.concat([decipher.update(record.subarray(25, -16)), decipher.final()])
      } else {
        const hashBytes = { sha256: 32, sha384: 48, sha512: 64 }[vector.hashing]
        const tagBytes = hashBytes / 2
        const iv = record.subarray(13, 29)
        const body = record.subarray(29, -tagBytes)
        const aadBits = Buffer.alloc(8)
        aadBits.writeBigUInt64BE(BigInt(aad.length * 8))
        const mac = createHmac(vector.hashing, expand(key, `mac:${id}`, hashBytes)).update(aad).update(iv).update(body).update(aadBits).digest()
        assert.ok(timingSafeEqual(mac.subarray(0, tagBytes), record.subarray(-tagBytes)), 'HMAC tag')
        const decipher = createDecipheriv(vector.algorithm, encKey, iv)
        plain = Buffer.concat([decipher.update(body), decipher.final()])
      }
      assert.equal(plain.toString('utf8'), VECTOR_JSON)
    })
  }
})

describe('through the store', () => {
  const redis = useRedis()
  const connection = useClient(redis)
  const stores = new StoreTracker()
  redis.beforeStop(() => stores.closeAll())

  for (const vector of VECTORS) {
    it(`${vector.label}: raw bytes at ${VECTOR_KEY} open with get('vector')`, async () => {
      await redis.raw.set(VECTOR_KEY, Buffer.from(vector.hex, 'hex'))
      const store = stores.create({ client: connection.client, prefix: 'sess:', secret: vector.secret })
      assert.deepEqual(await store.get('vector'), JSON.parse(VECTOR_JSON))
      assert.equal(store.stats().openFailures, 0)
    })
  }
})
