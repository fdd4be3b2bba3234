import { randomBytes } from 'node:crypto';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { currentOutputStager } from './outputs.js';
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
 *
 * Inside an operation run (`withOutputStager`) a `path` in the run's output folder is
 * staged instead: its temporary name is recorded before it is written, an existing `path` is
 * refused unless the run may overwrite, and it is put in place only when the run commits.
 */
export async function writeAtomic(path: string, produce: (tempPath: string) => Promise<void>): Promise<void> {
  const stager = currentOutputStager(path);
  if (stager !== undefined) {
    await stager.stage(path, produce);
    return;
  }
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
 * the rename so the file is never visible with looser permissions. Staged like {@link writeAtomic}
 * inside an operation run.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
  await writeAtomic(path, (temp) => writeFile(temp, data, mode === undefined ? undefined : { mode }));
}

/** Flushes a folder's entries (a rename or a new name in it) to disk; a no-op where folders cannot be opened (Windows). */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file so that it survives a crash or a power cut once this resolves: the data goes to
 * a temporary name (created with `mode`), is flushed, renamed over `path`, and the folder is
 * flushed so the rename itself is on disk. Readers see the old file or the new one, never a mix.
 */
export async function writeFileDurable(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const temp = tempPathFor(path);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(dirname(path));
}

/**
 * A pass-through stream that counts the bytes going through it (`bytes`), and with `limit` fails
 * with `limit.error()` once more than `limit.maxBytes` have passed.
 */
export function byteCounter(limit?: { readonly maxBytes: number; readonly error: () => Error }): Transform & { bytes: number } {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counter.bytes += chunk.length;
      done(limit !== undefined && counter.bytes > limit.maxBytes ? limit.error() : null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}
