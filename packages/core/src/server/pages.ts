import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, isAbsolute, sep } from 'node:path';

/**
 * Static pages a server serves without a token, by URL prefix: `{ '/dock/': '/path/to/dock' }`.
 * Host adapters use this for pages a host shows in its own browser (the OBS dock); the page
 * then reaches the API over the WebSocket with the token like any client.
 */
export type StaticPages = Readonly<Record<string, string>>;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Serves a GET or HEAD for a static page when its path falls under one of the prefixes.
 * Paths are decoded once, may not climb out of the folder (also through symlinks), and only
 * known file types are served.
 * @returns true when the request was answered here
 */
export async function servePage(req: IncomingMessage, res: ServerResponse, pages: StaticPages, path: string): Promise<boolean> {
  for (const [prefix, folder] of Object.entries(pages)) {
    if (path === prefix.replace(/\/$/, '')) {
      // `/dock` → `/dock/` so relative URLs in the page resolve; browsers keep the #fragment.
      res.writeHead(301, { location: prefix, 'cache-control': 'no-store' }).end();
      return true;
    }
    if (!path.startsWith(prefix)) continue;
    let rel: string;
    try {
      rel = decodeURIComponent(path.slice(prefix.length)) || 'index.html';
    } catch {
      rel = '\0';
    }
    const type = TYPES[extname(rel).toLowerCase()];
    let file: string | undefined;
    if (type !== undefined && !rel.includes('\0') && !rel.includes('\\')) {
      const root = await realpath(folder).catch(() => undefined);
      const real = root === undefined ? undefined : await realpath(join(root, rel)).catch(() => undefined);
      if (root !== undefined && real !== undefined && inside(root, real) && (await stat(real)).isFile()) file = real;
    }
    if (file === undefined || type === undefined) {
      const body = JSON.stringify({ error: { code: 'INVALID_REQUEST', message: `no such page: ${path}` } });
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
      return true;
    }
    const { size } = await stat(file);
    res.writeHead(200, {
      'content-type': type,
      'content-length': size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      // The page may talk to this server only (its WebSocket included) and loads nothing else;
      // ajv compiles the protocol's validators with new Function, hence 'unsafe-eval'.
      'content-security-policy':
        "default-src 'self'; script-src 'self' 'unsafe-eval'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  }
  return false;
}
