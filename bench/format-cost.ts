/**
 * Format v1 against v2 at 1 KB (#11's cost goal: v2 at most +2 µs per seal and per open):
 * AES-256-GCM seal and open of the same session, v1 as 0.1.0 wrote it (a 96-bit random nonce under
 * the master key) and v2 (XAES-256-GCM: a per-record key derived from a 192-bit nonce).
 *
 *   npm run bench:format        41 interleaved rounds of 10,000 operations (ROUNDS, OPS to change), about 15 s
 *
 * Each round times OPS operations of each arm back to back, alternating which goes first, so
 * drift on a loaded machine hits both alike; printed are the median of the per-round differences
 * (µs) and ratios with their spread, and the load average before and after.
 */
import { createCipheriv } from 'node:crypto'
import { AEAD, additionalData, fillNonce } from '../src/codec/envelope.js'
import { HEADER_BYTES, schemeFor, V1, type Scheme } from '../src/codec/format.js'
import { KeyRing, type SchemeKeys } from '../src/codec/keyring.js'
import { open } from '../src/codec/open.js'
import { seal, type SealSettings } from '../src/codec/seal.js'
import { deriveMasterKeys } from '../src/codec/secrets.js'
import { describeSpread, load1, spreadOf, verdict, type Goal, type Spread } from './paired.js'
import { makeSession } from './session-data.js'

const ROUNDS = Number(process.env.ROUNDS ?? 41)
const OPS = Number(process.env.OPS ?? 10000)
const SIZE = 1024
const KEY = 'sess:format-cost'
const GOAL: Goal = { direction: '<=', target: 2 }

export interface FormatCostFigure {
  op: 'seal' | 'open'
  /** Median µs per operation of each format over the rounds. */
  v1Us: number
  v2Us: number
  /** Per-round v2 − v1, µs. */
  extraUs: Spread
  /** Per-round v2 / v1. */
  ratio: Spread
  verdict: ReturnType<typeof verdict>
}

/** A version 1 AES-256-GCM record built the way `seal` builds v2 (one allocation, pooled nonces, scratch AAD), so only the construction differs. */
function sealV1(plain: Uint8Array, redisKey: string, ring: KeyRing, scheme: Scheme): Buffer {
  const keys = ring.keysFor(ring.currentId, scheme, V1) as SchemeKeys
  const record = Buffer.allocUnsafe(HEADER_BYTES + 12 + plain.length + scheme.tagBytes)
  record.writeUInt8(V1, 0)
  record.writeUInt8(scheme.id, 1)
  record.writeUInt32BE(keys.id, 2)
  record.writeUInt8(0, 6)
  record.writeUIntBE(Date.now(), 7, 6)
  const nonce = record.subarray(HEADER_BYTES, HEADER_BYTES + 12)
  fillNonce(nonce)
  const cipher = createCipheriv('aes-256-gcm', keys.encryption, nonce, AEAD)
  cipher.setAAD(additionalData(record.subarray(0, HEADER_BYTES), redisKey))
  let at = HEADER_BYTES + 12
  at += cipher.update(plain).copy(record, at)
  at += cipher.final().copy(record, at)
  cipher.getAuthTag().copy(record, at)
  return record
}

function timeUs(ops: number, work: () => unknown): number {
  const start = process.hrtime.bigint()
  for (let i = 0; i < ops; i++) work()
  return Number(process.hrtime.bigint() - start) / 1000 / ops
}

function pairOf(op: 'seal' | 'open', v1: () => unknown, v2: () => unknown): FormatCostFigure {
  timeUs(OPS, v1)
  timeUs(OPS, v2)
  const a: number[] = []
  const b: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      a.push(timeUs(OPS, v1))
      b.push(timeUs(OPS, v2))
    } else {
      b.push(timeUs(OPS, v2))
      a.push(timeUs(OPS, v1))
    }
  }
  const extraUs = spreadOf(b.map((v, i) => v - (a[i] as number)))
  return { op, v1Us: spreadOf(a).median, v2Us: spreadOf(b).median, extraUs, ratio: spreadOf(b.map((v, i) => v / (a[i] as number))), verdict: verdict(extraUs, GOAL) }
}

export async function runFormatCost(): Promise<{ figures: FormatCostFigure[]; loadBefore: number; loadAfter: number }> {
  const loadBefore = load1()
  const ring = new KeyRing(await deriveMasterKeys([Buffer.alloc(32, 0x42)]))
  const settings: SealSettings = { scheme: schemeFor('aes-256-gcm', 'sha512'), encoding: 'binary', compression: undefined }
  const text = JSON.stringify(makeSession(SIZE))
  const plain = Buffer.from(text, 'utf8')
  const v1Record = sealV1(plain, KEY, ring, settings.scheme)
  const v2Record = seal(plain, KEY, ring, settings) as Buffer
  for (const record of [v1Record, v2Record]) if (!open(record, KEY, ring, 1 << 20).ok) throw new Error('a bench record does not open')
  const figures = [
    pairOf('seal', () => sealV1(Buffer.from(text, 'utf8'), KEY, ring, settings.scheme), () => seal(Buffer.from(text, 'utf8'), KEY, ring, settings)),
    pairOf('open', () => open(v1Record, KEY, ring, 1 << 20), () => open(v2Record, KEY, ring, 1 << 20)),
  ]
  return { figures, loadBefore, loadAfter: load1() }
}

export function formatCostMarkdown(run: Awaited<ReturnType<typeof runFormatCost>>): string {
  const rows = run.figures.map(
    (f) => `| ${f.op} | ${f.v1Us.toFixed(2)} | ${f.v2Us.toFixed(2)} | ${describeSpread(f.ratio)} | ${describeSpread(f.extraUs, ' µs')} | ${f.verdict} |`,
  )
  return [
    `Format v1 vs v2, AES-256-GCM, 1 KB session, ${ROUNDS} interleaved rounds of ${OPS} operations (load ${run.loadBefore.toFixed(2)} → ${run.loadAfter.toFixed(2)}):`,
    '',
    '| op | v1 µs | v2 µs | v2 / v1 | v2 − v1 | goal ≤ +2 µs |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n')
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() as string)) {
  runFormatCost().then(
    (run) => process.stdout.write(formatCostMarkdown(run)),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
      process.exitCode = 1
    },
  )
}
