// Files through the server, for clients on machines that do not share its folders (a remote
// editor of a cluster): upload an input into the output root and name it in a job, download an
// output. A cluster worker without the shared folder (`worker --files-from`) downloads a job's
// inputs the same way and puts its outputs in place with `PUT /v1/files?path=`. All of it is
// confined to the output root and needs the token like every route.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, lstat, mkdir, realpath, rename, rm, rmdir, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FramewrightError } from '../protocol/index.js';
import { prepareOutputDir, resolveOutputDir } from '../engine/index.js';
import { byteCounter, tempPathFor, writeAtomic } from '../util/fs.js';
import { isWithin, NAME_MAX_BYTES, pathProblem, shortPath } from '../util/names.js';
import { fileIdentity } from '../util/outputs.js';
import { InvalidRequest } from './errors.js';

/** Default of the largest upload: 8 GiB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 8 * 2 ** 30;

/** Folder of uploads, inside the output root: each upload gets a folder of its own. */
const UPLOADS = 'uploads';

/** A file name an upload may have: one name, no separators or NUL, not hidden, not an option. */
function checkName(name: string): void {
  if (name.length === 0 || /[/\\\0]/.test(name) || name.startsWith('.') || name.startsWith('-') || Buffer.byteLength(name) > NAME_MAX_BYTES) {
    throw new FramewrightError('INVALID_PARAMS', `upload name ${JSON.stringify(name)} must be one file name (no / or \\, not starting with . or -, at most ${NAME_MAX_BYTES} bytes)`);
  }
}

/**
 * `PUT /v1/files/<name>`: stores the request body as `<outputRoot>/uploads/<random>/<name>`
 * (written under a temporary name, renamed once complete) and answers `201 { path, bytes }`.
 */
export async function receiveUpload(req: IncomingMessage, res: ServerResponse, outputRoot: string, name: string, maxBytes: number, send: (status: number, body: unknown) => void): Promise<void> {
  checkName(name);
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new InvalidRequest(`the upload is larger than ${maxBytes} bytes`, { http: 413 });
  const dir = join(outputRoot, UPLOADS, randomUUID());
  const path = join(dir, name);
  await mkdir(dir, { recursive: true });
  const limit = byteLimit(maxBytes);
  try {
    await writeAtomic(path, (temp) => pipeline(req, limit, createWriteStream(temp, { mode: 0o600 })));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (res.destroyed) return;
    throw error;
  }
  send(201, { path, bytes: limit.bytes });
}

/** Counts an upload's bytes; past `maxBytes` it fails with 413. */
function byteLimit(maxBytes: number): Transform & { bytes: number } {
  return byteCounter({ maxBytes, error: () => new InvalidRequest(`the upload is larger than ${maxBytes} bytes`, { http: 413 }) });
}

/**
 * The `?path=` of a `/v1/files` request that names a place in the output root, and the rest of
 * its query: absolute, no NUL, no `.` or `..` part (refused rather than resolved: a worker sends
 * paths it computed, so one with `..` is hostile or broken).
 */
function placePath(req: IncomingMessage): { path: string; query: URLSearchParams } {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const requested = query.get('path');
  if (requested === null || requested === '' || !isAbsolute(requested)) throw new FramewrightError('INVALID_PARAMS', `${req.method ?? 'PUT'} /v1/files needs ?path= with an absolute path inside the output root`);
  const problem = pathProblem(requested);
  if (problem !== undefined) throw new FramewrightError('INVALID_PARAMS', `path ${problem}`);
  if (requested.split(/[\\/]/).some((part) => part === '..' || part === '.')) throw new FramewrightError('INVALID_PARAMS', `path ${shortPath(requested)} must not contain . or .. parts`);
  return { path: requested, query };
}

/** What `PUT /v1/files?path=` answers: the file put in place, its size and identity, the folders it created. */
export interface PlacedFile {
  /** Where it is now. */
  readonly path: string;
  /** Its size. */
  readonly bytes: number;
  /** `device:inode` of it, which `DELETE /v1/files?path=&id=` must name. */
  readonly id: string;
  /** Folders created for it, outermost first (empty ones go with `DELETE /v1/files?path=<folder>`). */
  readonly dirs: string[];
}

/**
 * `PUT /v1/files?path=<absolute path>[&overwrite=1]`: puts the request body at `path`, which must
 * lie inside the output root after symlinks are resolved (a cluster worker without the shared
 * folder sends a job's outputs back this way). It needs a `Content-Length` of at most `maxBytes`;
 * the body goes to a temporary name beside `path` and is put in place only once complete with that
 * byte count; an existing file is refused (`OUTPUT_EXISTS`) unless `overwrite=1`. Answers
 * `201 {@link PlacedFile}`; on any failure nothing of it is left.
 */
