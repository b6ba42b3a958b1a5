import { open } from '../codec/open.js'
import type { OpenFailureReason } from '../codec/opened.js'
import { LegacyReader, OPERATOR_RUN } from '../legacy/legacy-reader.js'
import { CliError, EXIT } from './cli-error.js'
import { keyStatus, legacySettings, MAX_BYTES, out, requireKeys, withRedis, type CommonOptions, type LegacyCliOptions } from './context.js'
import { describeRecord, type SealedHeader } from './record-info.js'

export interface InspectOptions extends CommonOptions, LegacyCliOptions {
  headerOnly?: boolean
  json?: boolean
}

const HINTS: Partial<Record<OpenFailureReason, string>> = {
  key: 'it was sealed with a key that is not in the secret list (wrong or dropped secret)',
  tag: 'it was altered, copied from another session id, or the secret is wrong',
  version: 'it is in a format this version does not read',
}

function parseSession(text: string, id: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new CliError(`session "${id}" opened but is not JSON (a custom serializer?)`)
  }
}

function printHeader(header: SealedHeader, status: string | undefined): void {
  out(`format:     sealed v${header.version}`)
  out(`algorithm:  ${header.algorithm}`)
  out(`key id:     ${header.keyId}${status ? ` (${status})` : ''}`)
  out(`flags:      0x${header.flags.toString(16).padStart(2, '0')} (compression: ${header.compression})`)
  out(`sealed at:  ${header.sealedAt}`)
  out(`encoding:   ${header.encoding}`)
}

/** Prints one session's envelope header and, unless `--header-only`, its JSON. */
export async function inspect(id: string, o: InspectOptions): Promise<void> {
  const key = o.prefix + id
  const keys = o.headerOnly ? undefined : await requireKeys(o)
  await withRedis(o, async (redis) => {
    const [value, ttlMs] = await Promise.all([
      redis.get(key).catch((error: Error) => {
        throw new CliError(`${key} cannot be read as a session: ${error.message}`)
      }),
      redis.pttl(key),
    ])
    if (!value) throw new CliError(`no session "${id}": the key ${key} does not exist`)
    const info = describeRecord(value)
    const report: Record<string, unknown> = { key, bytes: value.length, ttlMs: ttlMs < 0 ? null : ttlMs, format: info.format }
    if (info.format === 'unknown') throw new CliError(`${key} does not hold a session record this tool knows (${info.why})`)
    if (!o.json) out(`key:        ${key}`)
    let text: string | undefined
    if (info.format === 'sealed') {
      const status = keys && keyStatus(keys, info.header.keyId)
      Object.assign(report, { header: info.header, keyStatus: status ?? null })
      if (!o.json) printHeader(info.header, status)
      if (keys) {
        const opened = open(value, key, keys.ring, MAX_BYTES)
        if (!opened.ok) throw new CliError(`${key} does not open (${opened.reason}): ${HINTS[opened.reason] ?? 'the record is damaged'}`)
        text = opened.plain.toString('utf8')
      }
    } else {
      report.kind = info.kind
      if (!o.json) out(`format:     legacy (${info.kind === 'plaintext' ? 'connect-redis plaintext JSON' : 'connect-redis-crypto 4.x'})`)
      if (!o.headerOnly) {
        const kruptein = legacySettings(o)
        if (info.kind === 'connect-redis-crypto' && !kruptein) {
          throw new CliError('a connect-redis-crypto record: set LEGACY_SECRET or use --legacy-secret-file to open it', EXIT.usage)
        }
        const opened = await new LegacyReader({ plaintext: true, kruptein, keyCache: 0, ...OPERATOR_RUN }, MAX_BYTES).open(value)
        if (!opened.ok) throw new CliError(`${key} does not open (${opened.reason}): wrong LEGACY_SECRET or --legacy-* settings, or an altered record`)
        text = opened.text
      }
    }
    if (!o.json) {
      out(`size:       ${value.length} bytes`)
      out(`ttl:        ${ttlMs < 0 ? 'none' : `${Math.round(ttlMs / 1000)} s`}`)
    }
    if (text !== undefined) report.session = parseSession(text, id)
    if (o.json) out(JSON.stringify(report, null, 2))
    else if (text !== undefined) out(`session:\n${JSON.stringify(report.session, null, 2)}`)
  })
}
