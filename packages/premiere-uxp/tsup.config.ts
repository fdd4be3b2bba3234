import { defineConfig } from 'tsup';

// The Node entry (CLI, packaging, manifest, host actions). The panel bundle for UXP is built by
// scripts/build-plugin.ts into dist/plugin.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { composite: false } },
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  shims: true,
  outDir: 'dist',
});