export async function receiveOutput(req: IncomingMessage, outputRoot: string, maxBytes: number, send: (status: number, body: PlacedFile) => void): Promise<void> {
  const { path, query } = placePath(req);
  const overwrite = query.get('overwrite') === '1';
  const header = req.headers['content-length'];
  const declared = header === undefined ? Number.NaN : Number(header);
  if (!Number.isSafeInteger(declared) || declared < 0) throw new InvalidRequest('PUT /v1/files?path= needs a Content-Length (the byte count the file must have)', { http: 411 });
  if (declared > maxBytes) throw new InvalidRequest(`the upload is larger than ${maxBytes} bytes`, { http: 413 });
  const dir = dirname(path);
  // Checked before anything is created; prepareOutputDir checks again once the folders exist.
  const { dir: resolved } = await resolveOutputDir({ requested: dir, root: outputRoot });
  const created: string[] = [];
  for (let d = resolved; !(await lstat(d).then(() => true, () => false)); d = dirname(d)) created.unshift(d);
  const target = join(resolved, basename(path));
  const temp = tempPathFor(target);
  try {
    await prepareOutputDir({ requested: dir, root: outputRoot });
    const existing = await lstat(target).catch(() => undefined);
    if (existing !== undefined && !existing.isFile()) throw new FramewrightError('OUTPUT_NOT_ALLOWED', `${shortPath(path)} is not a plain file; nothing replaces it`);
    if (existing !== undefined && !overwrite) throw new FramewrightError('OUTPUT_EXISTS', `${shortPath(path)} exists (the job did not ask to overwrite)`);
    const limit = byteLimit(maxBytes);
    await pipeline(req, limit, createWriteStream(temp, { flags: 'wx' }));
    if (limit.bytes !== declared) throw new FramewrightError('INVALID_REQUEST', `the body of ${shortPath(path)} had ${limit.bytes} bytes, its Content-Length ${declared}`);
    if (overwrite) await rename(temp, target);
    else {
      // link refuses an existing name atomically: a file that appeared meanwhile is not replaced.
      await link(temp, target).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'EEXIST' ? new FramewrightError('OUTPUT_EXISTS', `${shortPath(path)} exists (the job did not ask to overwrite)`) : error;
      });
      await rm(temp, { force: true });
    }
  } catch (error) {
    await rm(temp, { force: true });
    for (const d of [...created].reverse()) await rmdir(d).catch(() => undefined);
    throw error;
  }
  send(201, { path: target, bytes: declared, id: (await fileIdentity(target)) ?? '', dirs: created });
}

/**
 * `DELETE /v1/files?path=<absolute path>&id=<device:inode>`: removes a file a `PUT /v1/files?path=`
 * put there, only while it is still that file (same identity); with a folder's path and no id,
 * removes the folder when it is empty. Inside the output root only (after symlinks); answers
 * `200 {"removed": boolean}`.
 */
export async function removeOutput(req: IncomingMessage, outputRoot: string, send: (status: number, body: { removed: boolean }) => void): Promise<void> {
  const { path, query } = placePath(req);
  const id = query.get('id');
  const realRoot = await realpath(outputRoot);
  const realDir = await realpath(dirname(path)).catch(() => undefined);
  if (realDir === undefined) {
    send(200, { removed: false });
    return;
  }
  const target = join(realDir, basename(path));
  if (!isWithin(realRoot, realDir) || target === realRoot || !isWithin(realRoot, target)) throw new FramewrightError('OUTPUT_NOT_ALLOWED', `${shortPath(path)} is not inside the output root`);
  const info = await lstat(target).catch(() => undefined);
  let removed = false;
  if (info?.isDirectory() === true && id === null) removed = await rmdir(target).then(() => true, () => false);
  else if (info?.isFile() === true && id !== null && (await fileIdentity(target)) === id) {
    await rm(target, { force: true });
    removed = true;
  }
  send(200, { removed });
}

/**
 * `GET /v1/files?path=<absolute path>`: streams a file that lies inside the output root (after
 * resolving symlinks): a job's output, or an upload.
 */
export async function sendDownload(req: IncomingMessage, res: ServerResponse, outputRoot: string, headers: Record<string, string>): Promise<void> {
  const requested = new URL(req.url ?? '/', 'http://localhost').searchParams.get('path');
  if (requested === null || !isAbsolute(requested)) throw new FramewrightError('INVALID_PARAMS', 'GET /v1/files needs ?path= with an absolute path inside the output root');
  let real: string;
  try {
    real = await realpath(requested);
  } catch {
    throw new FramewrightError('INPUT_NOT_FOUND', `no file ${requested}`);
  }
  const rel = relative(await realpath(outputRoot), real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new FramewrightError('OUTPUT_NOT_ALLOWED', `${requested} is not inside the output root; only files there can be downloaded`);
  const info = await stat(real);
  if (!info.isFile()) throw new FramewrightError('INPUT_NOT_FOUND', `${requested} is not a file`);
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(info.size),
    'content-disposition': `attachment; filename="${basename(real).replace(/[^\x20-\x7e]|"/g, '_')}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  await pipeline(createReadStream(real), res);
}
