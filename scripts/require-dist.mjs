/**
 * `prepublishOnly`: refuses to publish a package whose built files are missing (`npm pack
 * --ignore-scripts` or a publish without the prepack build would ship no dist/).
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Every file path the manifest points at (main, module, types, bin, exports).
 * @param {{ main?: string, module?: string, types?: string, bin?: unknown, exports?: unknown }} manifest
 * @returns {string[]}
 */
function pointedAt(manifest) {
  /** @type {string[]} */
  const paths = []
  /** @param {unknown} value */
  const walk = (value) => {
    if (typeof value === 'string') paths.push(value)
    else if (value && typeof value === 'object') Object.values(value).forEach(walk)
  }
  walk([manifest.main, manifest.module, manifest.types, manifest.bin, manifest.exports])
  return [...new Set(paths.filter((path) => path.startsWith('./dist/') || path.startsWith('dist/')))]
}

const root = process.cwd()
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const missing = pointedAt(manifest).filter((path) => !existsSync(join(root, path)))
if (missing.length > 0) {
  process.stderr.write(`not publishing: ${missing.join(', ')} missing. Run \`npm run build\` first (or publish without --ignore-scripts).\n`)
  process.exitCode = 1
}
