import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { CIPHERS, HASHES, HEADER_BYTES, type CipherName, type HashName } from '../../src/codec/format.js'
import type { CompressionSettings, Encoding } from '../../src/codec/seal.js'
import { toRecordBytes } from '../../src/codec/open.js'
import { closeSharedPool, sealerPair, sessionText, type SealerPair } from './pool-fixture.js'

const ENCODINGS: Encoding[] = ['binary', 'base64', 'base64url', 'hex']
const COMPRESSIONS: (CompressionSettings | undefined)[] = [
  undefined,
  { algorithm: 'gzip', level: 6, minBytes: 0 },
  { algorithm: 'brotli', level: 4, minBytes: 0 },
]
const schemes: [CipherName, HashName][] = CIPHERS.flatMap((c) =>
  c === 'aes-256-cbc' || c === 'aes-256-ctr' ? HASHES.map((h): [CipherName, HashName] => [c, h]) : [[c, 'sha512']],
)
const text = sessionText(40 * 1024)
const pairs: SealerPair[] = []

after(async () => {
  await Promise.all(pairs.map((p) => p.pooled.close()))
  await closeSharedPool()
})

function header(stored: Buffer | string): Buffer {
  return toRecordBytes(typeof stored === 'string' ? Buffer.from(stored, 'latin1') : stored).subarray(0, HEADER_BYTES)
}

describe('inline and pooled records are interchangeable', () => {
  for (const [cipher, hash] of schemes) {
    for (const encoding of ENCODINGS) {
      for (const compression of COMPRESSIONS) {
        const name = `${cipher}/${hash} ${encoding} ${compression?.algorithm ?? 'uncompressed'}`
        test(name, async () => {
          const pair = await sealerPair({ cipher, hash, encoding, compression })
          const before = pair.pooled.stats().pooled
          pairs.push(pair)
          const key = `sess:${name}`
          const fromPool = await pair.pooled.seal(text, key)
          const fromInline = await pair.inline.seal(text, key)
          assert.equal(typeof fromPool, encoding === 'binary' ? 'object' : 'string')
          assert.equal(typeof fromInline, typeof fromPool)
          assert.deepEqual(header(fromPool).subarray(0, 7), header(fromInline).subarray(0, 7), 'version, algorithm, key id and flags match')
          const asBuffer = (v: Buffer | string) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : v)
          const openedByInline = await pair.inline.open(asBuffer(fromPool), key)
          const openedByPool = await pair.pooled.open(asBuffer(fromInline), key)
          assert.ok(openedByInline.ok && openedByPool.ok)
          assert.equal(openedByInline.text, text)
          assert.equal(openedByPool.text, text)
          const elsewhere = await pair.pooled.open(asBuffer(fromInline), `${key}-moved`)
          assert.deepEqual(elsewhere, { ok: false, reason: 'tag' })
          assert.equal(pair.pooled.stats().pooled - before, 3, 'three operations ran on the worker')
          assert.equal(pair.pooled.stats().workerFailures, 0)
        })
      }
    }
  }
})
