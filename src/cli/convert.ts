import cliProgress from 'cli-progress'
import { CIPHERS, COMPRESSION_MASK, HASHES, schemeById, schemeFor, type CipherName, type HashName, type Scheme } from '../codec/format.js'
import { open, seal, toRecordBytes, type CompressionSettings, type Encoding, type SealSettings } from '../codec/seal.js'
import { LegacyReader } from '../legacy/legacy-reader.js'
import { DEFAULTS } from '../options/resolve.js'
import { CliError, EXIT } from './cli-error.js'
import { legacySettings, MAX_BYTES, note, out, requireKeys, withRedis, type CommonOptions, type Keys, type LegacyCliOptions } from './context.js'
import { encodingOf } from './record-info.js'
import { prefixPattern, type SessionRedis } from './session-redis.js'

/** What happened to one record. */
type Outcome = 'resealed' | 'current' | 'changed' | 'vanished' | 'unreadable' | 'other-format'
type Decision = { next: Buffer | string } | { outcome: Exclude<Outcome, 'resealed' | 'changed'>; reason?: string }

export interface ConvertOptions extends CommonOptions {
  batch: number
  dryRun?: boolean
  progress: boolean
  json?: boolean
}

export interface MigrateOptions extends ConvertOptions, LegacyCliOptions {
  plaintext?: boolean
  algorithm: string
  hashing: string
  encodeas: string
}

const ENCODINGS: readonly Encoding[] = ['binary', 'base64', 'base64url', 'hex']

