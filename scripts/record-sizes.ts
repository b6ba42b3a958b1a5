/**
 * Bytes stored in Redis per session, ours (AES-256-GCM, raw bytes, the defaults) against
 * connect-redis-crypto 4.0.5 (its defaults: kruptein's aes-256-gcm, sha512, binary), for a few
 * session sizes. connect-redis-crypto's own set() does `JSON.stringify(JSON.parse(kruptein.set(...)))`,
 * repeated here without Redis. Writes bench/results/record-sizes.json.
 *
 *   npx tsx scripts/record-sizes.ts
 */
import { createRequire } from 'node:module'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { schemeFor } from '../src/codec/format.js'
import { KeyRing } from '../src/codec/keyring.js'
import { deriveMasterKeys } from '../src/codec/secrets.js'
import { sealText } from '../src/codec/text.js'

interface Kruptein {
  set(secret: string, plaintext: unknown, cb: (error: unknown, ct?: string) => void): void
}

const fromCrypto = createRequire(createRequire(import.meta.url).resolve('connect-redis-crypto'))
const kruptein = (fromCrypto('kruptein') as (options: object) => Kruptein)({})
const ring = new KeyRing(await deriveMasterKeys([Buffer.alloc(32, 1)]))
const settings = { scheme: schemeFor('aes-256-gcm', 'sha512'), encoding: 'binary' as const, compression: undefined }

const sessions: Record<string, unknown> = {
  '7-byte session {"a":1}': { a: 1 },
  'a small login (cookie, user, cart)': { cookie: { originalMaxAge: 3_600_000, httpOnly: true, path: '/' }, user: 'someone', cart: [1, 2, 3] },
  'about 1 KB': { cookie: { originalMaxAge: 3_600_000 }, data: 'x'.repeat(990) },
}

const rows = Object.entries(sessions).map(([label, session]) => {
  const json = JSON.stringify(session)
  let cryptoStored = ''
  kruptein.set('record-size-secret', session, (_error, ct) => (cryptoStored = JSON.stringify(JSON.parse(ct as string))))
  const ours = sealText(json, 'sess:some-session-id', ring, settings)
  return { label, jsonBytes: Buffer.byteLength(json), oursBytes: ours.length, connectRedisCryptoBytes: Buffer.byteLength(cryptoStored) }
})
const result = { command: 'npx tsx scripts/record-sizes.ts', date: new Date().toISOString(), node: process.versions.node, rows }
writeFileSync(fileURLToPath(new URL('../bench/results/record-sizes.json', import.meta.url)), `${JSON.stringify(result, null, 2)}\n`)
console.table(rows)
