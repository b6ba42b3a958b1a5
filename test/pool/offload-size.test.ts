/** offloadThreshold counts plaintext bytes on `get` too, whatever the record's encoding and compression. */
import assert from 'node:assert/strict'
import { gzipSync } from 'node:zlib'
import { after, test } from 'node:test'
import type { Encoding } from '../../src/codec/seal.js'
import { ASSUMED_COMPRESSION_RATIO, plaintextBytesOf } from '../../src/dispatch/plaintext-size.js'
import { closeSharedPool, sealerPair, sessionText } from './pool-fixture.js'

after(closeSharedPool)

const text = sessionText(64 * 1024)
const bytes = Buffer.byteLength(text)

/** Seals `text` inline, opens it on a sealer with `offloadThreshold`, and says whether the open ran on the pool. */
async function openedOnPool(encoding: Encoding, offloadThreshold: number, gzip = false): Promise<boolean> {
  const compression = gzip ? { algorithm: 'gzip' as const, level: 6, minBytes: 0 } : undefined
  const { inline, pooled } = await sealerPair({ encoding, compression, offloadThreshold })
  try {
    const stored = await inline.seal(text, 'sess:size')
    const opened = await pooled.open(Buffer.isBuffer(stored) ? stored : Buffer.from(stored, 'latin1'), 'sess:size')
    assert.ok(opened.ok && opened.text === text)
    return pooled.stats().pooled === 1
  } finally {
    await pooled.close()
  }
}

for (const encoding of ['binary', 'hex', 'base64', 'base64url'] as const) {
  test(`${encoding}, uncompressed: opens on the pool from exactly offloadThreshold plaintext bytes`, async () => {
    assert.equal(await openedOnPool(encoding, bytes), true, 'plaintext == threshold: pool')
    assert.equal(await openedOnPool(encoding, bytes + 1), false, 'plaintext one byte under: inline')
  })
}

test('gzip + hex: a record that stores far fewer bytes than its plaintext still opens on the pool', async () => {
  const ratio = bytes / gzipSync(text, { level: 6 }).length
  assert.ok(ratio > 2 && ratio < ASSUMED_COMPRESSION_RATIO, `this session compresses ${ratio.toFixed(1)}×; the test needs 2× to ${ASSUMED_COMPRESSION_RATIO}×`)
  assert.equal(await openedOnPool('hex', bytes, true), true, 'its hex text is shorter than the threshold, its plaintext is not')
  assert.equal(await openedOnPool('binary', bytes, true), true)
})

test('plaintextBytesOf reads short, foreign and empty values without throwing', () => {
  for (const value of ['', '0', 'A', '{"cookie":{}}', '01ff', 'AQ=='].map((s) => Buffer.from(s))) {
    assert.ok(Number.isFinite(plaintextBytesOf(value)) && plaintextBytesOf(value) >= 0)
  }
})
