import { readFileSync } from 'node:fs'
import { CliError, EXIT, redactUrl } from './cli-error.js'

/** Flags that would put a secret on the command line, where `ps` and shell history can see it. */
const ARGV_SECRET = /^--?(legacy-?)?(secret|password|pass|key)(=|$)/i

/** Refuses a command line that tries to pass a secret as an argument. */
export function refuseSecretsOnArgv(argv: readonly string[]): void {
  const offending = argv.find((arg) => ARGV_SECRET.test(arg))
  if (offending) {
    const flag = offending.split('=')[0]
    throw new CliError(
      `${flag}: secrets are never taken from the command line (they would show in ps and shell history). ` +
        'Set SESSION_STORE_SECRET (LEGACY_SECRET for connect-redis-crypto) or use --secret-file / --legacy-secret-file.',
      EXIT.usage,
    )
  }
}

/** True when a Redis URL carries a password, in the userinfo or as a `password` query parameter. */
function hasPassword(url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.password !== '' || parsed.searchParams.has('password')
  } catch {
    return /:[^/@]*@/.test(url)
  }
}

/** Refuses `--url` with a password: it would show in `ps` and shell history; REDIS_URL is the place. */
export function refusePasswordInUrl(argv: readonly string[]): void {
  argv.forEach((arg, i) => {
    const url = arg.startsWith('--url=') ? arg.slice('--url='.length) : arg === '--url' ? argv[i + 1] : undefined
    if (url === undefined || !hasPassword(url)) return
    throw new CliError(
      `--url ${redactUrl(url)}: the URL carries a password, which would show in ps and shell history. ` +
        "Pass it through the environment instead: REDIS_URL='redis://user:password@host:port' (and no --url).",
      EXIT.usage,
    )
  })
}

/**
 * A list of secrets, newest first: a JSON array of strings, or entries separated by commas or
 * newlines (surrounding whitespace dropped).
 */
export function parseSecretList(text: string, source: string): string[] {
  const trimmed = text.trim()
  let list: unknown
  if (trimmed.startsWith('[')) {
    try {
      list = JSON.parse(trimmed)
    } catch {
      throw new CliError(`${source} starts with "[" but is not a JSON array`, EXIT.usage)
    }
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && s.length > 0)) {
      throw new CliError(`${source} must be a JSON array of non-empty strings`, EXIT.usage)
    }
  } else {
    list = trimmed.split(/[,\n]/).map((s) => s.trim()).filter((s) => s.length > 0)
  }
  const secrets = list as string[]
  if (secrets.length === 0) throw new CliError(`${source} holds no secret`, EXIT.usage)
  return secrets
}

function readSecretFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new CliError(`cannot read the secret file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, EXIT.usage)
  }
}

/** The store's secrets from `--secret-file`, else the environment variable `envName`; undefined when neither is set. */
export function storeSecrets(file: string | undefined, envName: string): string[] | undefined {
  if (file !== undefined) return parseSecretList(readSecretFile(file), `--secret-file ${file}`)
  const value = process.env[envName]
  if (value === undefined || value.trim() === '') return undefined
  return parseSecretList(value, `$${envName}`)
}

/** Like {@link storeSecrets}, but a missing secret is a usage error. */
export function requireStoreSecrets(file: string | undefined, envName: string): string[] {
  const secrets = storeSecrets(file, envName)
  if (!secrets) {
    // Many apps name express-session's cookie secret SESSION_SECRET: never take it for the store's.
    const other = envName !== 'SESSION_SECRET' && process.env.SESSION_SECRET ? ' (SESSION_SECRET is set but not read: it is often the cookie secret; use --secret-env SESSION_SECRET if it really holds the store\'s)' : ''
    throw new CliError(`no secret: set ${envName} (comma-separated or a JSON array, newest first) or use --secret-file <path>${other}`, EXIT.usage)
  }
  return secrets
}

/** connect-redis-crypto's single secret from `--legacy-secret-file` or LEGACY_SECRET, whole (no splitting). */
export function legacySecret(file: string | undefined): string | undefined {
  const value = file !== undefined ? readSecretFile(file).replace(/\r?\n$/, '') : process.env.LEGACY_SECRET
  if (value === undefined || value === '') return undefined
  return value
}
