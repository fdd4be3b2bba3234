import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  assertOperationInVersion,
  assertValid,
  FramewrightError,
  isOperationName,
  isTerminal,
  negotiateVersion,
  OPERATION_NAMES,
  operationInVersion,
  paramsInLatestMeaning,
  PROTOCOL_VERSION_HEADER,
  PROTOCOL_VERSIONS,
  publishedSchemas,
  SubmitParamsSchema,
  toFramewrightError,
  type ProtocolVersion,
  type Job,
} from '../protocol/index.js';
import { quoted } from '../protocol/validate.js';
import { ENGINE_VERSION } from '../engine/index.js';
import type { JobEvent } from '../jobs/index.js';
import type { ServerContext } from './context.js';
import { InvalidRequest, statusOf } from './errors.js';
import { servePage } from './pages.js';
import { receiveOutput, receiveUpload, removeOutput, sendDownload } from './files.js';
import { notReadingReason, progressBacklogBytes } from './rpc.js';
import { checkHost, checkOrigin, checkToken, originRefused, type GuardOptions } from './security.js';

const SSE_HEARTBEAT_MS = 15_000;

function corsHeaders(req: IncomingMessage, guard: GuardOptions): Record<string, string> {
  // A refused Origin gets no CORS headers at all, not even on its 403: a page must not be able to
  // read any answer, nor learn from one that a Framewright server listens here.
  const origin = req.headers.origin;
  if (origin === undefined || originRefused(req, guard)) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}

function sendJson(req: IncomingMessage, res: ServerResponse, guard: GuardOptions, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...corsHeaders(req, guard),
    ...headers,
  });
  res.end(text);
}

function sendError(req: IncomingMessage, res: ServerResponse, guard: GuardOptions, error: unknown): void {
  const fe = toFramewrightError(error);
  const status = statusOf(fe).http;
  const headers: Record<string, string> = fe.code === 'UNAUTHORIZED' ? { 'www-authenticate': 'Bearer realm="framewright"' } : {};
  // A refused upload may still be streaming in: close the connection rather than read it all.
  if (status === 413 || !req.complete) headers['connection'] = 'close';
  sendJson(req, res, guard, status, { error: fe.toWire() }, headers);
}

/** An `INVALID_REQUEST` answered with an HTTP status of its own (404, 405, 413, 415). */
function httpError(http: number, message: string): InvalidRequest {
  return new InvalidRequest(message, { http });
}