function choose<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new CliError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`, EXIT.usage)
  return value as T
}

/** Seal settings that keep an opened record's cipher, compression and text encoding: only the key changes. */
function sameSettingsAs(stored: Buffer): SealSettings {
  const record = toRecordBytes(stored)
  const scheme = schemeById(record.readUInt8(1)) as Scheme
  const encoding = encodingOf(stored) as Encoding
  const flag = record.readUInt8(6) & COMPRESSION_MASK
  const compression: CompressionSettings | undefined =
    flag === 0 ? undefined : flag === 1 ? { algorithm: 'gzip', level: DEFAULTS.gzipLevel, minBytes: 0 } : { algorithm: 'brotli', level: DEFAULTS.brotliLevel, minBytes: 0 }
  return { scheme, encoding, compression }
}

interface Plan {
  readonly name: 'rekey' | 'migrate'
  decide(key: string, stored: Buffer): Promise<Decision>
}

/**
 * SCANs every key under the prefix in batches and rewrites the records `plan` asks for with a
 * compare-and-set that keeps the TTL. A record that changed since it was read is left alone.
 * SIGINT stops after the batch in hand; a re-run skips what is already done.
 */
async function run(plan: Plan, o: ConvertOptions, redis: SessionRedis): Promise<void> {
  const counts: Record<Outcome, number> = { resealed: 0, current: 0, changed: 0, vanished: 0, unreadable: 0, 'other-format': 0 }
  const reasons: Record<string, number> = {}
  let interrupted = false
  const onSigint = () => (interrupted = true)
  process.once('SIGINT', onSigint)
  const match = prefixPattern(o.prefix)
  const showBar = o.progress && process.stderr.isTTY === true
  let bar: cliProgress.SingleBar | undefined
  try {
    note(`${plan.name}: scanning ${match}${o.dryRun ? ' (dry run: nothing is written)' : ''}`)
    if (showBar) {
      let total = 0
      for await (const keys of redis.scan(match, o.batch)) total += keys.length
      bar = new cliProgress.SingleBar({ stream: process.stderr, format: `${plan.name} [{bar}] {percentage}% | {value}/{total} sessions | rewritten {resealed}`, hideCursor: true }, cliProgress.Presets.shades_classic)
      bar.start(total, 0, { resealed: 0 })
    }
    for await (const keys of redis.scan(match, o.batch)) {
      const values = await redis.mget(keys)
      await Promise.all(
        keys.map(async (key, i) => {
          const stored = values[i]
          if (!stored) return void counts.vanished++
          const decision = await plan.decide(key, stored)
          if ('outcome' in decision) {
            counts[decision.outcome]++
            if (decision.reason) reasons[decision.reason] = (reasons[decision.reason] ?? 0) + 1
            return
          }
          const done = o.dryRun || (await redis.replaceIfUnchanged(key, stored, decision.next))
          counts[done ? 'resealed' : 'changed']++
        }),
      )
      bar?.increment(keys.length, { resealed: counts.resealed })
      if (interrupted) break
    }
  } finally {
    bar?.stop()
    process.removeListener('SIGINT', onSigint)
  }
  report(plan.name, counts, reasons, o, interrupted)
}

function report(name: string, counts: Record<Outcome, number>, reasons: Record<string, number>, o: ConvertOptions, interrupted: boolean): void {
  const scanned = Object.values(counts).reduce((a, b) => a + b, 0)
  if (o.json) out(JSON.stringify({ command: name, dryRun: o.dryRun === true, interrupted, scanned, ...counts, reasons }))
  else {
    const other = name === 'rekey' ? 'legacy or unknown format (left alone; see migrate)' : 'not legacy (left alone)'
    out(`${name}: ${scanned} records scanned${o.dryRun ? ' (dry run)' : ''}`)
    out(`  ${o.dryRun ? 'would rewrite' : 'rewritten'}: ${counts.resealed}`)
    out(`  already done: ${counts.current}`)
    out(`  changed meanwhile (skipped, run again): ${counts.changed}`)
    out(`  gone meanwhile: ${counts.vanished}`)
    out(`  ${other}: ${counts['other-format']}`)
    out(`  do not open (left alone): ${counts.unreadable}${Object.keys(reasons).length ? ` ${JSON.stringify(reasons)}` : ''}`)
  }
  if (interrupted) throw new CliError(`${name} interrupted; run it again to finish (finished records are skipped)`, EXIT.interrupted)
  if (counts.unreadable > 0) {
    throw new CliError(`${counts.unreadable} record(s) did not open with the given secret(s) and were left alone; check the secrets`)
  }
}

/** Re-seals every record under the newest key, keeping cipher, compression, encoding and TTL. */
export async function rekey(o: ConvertOptions): Promise<void> {
  const keys: Keys = await requireKeys(o)
  const plan: Plan = {
    name: 'rekey',
    async decide(key, stored) {
      if (!encodingOf(stored)) return { outcome: 'other-format' }
      const opened = open(stored, key, keys.ring, MAX_BYTES)
      if (!opened.ok) return opened.reason === 'version' ? { outcome: 'other-format' } : { outcome: 'unreadable', reason: opened.reason }
      if (opened.keyId === keys.ring.currentId) return { outcome: 'current' }
      return { next: seal(opened.plain, key, keys.ring, sameSettingsAs(stored)) }
    },
  }
  await withRedis(o, (redis) => run(plan, o, redis))
}

/** Seals connect-redis and connect-redis-crypto records in place; records already sealed are left alone. */
export async function migrate(o: MigrateOptions): Promise<void> {
  const kruptein = legacySettings(o)
  if (!o.plaintext && !kruptein) {
    throw new CliError('nothing to migrate: pass --plaintext (connect-redis records) and/or set LEGACY_SECRET / --legacy-secret-file (connect-redis-crypto)', EXIT.usage)
  }
  const scheme = schemeFor(choose<CipherName>('--algorithm', o.algorithm, CIPHERS), choose<HashName>('--hashing', o.hashing, HASHES))
  const settings: SealSettings = { scheme, encoding: choose('--encodeas', o.encodeas, ENCODINGS), compression: undefined }
  const keys = await requireKeys(o)
  const reader = new LegacyReader({ plaintext: o.plaintext === true, kruptein, keyCache: 0 }, MAX_BYTES)
  const plan: Plan = {
    name: 'migrate',
    async decide(key, stored) {
      if (!reader.recognizes(stored)) return { outcome: encodingOf(stored) ? 'current' : 'other-format' }
      const opened = await reader.open(stored)
      if (!opened.ok) return opened.reason === 'version' ? { outcome: 'other-format' } : { outcome: 'unreadable', reason: opened.reason }
      return { next: seal(Buffer.from(opened.text, 'utf8'), key, keys.ring, settings) }
    },
  }
  await withRedis(o, (redis) => run(plan, o, redis))
}
