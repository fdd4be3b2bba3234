// A worker without the shared folder (`framewright worker --files-from http://SERVER:PORT`): before
// a job runs, each input its params name is downloaded from the server (`GET /v1/files?path=`) into
// a private staging folder of the job; the run writes into a staging output folder; then each
// output is sent back (`PUT /v1/files?path=`) to the path the client expects, and the result names
// the server's paths. Transfers stream and check byte counts; a failed or cancelled job takes back
// what it had put on the server; the staging folder goes whatever happens.
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join, posix, win32 } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FramewrightError, type ErrorCode, type OperationName } from '../protocol/index.js';
import { byteCounter } from '../util/fs.js';
import { isWithin, pathProblem, shortPath } from '../util/names.js';
import type { OutputRecord, PlacedOutput } from '../util/outputs.js';
import { paramPaths, PathMap } from './path-map.js';

/** Options of a worker that fetches a job's files from a server (`--files-from`). */
export interface FilesFromServer {
  /** The server, `http://HOST:PORT` (or `https://`), as `framewright serve` prints it. */
  readonly url: string;
  /** The server's bearer token (`FRAMEWRIGHT_TOKEN` or `--token-file`); never logged. */
  readonly token: string;
  /** Where job staging folders are made on this machine (default: a `framewright-worker` folder in the OS temp folder). */
  readonly stagingDir?: string;
}

/** A transfer that has not moved a byte this long fails. */
const IDLE_TIMEOUT_MS = 30_000;
/** Most bytes of a JSON answer read. */
const ANSWER_MAX_BYTES = 64 * 1024;
/** Prefix of a job's staging folder: `fw-job-<pid>-<random>`, so a later worker can remove a dead one's. */
const STAGE_PREFIX = 'fw-job-';

/**
 * Checks a `--files-from` URL: `http(s)://HOST:PORT` without credentials, path or query.
 * @throws FramewrightError `INVALID_PARAMS` naming what is wrong
 */
export function parseFilesFromUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FramewrightError('INVALID_PARAMS', `--files-from ${JSON.stringify(text)} is not a URL; give the server as http://HOST:PORT`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new FramewrightError('INVALID_PARAMS', `--files-from ${JSON.stringify(text)} must be http://HOST:PORT (or https://) with no path, query or credentials`);
  }
  return url;
}

/** Path functions for the server's paths, which follow the server's platform. */
function flavorOf(root: string): typeof posix {
  return posix.isAbsolute(root) ? posix : win32;
}

async function readAnswer(res: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > ANSWER_MAX_BYTES) break;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A refusal of the server in one line: its error code and message, or its HTTP status. */
async function refusal(res: IncomingMessage): Promise<{ code?: string; text: string }> {
  const body = (await readAnswer(res).catch(() => undefined)) as { error?: { code?: unknown; message?: unknown } } | undefined;
  const code = typeof body?.error?.code === 'string' ? body.error.code : undefined;
  const message = typeof body?.error?.message === 'string' ? body.error.message : undefined;
  if (res.statusCode === 401) return { code: 'UNAUTHORIZED', text: "the server refused this worker's token (HTTP 401; check FRAMEWRIGHT_TOKEN or --token-file)" };
  return { ...(code === undefined ? {} : { code }), text: message === undefined ? `HTTP ${res.statusCode ?? '?'}` : `${code ?? `HTTP ${res.statusCode ?? '?'}`}: ${message}` };
}

/** The network error of a failed request, in one line (never its headers, which carry the token). */
function reasonOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ?? (e instanceof Error ? e.message.split('\n')[0]! : String(error));
}

/** The server's file routes, as a worker uses them. */
export class FileServer {
  readonly #base: URL;
  readonly #token: string;

  constructor(options: FilesFromServer) {
    this.#base = parseFilesFromUrl(options.url);
    this.#token = options.token;
  }

  /** The server's address, for messages. */
  get origin(): string {
    return this.#base.origin;
  }

