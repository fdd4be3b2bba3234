import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file atomically (a hidden temporary name beside it, then a rename), so OBS or the
 * user never sees a half-written config file. Core's equivalent is internal to
 * `@framewright/core`; this one also sets the file mode before the rename.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o644): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    await writeFile(temp, data, { mode });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
