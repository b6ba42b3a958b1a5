/**
 * No nonce repeats across 1,000,000 seals of the same plaintext for the same key (an AES-GCM
 * nonce used twice under one key breaks both secrecy and the tag). Half the seals run on a
 * worker thread, as pooled seals do. The nonces are kept in 24 MB of buffers, not a Set.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Worker } from 'node:worker_threads'
import { HEADER_V2_BYTES as HEADER_BYTES } from '../../src/codec/format.js'
import { closeSharedPool, sealerPair } from '../pool/pool-fixture.js'
import { collectGcmNonces, GCM_NONCE_BYTES, repeatedNonces } from './nonces.js'

const SEALS = 1_000_000

test(`no nonce repeats across ${SEALS.toLocaleString('en')} AES-GCM seals (main thread and a worker)`, async (t) => {
  const started = performance.now()
  // tsx's hooks do not reach a worker's entry point: register them in the worker, then import the TypeScript.
  const entry = JSON.stringify(new URL('./fixtures/nonce-worker.ts', import.meta.url).href)
  const worker = new Worker(`import('tsx/esm/api').then((tsx) => tsx.register()).then(() => import(${entry}))`, { eval: true, workerData: { count: SEALS / 2 } })
  const fromWorker = new Promise<Buffer>((resolve, reject) => {
    worker.once('message', (bytes: ArrayBuffer) => resolve(Buffer.from(bytes)))
    worker.once('error', reject)
  })
  const fromMain = await collectGcmNonces(SEALS / 2)
  const nonces = Buffer.concat([fromMain, await fromWorker])
  await worker.terminate()
  assert.equal(nonces.length, SEALS * GCM_NONCE_BYTES)
  const repeats = repeatedNonces(nonces, GCM_NONCE_BYTES)
  t.diagnostic(`${SEALS} seals in ${((performance.now() - started) / 1000).toFixed(1)} s, ${repeats} repeated nonces`)
  assert.equal(repeats, 0)

  const planted = Buffer.from(nonces.subarray(0, 1000 * GCM_NONCE_BYTES))
  nonces.copy(planted, 999 * GCM_NONCE_BYTES, 5 * GCM_NONCE_BYTES, 6 * GCM_NONCE_BYTES)
  assert.equal(repeatedNonces(planted, GCM_NONCE_BYTES), 1, 'the check finds a planted repeat')
})

test('the store sealer, inline and pooled, never repeats a CTR IV', async (t) => {
  t.after(() => closeSharedPool())
  const { inline, pooled } = await sealerPair({ cipher: 'aes-256-ctr', pool: { maxQueue: 256 } })
  const ivBytes = 16
  const sealed: (Buffer | string)[] = []
  for (let batch = 0; batch < 20; batch++) {
    sealed.push(...(await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 8 ? pooled : inline).seal('{"cookie":{}}', 'sess:iv')))))
  }
  const ivs = Buffer.alloc(sealed.length * ivBytes)
  sealed.forEach((r, i) => (r as Buffer).copy(ivs, i * ivBytes, HEADER_BYTES, HEADER_BYTES + ivBytes))
  t.diagnostic(`pooled ${pooled.stats().pooled}, inline ${inline.stats().inline}`)
  assert.ok(pooled.stats().pooled > 0 && inline.stats().inline > 0, 'both paths sealed')
  assert.equal(repeatedNonces(ivs, ivBytes), 0)
  await pooled.close()
})
