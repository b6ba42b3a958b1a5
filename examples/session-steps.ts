/** Small helpers around express-session that the example's routes share. */
import type { NextFunction, Request, Response } from 'express'

/** Sends a visitor without a login to the login page. */
export function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (req.session.account) return next()
  res.redirect(303, '/')
}

/** The logged-in user's name ('' for a visitor). */
export const userName = (req: Request): string => req.session.account?.name ?? ''

/** Promisified `req.session.regenerate`, `save` and `destroy`. */
export const sessionStep = (req: Request, step: 'regenerate' | 'save' | 'destroy'): Promise<void> =>
  new Promise((resolve, reject) => req.session[step]((error: unknown) => (error ? reject(error) : resolve())))

/** The session's size as JSON, the plaintext the store seals. */
export const sessionBytes = (req: Request): number => Buffer.byteLength(JSON.stringify(req.session), 'utf8')
