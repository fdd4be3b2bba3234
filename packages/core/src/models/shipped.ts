import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Static, TSchema } from '@sinclair/typebox';
import { assertValid, FramewrightError } from '../protocol/index.js';

/**
 * Folder of a model shipped inside the `@framewright/core` package (`models/<name>`), found by
 * walking up from this module, which sits at different depths in src/ and dist/.
 * @param name - folder under `models/`, e.g. `builtin-image`
 * @param what - names the model in the error, e.g. `the built-in image model`
 * @throws FramewrightError `MODEL_NOT_FOUND`
 */
export function shippedModelDir(name: string, what: string): string {
  const folder = join('models', name);
  const url = typeof import.meta.url === 'string' ? import.meta.url : undefined;
  let dir = url === undefined ? (typeof __dirname === 'string' ? __dirname : process.cwd()) : dirname(fileURLToPath(url));
  for (let up = 0; up < 8; up++) {
    if (existsSync(join(dir, folder, 'model.json'))) return join(dir, folder);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new FramewrightError('MODEL_NOT_FOUND', `${what} (${folder}/model.json) is missing from the @framewright/core package`);
}

/**
 * Reads `model.json` of a model folder and checks it against `schema`.
 * @throws FramewrightError `MODEL_NOT_FOUND` (no file) or `MODEL_INVALID` (not JSON, or fails the schema)
 */
export async function readModelJson<T extends TSchema>(dir: string, schema: T): Promise<Static<T>> {
  const path = join(dir, 'model.json');
  let info: unknown;
  try {
    info = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new FramewrightError(missing ? 'MODEL_NOT_FOUND' : 'MODEL_INVALID', `${path}: ${missing ? 'not found' : (error as Error).message}`);
  }
  assertValid(schema, info, path, 'MODEL_INVALID');
  return info;
}