  #request(method: string, query: Record<string, string>, signal: AbortSignal | undefined, headers: Record<string, string> = {}) {
    const url = new URL('/v1/files', this.#base);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const options: RequestOptions = {
      method,
      headers: { authorization: `Bearer ${this.#token}`, ...headers },
      // One connection per transfer: a cut one never poisons the next.
      agent: false,
      ...(signal === undefined ? {} : { signal }),
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options);
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new Error(`no data for ${IDLE_TIMEOUT_MS / 1000} s`)));
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
    });
    return { req, response };
  }

  /**
   * Streams the server's file `remote` to `local` (which must not exist) and checks its byte count.
   * @returns the bytes received
   * @throws FramewrightError `INPUT_NOT_FOUND` for a file the server does not have or refuses,
   *   `INPUT_UNREADABLE` when the transfer fails or ends short
   */
  async download(remote: string, local: string, signal?: AbortSignal): Promise<number> {
    const fail = (code: ErrorCode, why: string) => new FramewrightError(code, `cannot download ${shortPath(remote)} from ${this.origin}: ${why}`);
    const { req, response } = this.#request('GET', { path: remote }, signal);
    req.end();
    let res: IncomingMessage;
    try {
      res = await response;
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      throw fail('INPUT_UNREADABLE', reasonOf(error));
    }
    if (res.statusCode !== 200) {
      const { code, text } = await refusal(res);
      throw fail(code === 'INPUT_NOT_FOUND' || code === 'OUTPUT_NOT_ALLOWED' ? 'INPUT_NOT_FOUND' : 'INPUT_UNREADABLE', text);
    }
    const expected = Number(res.headers['content-length']);
    const count = byteCounter();
    try {
      await pipeline(res, count, createWriteStream(local, { flags: 'wx' }));
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      throw fail('INPUT_UNREADABLE', `the transfer broke off after ${count.bytes} bytes (${reasonOf(error)})`);
    }
    if (!Number.isSafeInteger(expected) || count.bytes !== expected) throw fail('INPUT_UNREADABLE', `received ${count.bytes} bytes of ${Number.isSafeInteger(expected) ? expected : 'an unknown count'}`);
    return count.bytes;
  }

  /**
   * Streams `local` to the server's `remote` path (`PUT /v1/files?path=`), which the server puts
   * in place only once complete with the byte count sent.
   * @throws FramewrightError `OUTPUT_EXISTS` / `OUTPUT_NOT_ALLOWED` as the server refuses, else `OUTPUT_FAILED`
   */
  async upload(local: string, remote: string, bytes: number, overwrite: boolean, signal?: AbortSignal): Promise<{ path: string; id: string; dirs: string[] }> {
    const fail = (code: ErrorCode, why: string) => new FramewrightError(code, `cannot send ${shortPath(remote)} to ${this.origin}: ${why}`);
    const { req, response } = this.#request('PUT', { path: remote, ...(overwrite ? { overwrite: '1' } : {}) }, signal, { 'content-type': 'application/octet-stream', 'content-length': String(bytes) });
    // The server may answer (a refusal) before it has read the body; its answer is what counts.
    const sent = pipeline(createReadStream(local), req).catch((error: unknown) => error);
    let res: IncomingMessage;
    try {
      res = await response;
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      throw fail('OUTPUT_FAILED', reasonOf(await sent ?? error));
    }
    if (res.statusCode !== 201) {
      const { code, text } = await refusal(res);
      // The server closes the connection after a refusal; stop reading the file now.
      req.destroy();
      throw fail(code === 'OUTPUT_EXISTS' || code === 'OUTPUT_NOT_ALLOWED' ? code : 'OUTPUT_FAILED', text);
    }
    await sent;
    const answer = (await readAnswer(res)) as { path?: unknown; bytes?: unknown; id?: unknown; dirs?: unknown } | undefined;
    if (typeof answer?.path !== 'string' || typeof answer.id !== 'string' || !Array.isArray(answer.dirs)) throw fail('OUTPUT_FAILED', 'the server answered without the path and identity of the file');
    const placed = { path: answer.path, id: answer.id, dirs: answer.dirs.filter((d): d is string => typeof d === 'string') };
    if (answer.bytes !== bytes) {
      await this.remove(placed.path, placed.id).catch(() => undefined);
      throw fail('OUTPUT_FAILED', `the server stored ${String(answer.bytes)} bytes of ${bytes}`);
    }
    return placed;
  }

  /** Removes a file this worker put on the server (only while it is still that file), or, without `id`, an empty folder. */
  async remove(path: string, id?: string): Promise<boolean> {
    const { req, response } = this.#request('DELETE', { path, ...(id === undefined ? {} : { id }) }, undefined);
    req.end();
    const res = await response;
    if (res.statusCode !== 200) throw new FramewrightError('OUTPUT_FAILED', `cannot remove ${shortPath(path)} on ${this.origin}: ${(await refusal(res)).text}`);
    return ((await readAnswer(res)) as { removed?: unknown } | undefined)?.removed === true;
  }

  /**
   * Takes back what a record says a job put on the server (files while they are still the job's,
   * then the folders created for them, once empty). Never throws.
   */
  async undo(record: OutputRecord): Promise<{ removed: string[]; failed: string[] }> {
    const report = { removed: [] as string[], failed: [] as string[] };
    for (const placed of [...record.placed].reverse()) {
      try {
        if (await this.remove(placed.path, placed.id)) report.removed.push(placed.path);
      } catch (error) {
        report.failed.push(`${placed.path} (${error instanceof FramewrightError ? error.message : reasonOf(error)})`);
      }
    }
    for (const dir of [...record.dirs].reverse()) await this.remove(dir).catch(() => undefined);
    return report;
  }
}

/** What a job needs of its record to be staged. */
export interface StagedJobSpec {
  readonly id: string;
  readonly op: OperationName;
  /** Its params, in the server's paths. */
  readonly params: unknown;
  /** The server's output root. */
  readonly outputRoot: string;
}

/** Removes staging folders of workers that are gone (a crash leaves them; `fw-job-<pid>-…`). */
export async function removeStaleStaging(stagingRoot: string): Promise<void> {
  const names = await readdir(stagingRoot).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(/^fw-job-(\d+)-/.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') await rm(join(stagingRoot, name), { recursive: true, force: true });
    }
  }
}

