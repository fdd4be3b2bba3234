// A stand-in for the Hugging Face Hub on loopback, speaking the part of its HTTP API that
// huggingface_hub (and `framewright models pull`) uses:
//   GET  /api/models/{repo}/revision/{rev}   → { id, sha, siblings: [{ rfilename }], cardData, gated }
//   HEAD/GET /{repo}/resolve/{rev}/{path}    → small files: 200 with ETag = git blob sha1;
//                                              LFS files: 302 to the CDN, X-Linked-Etag = sha256,
//                                              X-Linked-Size, X-Repo-Commit
//   GET  {cdn}/blobs/{sha256}                → the bytes, with Range (206) and ETag
// The CDN is a second server (another origin), so a token that follows a redirect shows.
// A renamed repo answers with a relative redirect to its new name, as the Hub does.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';

/** One file of a repository. */
export interface HubFile {
  /** Path in the repository. */
  readonly path: string;
  /** Content. */
  readonly bytes: Uint8Array;
}

/** One repository revision. */
export interface HubRepo {
  /** `owner/name`. */
  readonly id: string;
  /** Files. */
  readonly files: readonly HubFile[];
  /** The card's licence fields (`license`, `license_name`, `license_link`). */
  readonly cardData?: Record<string, string>;
  /** `false` or `auto`/`manual`: then every request needs the token. */
  readonly gated?: false | 'auto' | 'manual';
  /** Commit sha (default: derived from the content). */
  readonly sha?: string;
  /** Old names that redirect (relatively) to this one. */
  readonly renamedFrom?: readonly string[];
}

/** A request as the Hub or CDN saw it. */
export interface HubRequest {
  readonly server: 'hub' | 'cdn';
  readonly method: string;
  readonly url: string;
  readonly authorization?: string;
  readonly range?: string;
}

/** How the stand-in misbehaves. */
export interface TestHubOptions {
  /** The token gated repos need. */
  readonly token?: string;
  /** Cut the connection of the first GET of these paths (repo file path) after this many bytes. */
  readonly cutAfter?: Readonly<Record<string, number>>;
  /** Serve these paths with other bytes than their hash says (a corrupted CDN copy). */
  readonly corrupt?: readonly string[];
  /** Files at least this big are LFS files (default 1024; `.onnx` and `.onnx_data` always are). */
  readonly lfsThreshold?: number;
  /** Stall (never finish) the first body of these paths after this many bytes, for kill tests. */
  readonly stallAfter?: Readonly<Record<string, number>>;
}

/** A running stand-in Hub. */
export interface TestHub {
  /** What HF_ENDPOINT should be. */
  readonly endpoint: string;
  /** The CDN's origin. */
  readonly cdn: string;
  /** Every request so far. */
  readonly requests: HubRequest[];
  /** Stops both servers. */
  close(): Promise<void>;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: Uint8Array) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

/** Every file under `dir` as a repository file (paths with forward slashes). */
export function filesOfFolder(dir: string, skip: (path: string) => boolean = () => false): HubFile[] {
  const out: HubFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const path = relative(dir, full).split(sep).join('/');
        if (!skip(path)) out.push({ path, bytes: readFileSync(full) });
      }
    }
  };
  walk(dir);
  return out;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** Starts the stand-in Hub and its CDN on free loopback ports. */
