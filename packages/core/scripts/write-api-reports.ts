// `npm run api:update`: rewrites the API report of every published entry point from the sources
// (see api-report.ts). Review the diff: every changed line is a change to the public API.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { apiReports } from './api-report.js';

for (const [path, text] of apiReports()) {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  console.log(`wrote ${relative(process.cwd(), path)}`);
}
