import { defineConfig } from 'tsup';
import { nodeBuild } from '../../tsup.base.js';

// The Node entry (CLI, packaging, manifest, host actions). The panel bundle for UXP is built by
// scripts/build-plugin.ts into dist/plugin.
export default defineConfig(nodeBuild({ index: 'src/index.ts' }));
