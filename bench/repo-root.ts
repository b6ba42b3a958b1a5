import { fileURLToPath } from 'node:url'

/** The repository's root directory, for the bench's output paths. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))
