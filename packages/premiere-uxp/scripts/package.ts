// Writes the .ccx of the built plugin: tsx scripts/package.ts [OUT_FILE]
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packCcx } from '../src/ccx.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version: string };
const out = resolve(process.argv[2] ?? join(packageDir, 'dist', `framewright-premiere-${version}.ccx`));
const entries = await packCcx(join(packageDir, 'dist', 'plugin'), out);
console.log(`wrote ${out} (${entries.length} files: ${entries.join(', ')})`);
