// The Hugging Face Hub HTTP API as huggingface_hub speaks it (hf_api.model_info,
// file_download.get_hf_file_metadata / http_get): the file list of a revision, one file's
// metadata from the headers of its resolve URL, and a resumable, verified download.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { FramewrightError, oneLine } from '../protocol/errors.js';
import { sha256File } from './verify.js';

/** The public Hub, huggingface_hub's default `HF_ENDPOINT`. */
export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';

/** Where the Hub is and who asks, read from the environment as huggingface_hub reads it. */
export interface HubConfig {
  /** `HF_ENDPOINT` without a trailing slash (default {@link DEFAULT_HF_ENDPOINT}). */
  readonly endpoint: string;
  /** `HF_TOKEN` (or the older `HUGGING_FACE_HUB_TOKEN`), sent as a bearer token to the endpoint only. */
  readonly token?: string;
  /** `HF_HUB_OFFLINE` set to 1/true/yes/on: nothing may be fetched. */
  readonly offline: boolean;
}

const TRUE_VALUES = new Set(['1', 'on', 'yes', 'true']);

/** Reads `HF_ENDPOINT`, `HF_TOKEN` / `HUGGING_FACE_HUB_TOKEN` and `HF_HUB_OFFLINE` from `env`. */
export function hubConfig(env: Readonly<Record<string, string | undefined>> = process.env): HubConfig {
  const endpoint = (env['HF_ENDPOINT']?.trim() || DEFAULT_HF_ENDPOINT).replace(/\/+$/, '');
  try {
    new URL(endpoint);
  } catch {
    throw new FramewrightError('INVALID_PARAMS', `HF_ENDPOINT=${endpoint} is not a URL`);
  }
  const token = (env['HF_TOKEN'] ?? env['HUGGING_FACE_HUB_TOKEN'])?.trim();
  return { endpoint, ...(token === undefined || token === '' ? {} : { token }), offline: TRUE_VALUES.has((env['HF_HUB_OFFLINE'] ?? '').trim().toLowerCase()) };
}

/** A repository revision as `GET /api/models/{repo}/revision/{rev}` describes it. */
export interface HubRepoInfo {
  /** `owner/name` as the Hub spells it. */
  readonly id: string;
  /** The commit the revision points at. */
  readonly sha: string;
  /** Every file of the revision. */
  readonly files: readonly string[];
  /** `false`, or how access is granted (`auto`, `manual`). */
  readonly gated: false | string;
  /** The model card's licence id (`mit`, `other`, ...), when it has one. */
  readonly license?: string;
  /** The card's `license_name` (for `other` licences, e.g. `sai-nc-community`). */
  readonly licenseName?: string;
  /** The card's `license_link`. */
  readonly licenseLink?: string;
}

/** What the headers of a resolve URL say about one file. */
export interface HubFileMetadata {
  /** `X-Repo-Commit`. */
  readonly commit?: string;
  /** `X-Linked-Etag` (LFS files: the sha256) or `ETag` (git files: the blob's git sha1), unquoted. */
  readonly etag: string;
  /** `X-Linked-Size` or `Content-Length`. */
  readonly size: number;
  /** Where the content is: the CDN location of an LFS file, else the resolve URL itself. */
  readonly location: string;
}

/** Network failures huggingface_hub treats as "offline". */
const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCode(error: unknown): string | undefined {
  for (let e: unknown = error; e !== undefined && e !== null; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (!(e instanceof Error)) break;
  }
  return undefined;
}

/** The one line for a Hub that cannot be reached, with what to do. */
export function unreachable(config: HubConfig, error: unknown): FramewrightError {
  const code = causeCode(error) ?? oneLine(error instanceof Error ? error.message : String(error));
  return new FramewrightError(
    'MODEL_NOT_FOUND',
    `cannot reach the Hub at ${config.endpoint} (${code}): check the connection (or HF_ENDPOINT) and run the same command again, finished files are kept; without internet, copy an export here and run \`framewright models import DIR\``,
    { cause: error },
  );
}

/** Encodes each path segment of a repo file, keeping the slashes (as huggingface_hub's hf_hub_url). */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** True when a network error is a refused or broken connection rather than an HTTP answer. */
export function isNetworkError(error: unknown): boolean {
  if (error instanceof FramewrightError) return false;
  const code = causeCode(error);
  return error instanceof TypeError || (code !== undefined && (OFFLINE_CODES.has(code) || code.startsWith('UND_ERR') || code === 'ECONNRESET' || code === 'EPIPE'));
}

