/**
 * The local server (`framewright serve`): JSON-RPC 2.0 over WebSocket at `/v1/ws` and HTTP JSON
 * with Server-Sent Events under `/v1`, bound to loopback, behind a bearer token.
 */
import { mkdir } from 'node:fs/promises';
import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { join, resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { FramewrightError, toFramewrightError, WS_SUBPROTOCOL } from '../protocol/index.js';
import { configuredAllowedOrigins, loadOrCreateToken, resolvePaths } from '../config/index.js';
import { OPERATION_REGISTRY, type OperationRegistry } from '../ops/index.js';
import { engineJobRunner, JobJournal, JobQueue } from '../jobs/index.js';
import type { ServerContext } from './context.js';
import { httpStatusOf } from './errors.js';
import { handleHttp } from './http.js';
import type { StaticPages } from './pages.js';
import { RpcConnection } from './rpc.js';
import { checkHost, checkOrigin, checkToken, type GuardOptions } from './security.js';

const PING_INTERVAL_MS = 30_000;

/** Default port of `framewright serve`. */
export const DEFAULT_PORT = 7878;

/** Options of {@link startServer}; every one has a default. */
export interface ServerOptions {
  /** Interface to bind (default `127.0.0.1`). Anything but loopback exposes the engine to the network. */
  host?: string;
  /** Port (default {@link DEFAULT_PORT}; 0 picks a free one). */
  port?: number;
  /** Jobs write only under this folder (default: the configured output root). */
  outputRoot?: string;
  /** Folder of the bearer token (default: the configured config folder). */
  configDir?: string;
  /** Folder of the job journal, kept in its `jobs` sub-folder (default: the configured data folder). */
  dataDir?: string;
  /** Use this bearer token instead of the one in `configDir`. */
  token?: string;
  /** Browser Origins (exact `scheme://host[:port]`) allowed to connect; others are refused. Default: `FRAMEWRIGHT_ALLOWED_ORIGINS`, else none. */
  allowedOrigins?: readonly string[];
  /** Jobs running at once (default: half the CPU threads). */
  concurrency?: number;
  /** The operations to run (default: the built-in registry); tests inject fakes. */
  registry?: OperationRegistry;
  /** Largest request body or WebSocket message, in bytes (default 1 MiB). */
  maxMessageBytes?: number;
  /** Validate every outgoing WebSocket message against its schema (default true). */
  validateOutgoing?: boolean;
  /**
   * Static pages served without a token by URL prefix, e.g. `{ '/dock/': dockFolder }` for the
   * OBS dock. The server's own origin is then allowed too, so those pages can open the WebSocket.
   */
  pages?: StaticPages;
}

/** A started server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:7878`. */
  readonly url: string;
  /** WebSocket URL, e.g. `ws://127.0.0.1:7878/v1/ws`. */
  readonly wsUrl: string;
  /** The port it listens on. */
  readonly port: number;
  /** The bearer token clients must send. */
  readonly token: string;
  /** The output root it writes under (absolute). */
  readonly outputRoot: string;
  /** Stops listening, closes clients, cancels running jobs (killing their children) and waits for the journal. */
  close(): Promise<void>;
}

function refuseUpgrade(socket: Duplex, error: unknown): void {
  const fe = toFramewrightError(error);
  const status = (error as { status?: number }).status ?? httpStatusOf(fe.code);
  const body = JSON.stringify({ error: fe.toWire() });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Closes a client politely, or drops it when it does not answer the close handshake in time. */
function closeSocket(ws: WebSocket): Promise<void> {
  return new Promise((done) => {
    if (ws.readyState === ws.CLOSED) {
      done();
      return;
    }
    const timer = setTimeout(() => ws.terminate(), 1000);
    ws.once('close', () => {
      clearTimeout(timer);
      done();
    });
    ws.close(1001, 'server shutting down');
  });
}

function checkUpgrade(req: IncomingMessage, guard: GuardOptions): void {
  checkHost(req, guard);
  checkOrigin(req, guard);
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path !== '/v1/ws') throw Object.assign(new FramewrightError('INVALID_REQUEST', `no WebSocket endpoint at ${path} (use /v1/ws)`), { status: 404 });
  checkToken(req, guard, true);
}

