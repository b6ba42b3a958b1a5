#!/usr/bin/env node
/**
 * npx connect-redis-sealed <command>: keygen, inspect, rekey, migrate, stats, sessions, revoke.
 * Secrets come from the environment or a file, never from argv. Exit codes: see EXIT.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { SealedOptionsError } from '../errors.js'
import { CliError, EXIT } from './cli-error.js'
import { migrate, rekey, type ConvertOptions, type MigrateOptions } from './convert.js'
import { inspect, type InspectOptions } from './inspect.js'
import { keygen } from './keygen.js'
import { refusePasswordInUrl, refuseSecretsOnArgv } from './secret-source.js'
import { stats, type StatsOptions } from './stats.js'
import { revoke, sessions, type RevokeOptions, type SessionsOptions } from './users.js'

const ENVIRONMENT = `
Environment:
  REDIS_URL        Redis to use when --url is not given (a URL with a password goes here, not in --url)
  SESSION_STORE_SECRET  the store's secrets, newest first: comma-separated or a JSON array
                   (the only variable read for them, unless --secret-env names another)
  LEGACY_SECRET    connect-redis-crypto's secret (migrate, inspect)

Secrets are never accepted as arguments. Exit codes: 0 done, 1 failed, 2 bad usage, 130 interrupted.`

function positiveInteger(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer')
  return n
}

function redisCommand(program: Command, name: string, summary: string): Command {
  return program
    .command(name)
    .description(summary)
    .option('--url <url>', 'Redis URL (default: $REDIS_URL)')
    .option('--prefix <prefix>', 'key prefix of the sessions', 'sess:')
    .option('--key-salt <salt>', "the store's keySalt option (default: the prefix)")
    .option('--secret-file <path>', 'read the secrets from this file instead of the environment')
    .option('--secret-env <name>', 'environment variable holding the secrets', 'SESSION_STORE_SECRET')
    .option('--secret-encoding <how>', 'passphrase (the app passes the strings), or base64url/base64/hex when the app decodes each to a 32-byte Buffer', 'passphrase')
    .addHelpText('after', ENVIRONMENT)
}

function legacyOptions(command: Command): Command {
  return command
    .option('--legacy-secret-file <path>', "read connect-redis-crypto's secret from this file (default: $LEGACY_SECRET)")
    .addOption(new Option('--legacy-algorithm <name>', "connect-redis-crypto's algorithm").default('aes-256-gcm'))
    .addOption(new Option('--legacy-hashing <name>', "connect-redis-crypto's hashing").default('sha512'))
    .addOption(new Option('--legacy-encodeas <name>', "connect-redis-crypto's encodeas").default('binary'))
}

function batchOptions(command: Command): Command {
  return command
    .option('--batch <n>', 'SCAN COUNT per round trip', positiveInteger, 100)
    .option('--max-seal-age <seconds>', "delete records sealed longer ago than this (the store's maxSealAge); re-sealing keeps each record's seal time", positiveInteger)
    .option('--keep-expired', 'with --max-seal-age: count such records and leave them alone instead of deleting them')
    .option('--dry-run', 'count what would change, write nothing')
    .option('--no-progress', 'no progress bar (it only shows on a terminal)')
    .option('--json', 'print the summary as JSON')
}

export function buildProgram(): Command {
  const program = new Command('connect-redis-sealed')
    .description('Operate on sessions stored by connect-redis-sealed.')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', ENVIRONMENT)

  program
    .command('keygen')
    .description('print a fresh random secret (32 random bytes, base64url) and how to use it')
    .action(() => keygen())

  legacyOptions(redisCommand(program, 'inspect', 'open one session and print its envelope header and JSON (for debugging)'))
    .argument('<session-id>', 'the session id (without the prefix)')
    .option('--header-only', 'print the header only; needs no secret')
    .option('--json', 'print JSON')
    .action((id: string, o: InspectOptions) => inspect(id, o))

  batchOptions(redisCommand(program, 'rekey', 're-seal every session under the newest secret, keeping TTLs; safe to interrupt and re-run')).action(
    (o: ConvertOptions) => rekey(o),
  )

  batchOptions(legacyOptions(redisCommand(program, 'migrate', 'seal connect-redis / connect-redis-crypto records in place, keeping TTLs')))
    .option('--plaintext', 'convert plaintext JSON records (connect-redis); needs --trust-plaintext')
    .option('--trust-plaintext', 'confirm that every plaintext record in Redis may be sealed as authentic (nobody but the app could write to Redis)')
    .option('--algorithm <name>', 'cipher of the new records', 'aes-256-gcm')
    .option('--hashing <name>', 'HMAC hash for aes-256-cbc/ctr', 'sha512')
    .option('--encodeas <name>', 'binary, base64, base64url or hex', 'binary')
    .action((o: MigrateOptions) => migrate(o))

  redisCommand(program, 'stats', 'count sessions by format, key id, algorithm, encoding and size')
    .option('--batch <n>', 'SCAN COUNT per round trip', positiveInteger, 100)
    .option('--json', 'print JSON')
    .action((o: StatsOptions) => stats(o))

  redisCommand(program, 'sessions', "list a user's sessions (needs the app's userOf as --user-field)")
    .argument('<user>', 'the user id, as userOf returns it')
    .option('--user-field <path>', 'where the session holds the user id (dot path)', 'user.id')
    .option('--show', 'also print each session (its decrypted contents)')
    .option('--json', 'print JSON')
    .action((user: string, o: SessionsOptions) => sessions(user, o))

  redisCommand(program, 'revoke', "end a user's sessions")
    .argument('<user>', 'the user id, as userOf returns it')
    .option('--user-field <path>', 'where the session holds the user id (dot path)', 'user.id')
    .option('--except <sid...>', 'session ids to keep')
    .option('--destroy-guard <seconds>', "the app's destroyGuard, so that ended sessions stay dead", positiveInteger)
    .action((user: string, o: RevokeOptions) => revoke(user, o))

  return program
}

/** Runs the CLI and resolves with its exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    refuseSecretsOnArgv(argv.slice(2))
    refusePasswordInUrl(argv.slice(2))
    await buildProgram().parseAsync([...argv])
    return EXIT.ok
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage
    const known = error instanceof CliError ? error : error instanceof SealedOptionsError ? new CliError(error.message, EXIT.usage) : undefined
    process.stderr.write(`connect-redis-sealed: ${known ? known.message : `unexpected error: ${(error as Error).stack ?? String(error)}`}\n`)
    return known ? known.exitCode : EXIT.failed
  }
}

// A reader that stops early (`connect-redis-sealed --help | head -1`) closes the pipe: not a failure of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
})

main(process.argv).then((code) => {
  process.exitCode = code
})
