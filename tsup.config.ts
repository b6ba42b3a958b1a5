import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', 'seal-worker': 'workers/seal-worker.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  platform: 'node',
  target: 'node20',
  shims: true,
  splitting: false,
  sourcemap: true,
  clean: true,
  external: ['redis', 'express-session', 'piscina'],
})