/**
 * Starts the local server.
 *
 * @example
 * ```ts
 * const server = await startServer({ port: 0 });
 * console.log(`listening on ${server.url}; token in the config folder`);
 * await server.close();
 * ```
 * @throws FramewrightError `INTERNAL` when it cannot listen (e.g. the port is taken)
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const paths = resolvePaths();
  const host = options.host ?? '127.0.0.1';
  const outputRoot = resolve(options.outputRoot ?? paths.outputRoot.path);
  await mkdir(outputRoot, { recursive: true });
  const token = options.token ?? (await loadOrCreateToken(options.configDir ?? paths.configDir.path));
  const registry = options.registry ?? OPERATION_REGISTRY;
  const queue = await JobQueue.open({
    runner: engineJobRunner({ outputRoot, registry }),
    journal: new JobJournal(join(options.dataDir ?? paths.dataDir.path, 'jobs')),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  });

  const closers = new Set<() => void>();
  const guard: { -readonly [K in keyof GuardOptions]: GuardOptions[K] } = { token, host, port: 0, allowedOrigins: options.allowedOrigins ?? configuredAllowedOrigins() };
  const ctx: ServerContext = {
    queue,
    guard,
    registry,
    maxMessageBytes: options.maxMessageBytes ?? 1 << 20,
    validateOutgoing: options.validateOutgoing ?? true,
    ...(options.pages === undefined ? {} : { pages: options.pages }),
    onClose: (close) => {
      closers.add(close);
      return () => closers.delete(close);
    },
  };

  const http = createServer((req, res) => handleHttp(req, res, ctx));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: ctx.maxMessageBytes,
    perMessageDeflate: false,
    // Echo framewright.v1, never the bearer.<token> entry, so the token is not reflected back.
    handleProtocols: (offered) => (offered.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
  });
  const connections = new Set<RpcConnection>();
  const stopEvents = queue.subscribe((event) => {
    for (const connection of connections) connection.notify(event);
  });
  // A client that vanished without closing (sleep, pulled cable) is dropped after a missed ping.
  const alive = new WeakSet<WebSocket>();
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      checkUpgrade(req, guard);
    } catch (error) {
      refuseUpgrade(socket, error);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new RpcConnection(ws, ctx);
      connections.add(connection);
      alive.add(ws);
      ws.on('pong', () => alive.add(ws));
      ws.on('message', (data, isBinary) => connection.receive(data, isBinary));
      ws.on('close', () => connections.delete(connection));
      ws.on('error', () => ws.terminate());
    });
  });
  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) ws.terminate();
      else {
        alive.delete(ws);
        ws.ping();
      }
    }
  }, PING_INTERVAL_MS);
  pinger.unref();

  await new Promise<void>((resolveListen, rejectListen) => {
    http.once('error', (error: NodeJS.ErrnoException) => {
      rejectListen(new FramewrightError('INTERNAL', `cannot listen on ${host}:${options.port ?? DEFAULT_PORT}: ${error.code ?? error.message}`, { cause: error }));
    });
    http.listen(options.port ?? DEFAULT_PORT, host, () => resolveListen());
  }).catch(async (error: unknown) => {
    await queue.close();
    throw error;
  });
  const address = http.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  guard.port = port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  if (options.pages !== undefined) {
    // A page served here runs in the server's own origin: let it use the API like any client.
    guard.allowedOrigins = [...guard.allowedOrigins, `http://${urlHost}:${port}`, `http://localhost:${port}`];
  }

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    wsUrl: `ws://${urlHost}:${port}/v1/ws`,
    port,
    token,
    outputRoot,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((r) => http.close(() => r()));
        // Jobs are cancelled while clients still listen, so they hear the final states.
        await queue.close();
        stopEvents();
        clearInterval(pinger);
        for (const close of [...closers]) close();
        await Promise.all([...wss.clients].map((ws) => closeSocket(ws)));
        wss.close();
        http.closeAllConnections();
        await stopped;
      })();
      return closing;
    },
  };
}
