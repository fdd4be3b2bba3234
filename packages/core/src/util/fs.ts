import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { NAME_MAX_BYTES, truncateUtf8, utf8Length } from './names.js';

/**
 * A hidden temporary name beside `path` in the same folder (so a rename is atomic), keeping the
 * extension so tools that guess formats from names (ffmpeg) still work. The name part is cut when
 * the temporary name would pass the 255-byte name limit that `path` itself fits.
 */
export function tempPathFor(path: string): string {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot) : '';
  const tail = `.${randomBytes(4).toString('hex')}.partial${ext}`;
  return join(dirname(path), `.${truncateUtf8(name, NAME_MAX_BYTES - 1 - utf8Length(tail))}${tail}`);
}

/**
 * Produces `path` atomically: `produce` writes to a temporary name which is renamed to `path`
 * only when it succeeds, and removed when it fails. Readers never see a half-written file.
 */
export async function writeAtomic(path: string, produce: (tempPath: string) => Promise<void>): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await produce(temp);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true, recursive: true });
    throw error;
  }
}

/**
 * Writes a text or binary file atomically (temporary name, then rename), with `mode` set before
 * the rename so the file is never visible with looser permissions.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  await writeAtomic(path, (temp) => writeFile(temp, data, mode === undefined ? undefined : { mode }));
}
