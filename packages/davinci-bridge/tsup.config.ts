import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { composite: false } },
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // import.meta.url (which locates the shipped scripts) also works in the CommonJS build.
  shims: true,
  outDir: 'dist',
});
