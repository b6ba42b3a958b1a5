import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', 'seal-worker': 'workers/seal-worker.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  platform: 'node',
  target: 'node20',
  shims: true,
  // Node 20 knows every 'node:' specifier; keep them as written.
  removeNodeProtocol: false,
  splitting: false,
  sourcemap: true,
  clean: true,
  external: ['redis', 'express-session', 'piscina'],
})
