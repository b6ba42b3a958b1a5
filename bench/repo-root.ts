import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root directory, without a trailing slash (profile-breakdown.ts appends `/src/` to it). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
