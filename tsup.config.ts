import { defineConfig } from 'tsup'

/**
 * `import.meta.url` in the CommonJS build. tsup's own shim builds it as `file:${__filename}`,
 * which breaks for install paths containing `#` or `%` (the worker and `redis` are then looked
 * up in the wrong folder), so the CJS files get a correctly encoded URL instead.
 */
const CJS_IMPORT_META_URL = '__cjsImportMetaUrl'

/**
 * The library (ESM + CJS, with types) and the CLI (ESM only: `bin` runs dist/cli.js). The CLI
 * bundles its own dependencies (commander, cli-progress), so `npm install connect-redis-sealed`
 * installs only what the store needs at run time. No source maps: they were 531 of 855 kB
 * unpacked and the code is not minified, so stack traces already point at readable lines.
 */
const shared = {
  platform: 'node',
  target: 'node20',
  shims: false,
  banner: ({ format }) =>
    format === 'cjs' ? { js: `'use strict';\nconst ${CJS_IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;` } : {},
  esbuildOptions(options, { format }) {
    if (format === 'cjs') options.define = { ...options.define, 'import.meta.url': CJS_IMPORT_META_URL }
  },
  // Node 20 knows every 'node:' specifier; keep them as written.
  removeNodeProtocol: false,
  splitting: false,
  sourcemap: false,
} as const

export default defineConfig([
  {
    ...shared,
    entry: { index: 'src/index.ts', 'seal-worker': 'workers/seal-worker.ts' },
    format: ['esm', 'cjs'],
    dts: { entry: { index: 'src/index.ts' } },
    clean: false,
    external: ['redis', 'express-session', 'piscina'],
  },
  {
    ...shared,
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    clean: false,
    external: ['redis', 'express-session', 'piscina'],
    noExternal: ['commander', 'cli-progress'],
    // The bundled CommonJS dependencies call require() for Node's built-ins.
    banner: { js: "import { createRequire as __cliCreateRequire } from 'node:module';\nconst require = __cliCreateRequire(import.meta.url);" },
  },
])
