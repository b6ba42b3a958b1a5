import cliProgress from 'cli-progress'
import { CIPHERS, COMPRESSION_MASK, HASHES, schemeById, schemeFor, type CipherName, type HashName, type Scheme } from '../codec/format.js'
import { open, toRecordBytes } from '../codec/open.js'
import type { CompressionSettings, Encoding, SealSettings } from '../codec/seal.js'
import { LegacyReader, OPERATOR_RUN } from '../legacy/legacy-reader.js'
import { DEFAULTS } from '../options/resolve.js'
import { CliError, EXIT } from './cli-error.js'
import { legacySettings, MAX_BYTES, note, out, requireKeys, withRedis, type CommonOptions, type Keys, type LegacyCliOptions } from './context.js'
import { encodingOf } from './record-info.js'
import { isExpired, resealKeepingTimes } from './reseal.js'
import { prefixPattern, splitIndexKeys, type SessionRedis } from './session-redis.js'

/**
 * What happened to one record. `expired`: sealed longer ago than --max-seal-age, deleted (or, in
 * a dry run, would be); `expired-kept`: the same, left alone because of --keep-expired.
 */
type Outcome = 'resealed' | 'current' | 'changed' | 'vanished' | 'unreadable' | 'other-format' | 'expired' | 'expired-kept'
type Decision = { next: Buffer | string } | { drop: true } | { outcome: Exclude<Outcome, 'resealed' | 'changed' | 'expired'>; reason?: string }

export interface ConvertOptions extends CommonOptions {
  batch: number
  dryRun?: boolean
  progress: boolean
  json?: boolean
  /** Seconds: records sealed longer ago are deleted (the store would refuse them anyway). */
  maxSealAge?: number
  /** With `maxSealAge`: leave such records alone instead, only count them. */
  keepExpired?: boolean
}