async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw httpError(415, `the request body must be application/json, not ${JSON.stringify(type)}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw httpError(413, `the request body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new FramewrightError('INVALID_REQUEST', `the request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The protocol version an HTTP request speaks: its `Framewright-Protocol` header, and 1.0 without
 * one (1.0 had no header, so a request without it was written for 1.0).
 */
function httpVersion(req: IncomingMessage): ProtocolVersion {
  const header = req.headers[PROTOCOL_VERSION_HEADER];
  if (header === undefined) return '1.0';
  return negotiateVersion([Array.isArray(header) ? header.join(',') : header]);
}

async function submit(req: IncomingMessage, res: ServerResponse, ctx: ServerContext): Promise<void> {
  const body = await readJsonBody(req, ctx.maxMessageBytes);
  const op = (body as { op?: unknown } | null)?.op;
  if (typeof op === 'string' && !isOperationName(op)) {
    throw new FramewrightError('UNKNOWN_OPERATION', `unknown operation ${quoted(op)}: known are ${OPERATION_NAMES.join(', ')}`, { pointer: '/op' });
  }
  assertValid(SubmitParamsSchema, body, 'request body', 'INVALID_REQUEST');
  const version = httpVersion(req);
  assertOperationInVersion(body.op, version);
  const job = await ctx.queue.submit(body.op, paramsInLatestMeaning(body.op, body.params, version));
  sendJson(req, res, ctx.guard, 202, job, { location: `/v1/jobs/${encodeURIComponent(job.id)}` });
}

const sseEvent = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** Streams a job's progress and state as Server-Sent Events until it finishes. */
async function streamEvents(req: IncomingMessage, res: ServerResponse, ctx: ServerContext, id: string): Promise<void> {
  // Events that arrive while the job is looked up are held back and replayed after it, so none
  // is lost; a repeat of what the snapshot already shows is harmless.
  let held: JobEvent[] | undefined = [];
  let closed = false;
  // As on the WebSocket: a slow reader misses progress (and keep-alives), and one that leaves more
  // than the send-buffer limit unread is dropped, so it cannot make the server hold its stream.
  const send = (text: string, droppable: boolean): void => {
    if (closed) return;
    const backlog = res.writableLength;
    if (droppable && backlog > progressBacklogBytes(ctx.maxSendBufferBytes)) return;
    if (backlog > ctx.maxSendBufferBytes) {
      ctx.log(`dropped an event-stream client: ${notReadingReason(ctx.maxSendBufferBytes)}`, 'warn');
      cleanUp();
      res.destroy();
      return;
    }
    res.write(text);
  };
  const forward = (event: JobEvent): void => {
    if (event.type === 'progress' && event.jobId === id) send(sseEvent('progress', { jobId: event.jobId, op: event.op, progress: event.progress }), true);
    if (event.type === 'state' && event.job.id === id) {
      send(sseEvent('state', event.job), false);
      if (isTerminal(event.job.state)) finish();
    }
  };
  const unsubscribe = ctx.queue.subscribe((event) => {
    if (held === undefined) forward(event);
    else held.push(event);
  });
  const cleanUp = (): void => {
    closed = true;
    unsubscribe();
    unregister();
    clearInterval(heartbeat);
  };
  const finish = (): void => {
    if (closed) return;
    cleanUp();
    res.end();
  };
  const unregister = ctx.onClose(finish);
  const heartbeat = setInterval(() => send(': keep-alive\n\n', true), SSE_HEARTBEAT_MS);
  res.on('close', cleanUp);
  let job: Job;
  try {
    job = await ctx.queue.get(id);
  } catch (error) {
    cleanUp();
    throw error;
  }
  if (closed) return;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...corsHeaders(req, ctx.guard) });
  // The current state first (for a finished job, its final state), then live events.
  res.write(sseEvent('state', job));
  if (isTerminal(job.state)) {
    finish();
    return;
  }
  const replay = held;
  held = undefined;
  for (const event of replay) if (!closed) forward(event);
}

function jobIdOf(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new FramewrightError('INVALID_REQUEST', `job id ${JSON.stringify(segment)} is not a valid URL segment`);
  }
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: ServerContext): Promise<void> {
  checkHost(req, ctx.guard);
  checkOrigin(req, ctx.guard);
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (method === 'OPTIONS') {
    res.writeHead(204, corsHeaders(req, ctx.guard)).end();
    return;
  }
  // Health tells only that a Framewright server listens and which versions it speaks: no token,
  // so `framewright doctor` and installers can find it before they have read the token.
  if (path === '/v1/health' && method === 'GET') {
    sendJson(req, res, ctx.guard, 200, { ok: true, version: ENGINE_VERSION, protocolVersions: [...PROTOCOL_VERSIONS] });
    return;
  }
  // Pages such as the OBS dock load without the token; they use it for the WebSocket.
  if ((method === 'GET' || method === 'HEAD') && ctx.pages !== undefined && (await servePage(req, res, ctx.pages, path))) return;
  checkToken(req, ctx.guard, false);
  const parts = path.split('/').filter((p) => p.length > 0);
  const notAllowed = (): never => {
    throw httpError(405, `${method} is not allowed on ${path}`);
  };
  if (parts[0] !== 'v1') throw httpError(404, `no such endpoint: ${path}`);
  if (parts.length === 2 && parts[1] === 'schemas') {
    if (method !== 'GET') notAllowed();
    sendJson(req, res, ctx.guard, 200, publishedSchemas());
  } else if (parts.length === 2 && parts[1] === 'jobs') {
    if (method === 'POST') await submit(req, res, ctx);
    else if (method === 'GET') {
      const version = httpVersion(req);
      sendJson(req, res, ctx.guard, 200, { jobs: (await ctx.queue.list()).filter((j) => operationInVersion(j.op, version)) });
    }
    else notAllowed();
  } else if (parts.length === 3 && parts[1] === 'jobs') {
    const id = jobIdOf(parts[2]!);
    if (method === 'GET') sendJson(req, res, ctx.guard, 200, await ctx.queue.get(id));
    else if (method === 'DELETE') sendJson(req, res, ctx.guard, 200, await ctx.queue.cancel(id));
    else notAllowed();
  } else if (parts.length === 2 && parts[1] === 'files') {
    const send = (status: number, body: unknown) => sendJson(req, res, ctx.guard, status, body);
    if (method === 'GET') await sendDownload(req, res, ctx.outputRoot, corsHeaders(req, ctx.guard));
    else if (method === 'PUT') await receiveOutput(req, ctx.outputRoot, ctx.maxUploadBytes, send);
    else if (method === 'DELETE') await removeOutput(req, ctx.outputRoot, send);
    else notAllowed();
  } else if (parts.length === 3 && parts[1] === 'files') {
    if (method !== 'PUT') notAllowed();
    await receiveUpload(req, res, ctx.outputRoot, jobIdOf(parts[2]!), ctx.maxUploadBytes, (status, body) => sendJson(req, res, ctx.guard, status, body));
  } else if (parts.length === 4 && parts[1] === 'jobs' && parts[3] === 'events') {
    if (method !== 'GET') notAllowed();
    await streamEvents(req, res, ctx, jobIdOf(parts[2]!));
  } else {
    throw httpError(404, `no such endpoint: ${path}`);
  }
}

/**
 * Handles one HTTP request: Host, Origin and token checks, then the `/v1` routes. Every error
 * is answered as `{ error: WireError }` with a matching status.
 */
export function handleHttp(req: IncomingMessage, res: ServerResponse, ctx: ServerContext): void {
  route(req, res, ctx).catch((error: unknown) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    sendError(req, res, ctx.guard, error);
  });
}
