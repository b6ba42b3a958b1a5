/**
 * A worker forgets a closed store's keys at once, not at its next task, and zeroes them: the
 * master keys it copied and every subkey derived from them.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { schemeFor } from '../../src/codec/format.js'
import { KeyRing } from '../../src/codec/keyring.js'
import { deriveMasterKeys } from '../../src/codec/secrets.js'
import { closeSharedPool, sealerPair, sessionText } from './pool-fixture.js'

after(closeSharedPool)

test("closing a store makes the pool's worker drop its keys without waiting for a task", async () => {
  const closing = await sealerPair()
  const other = await sealerPair()
  const text = sessionText(4096)
  assert.ok(Buffer.isBuffer(await closing.pooled.seal(text, 'sess:a')))
  assert.deepEqual(JSON.parse((await other.pooled.seal(text, 'sess:__probe_rings__')) as string).length, 1, "the worker holds the first store's keys")
  await closing.pooled.close()
  assert.deepEqual(JSON.parse((await other.pooled.seal(text, 'sess:__probe_rings__')) as string), [], 'dropped once that store closed')
  assert.ok(Buffer.isBuffer(await other.pooled.seal(text, 'sess:b')), 'the other store still seals on the worker')
  assert.equal(other.pooled.stats().pooled, 3)
  await other.pooled.close()
})

test('KeyRing.wipe() zeroes the master keys and every subkey it derived', async () => {
  const masters = await deriveMasterKeys([Buffer.alloc(32, 0x5e)])
  const copy = masters.map((m) => ({ id: m.id, key: Uint8Array.from(m.key) }))
  const ring = new KeyRing(copy)
  const gcm = ring.keysFor(ring.currentId, schemeFor('aes-256-gcm', 'sha512'), 2)
  const cbc = ring.keysFor(ring.currentId, schemeFor('aes-256-cbc', 'sha512'), 2)
  assert.ok(gcm?.deriver && cbc?.mac)
  const before = gcm.deriver.derive(Buffer.alloc(24, 7))
  ring.wipe()
  const zero = (bytes: Uint8Array) => bytes.every((b) => b === 0)
  assert.ok(copy.every((m) => zero(m.key)), 'the masters it was given')
  assert.ok(zero(gcm.encryption) && zero(cbc.encryption) && zero(cbc.mac), 'cipher and MAC subkeys')
  assert.notDeepEqual(gcm.deriver.derive(Buffer.alloc(24, 7)), before, "the record-key derivation's template is gone")
})
