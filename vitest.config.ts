import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const core = (p: string) => fileURLToPath(new URL(`./packages/core/src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against sources, not dist, so a change is tested without a rebuild.
    alias: [
      { find: /^@framewright\/core\/protocol$/, replacement: core('protocol/index.ts') },
      { find: /^@framewright\/core\/client$/, replacement: core('client/index.ts') },
      { find: /^@framewright\/core\/host$/, replacement: core('host/index.ts') },
      { find: /^@framewright\/core\/train$/, replacement: core('train-entry.ts') },
      { find: /^@framewright\/core\/cluster$/, replacement: core('cluster-entry.ts') },
      { find: /^@framewright\/core$/, replacement: core('index.ts') },
      { find: /^@framewright\/obs-plugin$/, replacement: fileURLToPath(new URL('./packages/obs-plugin/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
