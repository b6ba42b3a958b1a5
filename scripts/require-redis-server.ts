/**
 * `npm test`'s pretest: every test file starts its own redis-server, so without one the suite
 * would only fail test after test. Stop before any test runs, with the install hint once.
 */
import { findRedisServer, INSTALL_HINT } from './local-redis.js'

if (!findRedisServer()) {
  process.stderr.write(`npm test: ${INSTALL_HINT}\n`)
  process.exitCode = 1
}
