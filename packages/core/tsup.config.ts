import { defineConfig } from 'tsup';
import { nodeBuild, quiet } from '../../tsup.base.js';

export default defineConfig([
  {
    // Node entry points: the engine API, the helpers host adapters share, the model code, and the
    // CLI (which gets no declarations), and the job process a cluster worker forks. The CommonJS build needs import.meta.url (createRequire,
    // shipped model files) shimmed, as nodeBuild does.
    ...nodeBuild({ index: 'src/index.ts', 'host/index': 'src/host/index.ts', 'train/index': 'src/train-entry.ts', 'cluster/index': 'src/cluster-entry.ts', 'cli/main': 'src/cli/main.ts', 'cluster/job-child': 'src/cluster/job-child.ts' }),
    dts: { entry: { index: 'src/index.ts', 'host/index': 'src/host/index.ts', 'train/index': 'src/train-entry.ts', 'cluster/index': 'src/cluster-entry.ts' }, compilerOptions: { composite: false } },
    clean: false,
  },
  {
    // Universal entry points: no Node built-ins may be pulled in (a test checks the bundle).
    entry: { 'protocol/index': 'src/protocol/index.ts', 'client/index': 'src/client/index.ts' },
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { composite: false } },
    platform: 'neutral',
    target: 'es2022',
    sourcemap: true,
    clean: false,
    outDir: 'dist',
    noExternal: [/.*/],
    silent: quiet,
  },
]);