/**
 * Talks to one Hub. The token goes only to the endpoint's own origin: a redirect to another host
 * (the CDN of LFS files) is followed without it, as `requests` does for huggingface_hub.
 */
export class HubClient {
  private readonly origin: string;

  constructor(readonly config: HubConfig) {
    this.origin = new URL(config.endpoint).origin;
  }

  private headers(url: string, extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': 'framewright', ...extra };
    if (this.config.token !== undefined && new URL(url).origin === this.origin) headers['authorization'] = `Bearer ${this.config.token}`;
    return headers;
  }

  private assertOnline(): void {
    if (this.config.offline) {
      throw new FramewrightError('MODEL_NOT_FOUND', 'HF_HUB_OFFLINE is set, so nothing is downloaded: unset it to pull, or copy an export here and run `framewright models import DIR`');
    }
  }

  private async request(url: string, init: { method: string; headers?: Record<string, string> }): Promise<Response> {
    try {
      return await fetch(url, { method: init.method, headers: this.headers(url, init.headers), redirect: 'manual' });
    } catch (error) {
      throw unreachable(this.config, error);
    }
  }

  /** The one line for an HTTP failure, from the status and the Hub's `X-Error-Code`. */
  private httpFailure(response: Response, what: string, repo: string): FramewrightError {
    const errorCode = response.headers.get('x-error-code') ?? '';
    const status = response.status;
    if (status === 401 || status === 403 || errorCode === 'GatedRepo') {
      const tokenHint = this.config.token === undefined ? 'set HF_TOKEN to a token with read access' : 'HF_TOKEN was sent and refused: check that it has read access';
      return new FramewrightError('MODEL_NOT_FOUND', `the Hub refused ${what} (${status}${errorCode === '' ? '' : ` ${errorCode}`}): ${repo} is private or gated; accept its terms at ${this.config.endpoint}/${repo} and ${tokenHint}`);
    }
    if (status === 404) {
      const detail = errorCode === 'RevisionNotFound' ? 'no such revision' : errorCode === 'EntryNotFound' ? 'no such file' : 'no such repository (or it is private: set HF_TOKEN)';
      return new FramewrightError('MODEL_NOT_FOUND', `${what} is not on the Hub at ${this.config.endpoint}: ${detail}`);
    }
    return new FramewrightError('MODEL_NOT_FOUND', `the Hub answered ${status} for ${what}; try again later`);
  }

