// Files through the server, for clients on machines that do not share its folders (a remote
// editor of a cluster): upload an input into the output root and name it in a job, download an
// output. Both are confined to the output root and need the token like every route.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, realpath, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, isAbsolute, join, relative } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FramewrightError } from '../protocol/index.js';
import { writeAtomic } from '../util/fs.js';
import { NAME_MAX_BYTES } from '../util/names.js';
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
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(bytes > maxBytes ? new InvalidRequest(`the upload is larger than ${maxBytes} bytes`, { http: 413 }) : null, chunk);
    },
  });
  try {
    await writeAtomic(path, (temp) => pipeline(req, limit, createWriteStream(temp, { mode: 0o600 })));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (res.destroyed) return;
    throw error;
  }
  send(201, { path, bytes });
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
