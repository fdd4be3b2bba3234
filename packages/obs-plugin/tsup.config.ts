import { copyFile, mkdir } from 'node:fs/promises';
import { defineConfig } from 'tsup';
import { nodeBuild, quiet } from '../../tsup.base.js';

export default defineConfig([
  // The Node entry: the adapter API and `framewright obs …` (import.meta.url, used to find the
  // dock folder, is shimmed in the CommonJS build).
  nodeBuild({ index: 'src/index.ts' }),
  {
    // The dock page for OBS's Custom Browser Docks: one browser bundle with the SDK client inside,
    // beside its HTML, served by `framewright serve` at /dock/.
    entry: { 'dock/dock': 'src/dock/dock.ts' },
    format: ['esm'],
    outExtension: () => ({ js: '.js' }),
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    clean: false,
    outDir: 'dist',
    noExternal: [/.*/],
    silent: quiet,
    minify: true,
    async onSuccess() {
      await mkdir('dist/dock', { recursive: true });
      await copyFile('src/dock/index.html', 'dist/dock/index.html');
    },
  },
]);