export interface MigrateOptions extends ConvertOptions, LegacyCliOptions {
  plaintext?: boolean
  trustPlaintext?: boolean
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

/** What to do with a record past --max-seal-age. */
const expired = (o: ConvertOptions): Decision => (o.keepExpired ? { outcome: 'expired-kept' } : { drop: true })

function checkAgeOptions(o: ConvertOptions): void {
  if (o.keepExpired && o.maxSealAge === undefined) throw new CliError('--keep-expired needs --max-seal-age <seconds>', EXIT.usage)
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
  const counts: Record<Outcome, number> = { resealed: 0, current: 0, changed: 0, vanished: 0, unreadable: 0, 'other-format': 0, expired: 0, 'expired-kept': 0 }
  const reasons: Record<string, number> = {}
  let interrupted = false
  const onSigint = () => (interrupted = true)
  process.once('SIGINT', onSigint)
  const match = prefixPattern(o.prefix)
  const showBar = o.progress && process.stderr.isTTY === true
  let bar: cliProgress.SingleBar | undefined
  try {
    const age = o.maxSealAge === undefined ? '' : `, records sealed over ${o.maxSealAge} s ago ${o.keepExpired ? 'are counted and left alone' : 'are deleted'}`
    note(`${plan.name}: scanning ${match}${age}${o.dryRun ? ' (dry run: nothing is written)' : ''}`)
    if (showBar) {
      let total = 0
      for await (const batch of redis.scan(match, o.batch)) total += splitIndexKeys(batch, o.prefix).records.length
      bar = new cliProgress.SingleBar({ stream: process.stderr, format: `${plan.name} [{bar}] {percentage}% | {value}/{total} sessions | rewritten {resealed}`, hideCursor: true }, cliProgress.Presets.shades_classic)
      bar.start(total, 0, { resealed: 0 })
    }
    for await (const batch of redis.scan(match, o.batch)) {
      // The users' indexes (sorted sets) are no records: MGET would answer nil for them.
      const keys = splitIndexKeys(batch, o.prefix).records
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
          if ('drop' in decision) {
            const dropped = o.dryRun || (await redis.deleteIfUnchanged(key, stored))
            return void counts[dropped ? 'expired' : 'changed']++
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
    if (o.maxSealAge !== undefined) {
      out(`  sealed over ${o.maxSealAge} s ago, ${o.dryRun ? 'would delete' : 'deleted'}: ${counts.expired}`)
      out(`  sealed over ${o.maxSealAge} s ago, left alone (--keep-expired): ${counts['expired-kept']}`)
    }
    out(`  do not open (left alone): ${counts.unreadable}${Object.keys(reasons).length ? ` ${JSON.stringify(reasons)}` : ''}`)
  }
  if (interrupted) throw new CliError(`${name} interrupted; run it again to finish (finished records are skipped)`, EXIT.interrupted)
  if (counts.unreadable > 0) {
    throw new CliError(`${counts.unreadable} record(s) did not open with the given secret(s) and were left alone; check the secrets`)
  }
}

/** Re-seals every record under the newest key, keeping cipher, compression, encoding and TTL. */
export async function rekey(o: ConvertOptions): Promise<void> {
  checkAgeOptions(o)
  const keys: Keys = await requireKeys(o)
  const plan: Plan = {
    name: 'rekey',
    async decide(key, stored) {
      if (!encodingOf(stored)) return { outcome: 'other-format' }
      const opened = open(stored, key, keys.ring, MAX_BYTES)
      if (!opened.ok) return opened.reason === 'version' ? { outcome: 'other-format' } : { outcome: 'unreadable', reason: opened.reason }
      if (isExpired(opened.sealedAt, o.maxSealAge)) return expired(o)
      if (opened.keyId === keys.ring.currentId) return { outcome: 'current' }
      return { next: resealKeepingTimes(opened.plain, key, keys.ring, sameSettingsAs(stored), opened) }
    },
  }
  await withRedis(o, (redis) => run(plan, o, redis))
}

const PLAINTEXT_TRUST =
  'migrate --plaintext trusts every plaintext JSON record in Redis: each is sealed as an authentic session, ' +
  'and whoever could write to Redis could have planted one (an admin session, say). Convert them only if ' +
  'nobody but the app could write to this Redis; then run again with --plaintext --trust-plaintext. ' +
  'Otherwise let plaintext sessions expire (users sign in again).'

/** Seals connect-redis and connect-redis-crypto records in place; records already sealed are left alone. */
export async function migrate(o: MigrateOptions): Promise<void> {
  const kruptein = legacySettings(o)
  if (!o.plaintext && !kruptein) {
    throw new CliError('nothing to migrate: pass --plaintext (connect-redis records) and/or set LEGACY_SECRET / --legacy-secret-file (connect-redis-crypto)', EXIT.usage)
  }
  checkAgeOptions(o)
  if (o.plaintext && !o.trustPlaintext) throw new CliError(PLAINTEXT_TRUST, EXIT.usage)
  if (o.plaintext) note('migrate: --trust-plaintext given: every plaintext JSON record under the prefix is sealed as an authentic session')
  const scheme = schemeFor(choose<CipherName>('--algorithm', o.algorithm, CIPHERS), choose<HashName>('--hashing', o.hashing, HASHES))
  const settings: SealSettings = { scheme, encoding: choose('--encodeas', o.encodeas, ENCODINGS), compression: undefined }
  const keys = await requireKeys(o)
  const reader = new LegacyReader({ plaintext: o.plaintext === true, kruptein, keyCache: 0, ...OPERATOR_RUN }, MAX_BYTES)
  const plan: Plan = {
    name: 'migrate',
    async decide(key, stored) {
      if (!reader.recognizes(stored)) {
        if (!encodingOf(stored)) return { outcome: 'other-format' }
        const opened = o.maxSealAge === undefined ? undefined : open(stored, key, keys.ring, MAX_BYTES)
        return opened?.ok && isExpired(opened.sealedAt, o.maxSealAge) ? expired(o) : { outcome: 'current' }
      }
      const opened = await reader.open(stored)
      if (!opened.ok) return opened.reason === 'version' ? { outcome: 'other-format' } : { outcome: 'unreadable', reason: opened.reason }
      // A legacy record carries no seal time: it is sealed as of now (docs/MIGRATION.md).
      return { next: resealKeepingTimes(Buffer.from(opened.text, 'utf8'), key, keys.ring, settings, {}) }
    },
  }
  await withRedis(o, (redis) => run(plan, o, redis))
}
