import { defineConfig } from 'tsup'

/**
 * `import.meta.url` in the CommonJS build. tsup's own shim builds it as `file:${__filename}`,
 * which breaks for install paths containing `#` or `%` (the worker and `redis` are then looked
 * up in the wrong folder), so the CJS files get a correctly encoded URL instead.
 */
const CJS_IMPORT_META_URL = '__cjsImportMetaUrl'

export default defineConfig({
  entry: { index: 'src/index.ts', 'seal-worker': 'workers/seal-worker.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
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
  sourcemap: true,
  clean: true,
  external: ['redis', 'express-session', 'piscina'],
})
