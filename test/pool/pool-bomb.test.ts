import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { closeSharedPool, sealerPair } from './pool-fixture.js'

after(closeSharedPool)

const MiB = 1024 * 1024

for (const algorithm of ['gzip', 'brotli'] as const) {
  test(`a ${algorithm} bomb is refused as too large without inflating it`, async () => {
    const writer = await sealerPair({ compression: { algorithm, level: algorithm === 'gzip' ? 9 : 5, minBytes: 0 }, maxBytes: 128 * MiB })
    const reader = await sealerPair({ maxBytes: 1 * MiB })
    const plain = ' '.repeat(64 * MiB)
    const bomb = (await writer.inline.seal(plain, 'sess:bomb')) as Buffer
    assert.ok(bomb.length < MiB / 4, `the bomb is ${bomb.length} bytes`)

    const full = performance.now()
    const inflated = await writer.inline.open(bomb, 'sess:bomb')
    const fullMs = performance.now() - full
    assert.ok(inflated.ok && inflated.text.length === plain.length)

    const warm = (await reader.inline.seal('{}', 'sess:warm')) as Buffer
    assert.ok((await reader.pooled.open(warm, 'sess:warm')).ok, 'the worker is up before timing')
    for (const sealer of [reader.inline, reader.pooled]) {
      const bounded = performance.now()
      const refused = await sealer.open(bomb, 'sess:bomb')
      const boundedMs = performance.now() - bounded
      assert.deepEqual(refused, { ok: false, reason: 'too-large' })
      assert.ok(boundedMs * 5 < fullMs, `refusal took ${boundedMs.toFixed(1)} ms, full inflate ${fullMs.toFixed(1)} ms`)
    }
    assert.equal(reader.pooled.stats().pooled, 2, 'the pooled refusal ran on the worker')
    await Promise.all([writer.pooled.close(), reader.pooled.close()])
  })
}

test('an uncompressed record larger than maxBytes is refused too', async () => {
  const big = await sealerPair({ maxBytes: 8 * MiB })
  const small = await sealerPair({ maxBytes: MiB })
  const record = (await big.inline.seal('x'.repeat(2 * MiB), 'sess:big')) as Buffer
  assert.deepEqual(await small.inline.open(record, 'sess:big'), { ok: false, reason: 'too-large' })
  assert.deepEqual(await small.pooled.open(record, 'sess:big'), { ok: false, reason: 'too-large' })
  await Promise.all([big.pooled.close(), small.pooled.close()])
})
