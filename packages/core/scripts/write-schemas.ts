// Regenerates packages/core/schemas/*.schema.json from the protocol's TypeBox definitions.
// `npm run schemas` writes them; the protocol test fails when they are out of sync.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishedSchemas } from '../src/protocol/index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) if (f.endsWith('.schema.json')) rmSync(join(dir, f));
const schemas = publishedSchemas();
for (const [name, schema] of Object.entries(schemas)) {
  writeFileSync(join(dir, `${name}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
}
console.log(`wrote ${Object.keys(schemas).length} schemas to ${dir}`);
