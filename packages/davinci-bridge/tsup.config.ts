import { defineConfig } from 'tsup';
import { nodeBuild } from '../../tsup.base.js';

// import.meta.url (which locates the shipped scripts) also works in the CommonJS build: nodeBuild shims it.
export default defineConfig(nodeBuild({ index: 'src/index.ts' }));
