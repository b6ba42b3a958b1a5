import { randomBytes } from 'node:crypto'
import { note, out } from './context.js'

/** Prints a fresh secret (32 random bytes, base64url) on stdout and how to use it on stderr. */
export function keygen(): void {
  out(randomBytes(32).toString('base64url'))
  note(
    [
      '',
      'A fresh secret (32 random bytes, base64url). Keep it out of the repository and logs.',
      'Use it:    SESSION_STORE_SECRET=<it>   and in the app: secret: process.env.SESSION_STORE_SECRET',
      'Rotate:    SESSION_STORE_SECRET=<new>,<old>   and in the app: secret: process.env.SESSION_STORE_SECRET.split(",")',
      '           (the first seals, all open), then npx connect-redis-sealed rekey, and drop <old> once it reports nothing left.',
    ].join('\n'),
  )
}