  /**
   * Follows same-origin (relative) redirects only, as huggingface_hub's
   * `_request_wrapper(follow_relative_redirects=True)`: a renamed repo redirects within the Hub,
   * while the redirect of an LFS file to its CDN is returned as it is.
   */
  private async followRelative(url: string, method: string, repo: string, what: string): Promise<{ response: Response; url: string }> {
    let current = url;
    for (let hop = 0; hop < 10; hop++) {
      const response = await this.request(current, { method, headers: { 'accept-encoding': 'identity' } });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        const target = new URL(location, current);
        if (target.origin === new URL(current).origin) {
          current = target.href;
          continue;
        }
      }
      if (response.status >= 400) throw this.httpFailure(response, what, repo);
      return { response, url: current };
    }
    throw new FramewrightError('MODEL_NOT_FOUND', `${what}: too many redirects from ${url}`);
  }

  /** `GET {endpoint}/api/models/{repo}/revision/{revision}`: the commit and the file list. */
  async repoInfo(repo: string, revision: string): Promise<HubRepoInfo> {
    this.assertOnline();
    const url = `${this.config.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
    const { response } = await this.followRelative(url, 'GET', repo, `${repo}@${revision}`);
    let body: Record<string, unknown>;
    try {
      body = (await response.json()) as Record<string, unknown>;
    } catch (error) {
      throw new FramewrightError('MODEL_NOT_FOUND', `the Hub's answer for ${repo}@${revision} is not JSON: ${oneLine(String(error))}`);
    }
    const siblings = Array.isArray(body['siblings']) ? (body['siblings'] as Array<{ rfilename?: unknown }>) : undefined;
    if (typeof body['sha'] !== 'string' || siblings === undefined) throw new FramewrightError('MODEL_NOT_FOUND', `the Hub's answer for ${repo}@${revision} has no sha or siblings`);
    const card = typeof body['cardData'] === 'object' && body['cardData'] !== null ? (body['cardData'] as Record<string, unknown>) : {};
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const license = text(card['license']);
    const licenseName = text(card['license_name']);
    const licenseLink = text(card['license_link']);
    return {
      id: text(body['id']) ?? text(body['modelId']) ?? repo,
      sha: body['sha'],
      files: siblings.map((s) => s.rfilename).filter((f): f is string => typeof f === 'string'),
      gated: body['gated'] === false || body['gated'] === undefined || body['gated'] === null ? false : String(body['gated']),
      ...(license === undefined ? {} : { license }),
      ...(licenseName === undefined ? {} : { licenseName }),
      ...(licenseLink === undefined ? {} : { licenseLink }),
    };
  }

  /** The resolve URL of a file at a commit. */
  resolveUrl(repo: string, commit: string, path: string): string {
    return `${this.config.endpoint}/${repo}/resolve/${encodeURIComponent(commit)}/${encodePath(path)}`;
  }

  /** `HEAD` of the resolve URL (relative redirects followed): commit, etag, size and where the bytes are. */
  async fileMetadata(repo: string, commit: string, path: string): Promise<HubFileMetadata> {
    this.assertOnline();
    const { response, url } = await this.followRelative(this.resolveUrl(repo, commit, path), 'HEAD', repo, `${repo}/${path}`);
    const h = response.headers;
    const etag = normalizeEtag(h.get('x-linked-etag') ?? h.get('etag'));
    const size = Number(h.get('x-linked-size') ?? h.get('content-length'));
    if (etag === undefined) throw new FramewrightError('MODEL_NOT_FOUND', `the Hub sent no ETag for ${repo}/${path}, so it cannot be verified`);
    if (!Number.isSafeInteger(size) || size < 0) throw new FramewrightError('MODEL_NOT_FOUND', `the Hub sent no size for ${repo}/${path}`);
    const location = h.get('location');
    const commitHeader = h.get('x-repo-commit');
    return { etag, size, location: location === null ? url : new URL(location, url).href, ...(commitHeader === null ? {} : { commit: commitHeader }) };
  }

  /**
   * Downloads `meta.location` to `partPath`, resuming with `Range` from what `partPath` already
   * holds, and retrying a connection cut off mid-file from where it stopped. Redirects are followed
   * (the token only within the endpoint's origin). `onBytes` gets each chunk's length. The bytes
   * are hashed as they arrive (a resumed prefix is read back once), so verification does not read
   * the file again.
   * @returns the bytes already there before this call (resumed) and the file's sha256
   */
  async download(meta: HubFileMetadata, partPath: string, what: string, onBytes: (n: number) => void, signal?: AbortSignal, attempts = 5): Promise<{ resumed: number; sha256: string }> {
    this.assertOnline();
    const initial = await stat(partPath).then((s) => s.size, () => 0);
    const hashed: HashState = { hash: createHash('sha256'), bytes: 0 };
    const done = async () => {
      await catchUp(hashed, partPath, meta.size);
      return { resumed: initial, sha256: hashed.hash.digest('hex') };
    };
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (signal?.aborted) throw new FramewrightError('CANCELLED', `download of ${what} was cancelled`);
      let have = await stat(partPath).then((s) => s.size, () => 0);
      if (have === meta.size) return done();
      if (have > meta.size) {
        await rm(partPath, { force: true });
        have = 0;
      }
      try {
        await this.fetchInto(meta.location, partPath, have, what, hashed, onBytes, signal);
      } catch (error) {
        if (!isNetworkError(error) && !(error instanceof FramewrightError && error.code === 'INTERRUPTED')) throw error;
        lastError = error;
        // A short pause before resuming; the bytes so far stay in partPath.
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
    const have = await stat(partPath).then((s) => s.size, () => 0);
    if (have === meta.size) return done();
    throw unreachable(this.config, lastError);
  }

  private async fetchInto(url: string, partPath: string, from: number, what: string, hashed: HashState, onBytes: (n: number) => void, signal?: AbortSignal): Promise<void> {
    let current = url;
    let response: Response | undefined;
    for (let hop = 0; hop < 10; hop++) {
      const headers: Record<string, string> = { 'accept-encoding': 'identity', ...(from > 0 ? { range: `bytes=${from}-` } : {}) };
      let r: Response;
      try {
        r = await fetch(current, { headers: this.headers(current, headers), redirect: 'manual', ...(signal === undefined ? {} : { signal }) });
      } catch (error) {
        if (signal?.aborted) throw new FramewrightError('CANCELLED', `download of ${what} was cancelled`);
        throw error;
      }
      const location = r.headers.get('location');
      if (r.status >= 300 && r.status < 400 && location !== null) {
        await r.body?.cancel();
        current = new URL(location, current).href;
        continue;
      }
      response = r;
      break;
    }
    if (response === undefined) throw new FramewrightError('MODEL_NOT_FOUND', `${what}: too many redirects`);
    if (response.status === 416 && from > 0) return;
    if (response.status !== 200 && response.status !== 206) throw new FramewrightError('MODEL_NOT_FOUND', `the Hub answered ${response.status} for ${what}`);
    // A server that ignores Range sends everything again: start the file over.
    const append = response.status === 206 && from > 0;
    if (append) await catchUp(hashed, partPath, from);
    else {
      hashed.hash = createHash('sha256');
      hashed.bytes = 0;
    }
    const handle = await open(partPath, append ? 'a' : 'w');
    try {
      if (response.body === null) throw new FramewrightError('INTERRUPTED', `${what}: empty answer`);
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        await handle.write(chunk);
        hashed.hash.update(chunk);
        hashed.bytes += chunk.length;
        onBytes(chunk.length);
      }
    } catch (error) {
      if (signal?.aborted) throw new FramewrightError('CANCELLED', `download of ${what} was cancelled`);
      throw error;
    } finally {
      await handle.close();
    }
  }
}

