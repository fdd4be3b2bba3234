// Writes docs/protocol.md from the published JSON Schemas (`npm run docs:protocol`).
// test/docs-protocol.test.ts fails when the committed file is out of sync.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderProtocolDocs } from './protocol-docs.js';

const core = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(core, '..', '..', 'docs', 'protocol.md');
writeFileSync(target, renderProtocolDocs(join(core, 'src')));
console.log(`wrote ${target}`);
