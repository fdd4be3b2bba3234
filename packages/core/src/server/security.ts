import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FramewrightError, WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX } from '../protocol/index.js';

/** Host names a loopback server answers to; anything else may be a DNS-rebinding page. */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The request checks every route shares. */
export interface GuardOptions {
  /** The bearer token. */
  readonly token: string;
  /** The port the server listens on (a Host header must name it). */
  readonly port: number;
  /** The host the server was asked to bind, also accepted in Host headers when it is not a wildcard. */
  readonly host: string;
  /** Exact Origins (scheme://host[:port]) allowed to call from a browser. */
  readonly allowedOrigins: readonly string[];
}

function hostNameAccepted(name: string, bound: string): boolean {
  if (LOOPBACK_NAMES.has(name)) return true;
  const boundName = bound.includes(':') ? `[${bound}]` : bound;
  return bound !== '0.0.0.0' && bound !== '::' && name === boundName.toLowerCase();
}

/**
 * Refuses a Host header that is not a loopback name with the server's port: a page on
 * evil.example that rebinds its DNS name to 127.0.0.1 still sends `Host: evil.example`.
 *
 * @throws FramewrightError `FORBIDDEN`
 */
export function checkHost(req: IncomingMessage, options: GuardOptions): void {
  const host = req.headers.host;
  const match = host === undefined ? null : /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
  const name = match?.[1]?.toLowerCase();
  const port = match?.[2] === undefined ? 80 : Number(match[2]);
  if (name === undefined || !hostNameAccepted(name, options.host) || port !== options.port) {
    throw new FramewrightError('FORBIDDEN', `Host header ${JSON.stringify(host ?? '')} is not this server (use 127.0.0.1:${options.port} or localhost:${options.port})`);
  }
}

/**
 * True when the request has an Origin header that is neither on the allow-list nor this server
 * itself (`http://127.0.0.1:<port>`, `http://localhost:<port>`, `http://[::1]:<port>`: pages the
 * server serves; a rebinding page has its own name in its Origin, so it is not one of these).
 */
export function originRefused(req: IncomingMessage, options: GuardOptions): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || options.allowedOrigins.includes(origin)) return false;
  const own = /^http:\/\/(\[::1\]|127\.0\.0\.1|localhost):(\d{1,5})$/i.exec(origin);
  return own === null || Number(own[2]) !== options.port;
}

/**
 * Refuses a request whose Origin is present and not on the allow-list.
 * @throws FramewrightError `FORBIDDEN`
 */
export function checkOrigin(req: IncomingMessage, options: GuardOptions): void {
  if (originRefused(req, options)) {
    throw new FramewrightError('FORBIDDEN', `Origin ${JSON.stringify(req.headers.origin)} is not allowed to use this server`);
  }
}

function sameToken(given: string, expected: string): boolean {
  // Hashing first makes the comparison constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The values of a request's `Sec-WebSocket-Protocol` header. */
export function offeredSubprotocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return (header ?? '').split(',').map((p) => p.trim()).filter((p) => p.length > 0);
}

/**
 * Checks the bearer token: an `Authorization: Bearer <token>` header, or for WebSocket upgrades
 * (browsers and UXP cannot set headers there) a `bearer.<token>` subprotocol offered beside
 * `framewright.v1`.
 *
 * @throws FramewrightError `UNAUTHORIZED` when it is missing or wrong
 */
export function checkToken(req: IncomingMessage, options: GuardOptions, allowSubprotocol: boolean): void {
  const header = req.headers.authorization;
  let given: string | undefined;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null) throw new FramewrightError('UNAUTHORIZED', 'the Authorization header must be "Bearer <token>"');
    given = match[1];
  } else if (allowSubprotocol) {
    const offered = offeredSubprotocols(req);
    const carrier = offered.find((p) => p.startsWith(WS_TOKEN_SUBPROTOCOL_PREFIX));
    if (carrier !== undefined && !offered.includes(WS_SUBPROTOCOL)) {
      throw new FramewrightError('UNAUTHORIZED', `a ${WS_TOKEN_SUBPROTOCOL_PREFIX}<token> subprotocol must come with ${WS_SUBPROTOCOL}`);
    }
    given = carrier?.slice(WS_TOKEN_SUBPROTOCOL_PREFIX.length);
  }
  if (given === undefined) throw new FramewrightError('UNAUTHORIZED', 'a bearer token is required (see the token file in the Framewright config folder)');
  if (!sameToken(given, options.token)) throw new FramewrightError('UNAUTHORIZED', 'the bearer token is wrong');
}