/**
 * One job's files on a worker without the shared folder: its inputs downloaded into a private
 * staging folder, a staging output folder for its run, and the map between those and the server's
 * paths. {@link StagedJob.remove} must follow whatever happens.
 */
export class StagedJob {
  /** What this job has put on the server so far, in the server's paths. */
  readonly sent: { dirs: string[]; placed: PlacedOutput[] } = { dirs: [], placed: [] };

  private constructor(
    readonly dir: string,
    readonly outputRoot: string,
    readonly paths: PathMap,
    readonly params: unknown,
  ) {}

  /**
   * Makes the staging folder and downloads every input. A path the job may not touch is refused
   * before anything moves: inputs must lie in the server's output root (the server serves nothing
   * else), and so must the output folder.
   * @throws FramewrightError `INPUT_NOT_FOUND`, `OUTPUT_NOT_ALLOWED`, `INVALID_PARAMS`, or a transfer's error
   */
  static async prepare(files: FileServer, stagingRoot: string, spec: StagedJobSpec, signal: AbortSignal): Promise<StagedJob> {
    const flavor = flavorOf(spec.outputRoot);
    const root = flavor.normalize(spec.outputRoot).replace(/[\\/]+$/, '') || flavor.sep;
    const inputs: string[] = [];
    for (const { key, path } of paramPaths(spec.op, spec.params)) {
      const problem = pathProblem(path);
      if (problem !== undefined) throw new FramewrightError('INVALID_PARAMS', `${key ?? 'a path'} ${problem}`);
      if (key === 'outputDir') {
        if (!isWithin(root, flavor.resolve(root, path), flavor)) throw new FramewrightError('OUTPUT_NOT_ALLOWED', `outputDir ${shortPath(path)} is outside the server's output root ${shortPath(root)}`);
        continue;
      }
      const normal = flavor.normalize(path);
      if (!flavor.isAbsolute(path) || !isWithin(root, normal, flavor) || normal === root) {
        throw new FramewrightError(
          'INPUT_NOT_FOUND',
          `${key ?? 'input'} ${shortPath(path)} is not in the server's output root ${shortPath(root)}, and a worker without a shared folder (--files-from) fetches only files there: upload it first (PUT /v1/files/<name>) and name the path that answers`,
        );
      }
      if (!inputs.includes(normal)) inputs.push(normal);
    }
    await mkdir(stagingRoot, { recursive: true, mode: 0o700 });
    const dir = await mkdtemp(join(stagingRoot, `${STAGE_PREFIX}${process.pid}-`));
    try {
      const outputRoot = join(dir, 'out');
      await mkdir(outputRoot);
      const mappings = [{ remote: root, local: outputRoot }];
      for (const [i, remote] of inputs.entries()) {
        // The input keeps its name: formats are guessed from it, and output names come from it.
        const name = flavor.basename(remote);
        const local = join(dir, 'in', String(i), name);
        await mkdir(join(dir, 'in', String(i)), { recursive: true });
        await files.download(remote, local, signal);
        mappings.push({ remote, local });
      }
      const paths = new PathMap(mappings);
      return new StagedJob(dir, outputRoot, paths, paths.paramsToLocal(spec.op, spec.params));
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Every file the run left in the staging output folder, in order; anything but files and folders fails. */
  async outputs(): Promise<Array<{ local: string; bytes: number }>> {
    const found: Array<{ local: string; bytes: number }> = [];
    const walk = async (folder: string): Promise<void> => {
      for (const name of (await readdir(folder)).sort()) {
        const path = join(folder, name);
        const info = await lstat(path);
        if (info.isDirectory()) await walk(path);
        else if (info.isFile()) found.push({ local: path, bytes: info.size });
        // A link could point anywhere on this machine: never sent.
        else throw new FramewrightError('OUTPUT_FAILED', `the run left ${name}, which is not a plain file, in its output folder; nothing was sent`);
      }
    };
    await walk(this.outputRoot);
    return found;
  }

  /**
   * Sends every output to the server's path for it; `onSent` stores what is on the server so far
   * (a worker that dies mid-way leaves a record another worker undoes). On a failure what was
   * already sent is taken back before the error is thrown.
   */
  async send(files: FileServer, overwrite: boolean, signal: AbortSignal, onSent: (record: OutputRecord) => Promise<void>): Promise<void> {
    try {
      for (const { local, bytes } of await this.outputs()) {
        const placed = await files.upload(local, this.paths.toRemote(local), bytes, overwrite, signal);
        this.sent.dirs.push(...placed.dirs);
        this.sent.placed.push({ path: placed.path, id: placed.id });
        await onSent(this.record());
      }
    } catch (error) {
      await files.undo(this.record());
      throw error;
    }
  }

  /** What is on the server, as an output record. */
  record(): OutputRecord {
    return { dirs: [...this.sent.dirs], temps: [], placed: [...this.sent.placed], aside: [] };
  }

  /** Removes the staging folder. */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