/** A running sha256 of the first `bytes` bytes of a part file. */
interface HashState {
  hash: ReturnType<typeof createHash>;
  bytes: number;
}

/** Makes `state` the hash of the first `upTo` bytes of `path`, reading from disk what it has not seen (a prefix an earlier pull left). */
async function catchUp(state: HashState, path: string, upTo: number): Promise<void> {
  if (state.bytes === upTo) return;
  if (state.bytes > upTo) {
    state.hash = createHash('sha256');
    state.bytes = 0;
  }
  if (upTo === 0) return;
  for await (const chunk of createReadStream(path, { start: state.bytes, end: upTo - 1 })) {
    state.hash.update(chunk as Buffer);
    state.bytes += (chunk as Buffer).length;
  }
}

/** `W/"abc"` → `abc`, as huggingface_hub's `_normalize_etag`. */
export function normalizeEtag(etag: string | null | undefined): string | undefined {
  if (etag === null || etag === undefined) return undefined;
  const clean = etag.replace(/^W\//, '').replace(/^"|"$/g, '');
  return clean === '' ? undefined : clean;
}

/** Git's blob id of a file: sha1 of `blob {size}\0` and the content (the ETag of a non-LFS file). */
export async function gitBlobSha1(path: string): Promise<string> {
  const size = (await stat(path)).size;
  const hash = createHash('sha1').update(`blob ${size}\0`);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks a finished download against its Hub metadata (size, then the sha256 of an LFS file or the
 * git blob sha1 of a small one) and renames it into place; a file that fails is deleted.
 * `knownSha256` is the hash {@link HubClient.download} computed as the bytes arrived.
 * @returns the file's sha256
 * @throws FramewrightError `MODEL_INVALID` naming the file and both hashes
 */
export async function verifyDownload(partPath: string, finalPath: string, meta: HubFileMetadata, what: string, knownSha256?: string): Promise<string> {
  try {
    const size = (await stat(partPath)).size;
    if (size !== meta.size) throw new FramewrightError('MODEL_INVALID', `${what} has ${size} bytes, the Hub says ${meta.size}; it was deleted`);
    const sha256 = knownSha256 ?? (await sha256File(partPath));
    if (/^[0-9a-f]{64}$/.test(meta.etag)) {
      if (sha256 !== meta.etag) throw new FramewrightError('MODEL_INVALID', `${what} does not match the Hub's hash (sha256 ${sha256}, the Hub says ${meta.etag}); it was deleted`);
    } else if (/^[0-9a-f]{40}$/.test(meta.etag)) {
      const sha1 = await gitBlobSha1(partPath);
      if (sha1 !== meta.etag) throw new FramewrightError('MODEL_INVALID', `${what} does not match the Hub's hash (git sha1 ${sha1}, the Hub says ${meta.etag}); it was deleted`);
    } else {
      throw new FramewrightError('MODEL_INVALID', `the Hub's ETag for ${what} (${meta.etag}) is neither a sha256 nor a git sha1, so the file cannot be verified`);
    }
    await rename(partPath, finalPath);
    return sha256;
  } catch (error) {
    await rm(partPath, { force: true });
    throw error;
  }
}
