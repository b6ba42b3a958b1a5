/** Exit codes of the CLI. */
export const EXIT = {
  ok: 0,
  /** The command ran into something it could not do: Redis unreachable, no such session, record does not open. */
  failed: 1,
  /** The command line or the environment is wrong: unknown flag, missing or refused secret. */
  usage: 2,
  /** Interrupted (SIGINT) after finishing the batch in hand. */
  interrupted: 130,
} as const

/** An error the CLI reports as one line on stderr, with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** A Redis URL with any password replaced, fit for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***')
    return parsed.toString()
  } catch {
    return '(unparsable URL)'
  }
}