export async function startTestHub(repos: readonly HubRepo[], options: TestHubOptions = {}): Promise<TestHub> {
  const requests: HubRequest[] = [];
  const threshold = options.lfsThreshold ?? 1024;
  const isLfs = (f: HubFile) => f.bytes.length >= threshold || /\.onnx(_data)?$/.test(f.path);
  const blobs = new Map<string, { file: HubFile; repo: HubRepo }>();
  const cutDone = new Set<string>();
  const stallDone = new Set<string>();
  const sockets = new Set<import('node:net').Socket>();
  // Hashes once at start (a request must not cost a hash of every file).
  const hashes = new Map<HubFile, string>();
  for (const repo of repos) for (const f of repo.files) hashes.set(f, sha256(f.bytes));
  const commits = new Map(repos.map((r) => [r, r.sha ?? createHash('sha1').update(r.files.map((f) => `${f.path}:${hashes.get(f)}`).join('\n')).digest('hex')]));
  const shaOf = (repo: HubRepo) => commits.get(repo)!;
  for (const repo of repos) for (const f of repo.files) blobs.set(hashes.get(f)!, { file: f, repo });

  const record = (server: 'hub' | 'cdn', req: IncomingMessage) =>
    requests.push({
      server,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
      ...(req.headers.range === undefined ? {} : { range: req.headers.range }),
    });

  const fail = (res: ServerResponse, status: number, code: string) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-error-code': code });
    res.end(JSON.stringify({ error: code }));
  };
  const authorised = (repo: HubRepo, req: IncomingMessage) => repo.gated === undefined || repo.gated === false || req.headers.authorization === `Bearer ${options.token}`;
  const findRepo = (id: string) => repos.find((r) => r.id === id);
  const renamed = (id: string) => repos.find((r) => r.renamedFrom?.includes(id));

  let cdnOrigin = '';
  const hub = createServer((req, res) => {
    record('hub', req);
    const url = new URL(req.url ?? '/', 'http://hub');
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    if (api !== null) {
      const [, id, rev] = api as unknown as [string, string, string];
      const repo = findRepo(id);
      if (repo === undefined) {
        const moved = renamed(id);
        if (moved !== undefined) {
          res.writeHead(307, { location: `/api/models/${moved.id}/revision/${rev}` });
          return res.end();
        }
        return fail(res, 404, 'RepoNotFound');
      }
      if (!authorised(repo, req)) return fail(res, 401, 'GatedRepo');
      const sha = shaOf(repo);
      if (decodeURIComponent(rev) !== 'main' && decodeURIComponent(rev) !== sha) return fail(res, 404, 'RevisionNotFound');
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ id: repo.id, sha, gated: repo.gated ?? false, private: false, cardData: repo.cardData ?? {}, siblings: repo.files.map((f) => ({ rfilename: f.path })) }));
    }
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve !== null) {
      const [, id, rev, rawPath] = resolve as unknown as [string, string, string, string];
      const repo = findRepo(id);
      if (repo === undefined) {
        const moved = renamed(id);
        if (moved !== undefined) {
          res.writeHead(307, { location: `/${moved.id}/resolve/${rev}/${rawPath}` });
          return res.end();
        }
        return fail(res, 404, 'RepoNotFound');
      }
      if (!authorised(repo, req)) return fail(res, 401, 'GatedRepo');
      const sha = shaOf(repo);
      if (decodeURIComponent(rev) !== 'main' && decodeURIComponent(rev) !== sha) return fail(res, 404, 'RevisionNotFound');
      const path = rawPath.split('/').map(decodeURIComponent).join('/');
      const file = repo.files.find((f) => f.path === path);
      if (file === undefined) return fail(res, 404, 'EntryNotFound');
      if (isLfs(file)) {
        const hash = hashes.get(file)!;
        res.writeHead(302, {
          location: `${cdnOrigin}/blobs/${hash}?repo=${encodeURIComponent(repo.id)}`,
          'x-repo-commit': sha,
          'x-linked-etag': `"${hash}"`,
          'x-linked-size': String(file.bytes.length),
          etag: `"${gitSha1(Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${hash}\nsize ${file.bytes.length}\n`))}"`,
        });
        return res.end();
      }
      const body = options.corrupt?.includes(path) ? Buffer.concat([Buffer.from(file.bytes), Buffer.from('x')]).subarray(1) : file.bytes;
      res.writeHead(200, { 'content-length': String(file.bytes.length), etag: `"${gitSha1(file.bytes)}"`, 'x-repo-commit': sha });
      return res.end(req.method === 'HEAD' ? undefined : body);
    }
    fail(res, 404, 'NotFound');
  });

  const cdn = createServer((req, res) => {
    record('cdn', req);
    const url = new URL(req.url ?? '/', 'http://cdn');
    const match = /^\/blobs\/([0-9a-f]{64})$/.exec(url.pathname);
    const blob = match === null ? undefined : blobs.get(match[1]!);
    if (blob === undefined) return fail(res, 404, 'NotFound');
    const { file } = blob;
    let bytes = Buffer.from(file.bytes);
    if (options.corrupt?.includes(file.path)) {
      bytes = Buffer.from(bytes);
      bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range !== null) {
      start = Number(range[1]);
      if (start >= bytes.length) {
        res.writeHead(416, { 'content-range': `bytes */${bytes.length}` });
        return res.end();
      }
    }
    const headers = { 'content-length': String(bytes.length - start), etag: `"${match![1]}"`, 'accept-ranges': 'bytes', ...(start > 0 ? { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}) };
    res.writeHead(start > 0 ? 206 : 200, headers);
    if (req.method === 'HEAD') return res.end();
    const cut = options.cutAfter?.[file.path];
    if (cut !== undefined && !cutDone.has(file.path) && cut > start) {
      cutDone.add(file.path);
      res.write(bytes.subarray(start, cut), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    const stall = options.stallAfter?.[file.path];
    if (stall !== undefined && stall > start && !stallDone.has(file.path)) {
      stallDone.add(file.path);
      res.write(bytes.subarray(start, stall));
      return;
    }
    res.end(bytes.subarray(start));
  });
  for (const server of [hub, cdn]) server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const endpoint = await listen(hub);
  cdnOrigin = await listen(cdn);
  return {
    endpoint,
    cdn: cdnOrigin,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([hub, cdn].map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
