/**
 * The local server (`framewright serve`): JSON-RPC 2.0 over WebSocket at `/v1/ws` and HTTP JSON
 * with Server-Sent Events under `/v1`, bound to loopback, behind a bearer token.
 */
import { mkdir } from 'node:fs/promises';
import { createServer, STATUS_CODES, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { join, resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFAULT_PORT, FramewrightError, toFramewrightError, WS_SUBPROTOCOL } from '../protocol/index.js';
import { configuredAllowedOrigins, loadOrCreateToken, resolvePaths } from '../config/index.js';
import { OPERATION_REGISTRY, type OperationRegistry } from '../ops/index.js';
import { JobJournal, JobQueue, type JobService } from '../jobs/index.js';
import { engineJobRunner } from './engine-runner.js';
import type { ServerContext } from './context.js';
import { InvalidRequest, statusOf } from './errors.js';
import { handleHttp } from './http.js';
import { DEFAULT_MAX_UPLOAD_BYTES } from './files.js';
import type { StaticPages } from './pages.js';
import { RpcConnection } from './rpc.js';
import { checkHost, checkOrigin, checkToken, type GuardOptions } from './security.js';
import { stderrLogger, type Logger } from '../util/log.js';

const PING_INTERVAL_MS = 30_000;

export { DEFAULT_PORT } from '../protocol/index.js';
export { DEFAULT_MAX_UPLOAD_BYTES } from './files.js';

/** Default of {@link ServerOptions.maxSendBufferBytes}: 8 MiB. */
export const DEFAULT_MAX_SEND_BUFFER_BYTES = 8 << 20;

/** Tries at picking a free port (port 0) that is free on both 127.0.0.1 and ::1. */
const PORT_PAIR_TRIES = 5;

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
  /**
   * Put jobs on the BullMQ queues of a cluster in this Redis (`redis://host:port[/db]`) instead
   * of running them in this process: `framewright worker` processes run them, and job records
   * live in Redis, so any server answers for any job. Protocol, token and checks stay the same.
   */
  queue?: string;
  /** Key prefix of the cluster in Redis (default `fw`); with {@link ServerOptions.queue}. */
  queuePrefix?: string;
  /** The operations to run (default: the built-in registry); tests inject fakes. @internal */
  registry?: OperationRegistry;
  /** Largest request body or WebSocket message, in bytes (default 1 MiB). */
  maxMessageBytes?: number;
  /** Largest file upload (`PUT /v1/files/<name>`), in bytes (default 8 GiB). */
  maxUploadBytes?: number;
  /** Most memory one job may need by its operation's estimate, in bytes; larger submits are refused with `INVALID_PARAMS` (default: half this machine's memory, at most 32 GiB). */
  memoryBudgetBytes?: number;
  /**
   * Most bytes a client may leave unread (WebSocket send buffer, SSE stream) before it is dropped
   * (default {@link DEFAULT_MAX_SEND_BUFFER_BYTES}).
   */
  maxSendBufferBytes?: number;
  /** Validate every outgoing WebSocket message against its schema (default true). */
  validateOutgoing?: boolean;
  /**
   * Static pages served without a token by URL prefix, e.g. `{ '/dock/': dockFolder }` for the
   * OBS dock. The server's own origin is then allowed too, so those pages can open the WebSocket.
   */
  pages?: StaticPages;
  /**
   * Receives the server's log lines: what it removed of the jobs a crash cut off when it started,
   * clients it dropped for not reading, messages it refused to send (default: standard error,
   * prefixed `framewright: `).
   */
  log?: Logger;
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
  /**
   * Stops listening, closes clients, cancels running jobs (killing their children) and waits for the
   * journal. With a cluster queue the jobs go on, on the workers.
   */
  close(): Promise<void>;
}

function refuseUpgrade(socket: Duplex, error: unknown): void {
  const fe = toFramewrightError(error);
  const status = statusOf(fe).http;
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

function listen(server: HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, host, () => {
      server.off('error', rejectListen);
      const address = server.address();
      resolveListen(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function closeListener(server: HttpServer): Promise<void> {
  return new Promise((r) => (server.listening ? server.close(() => r()) : r()));
}

/**
 * Listens on `host`, and for the default 127.0.0.1 on ::1 too with the same port: `localhost` may
 * resolve to ::1, and a Host of `[::1]` is accepted, so the server must be there (and not some
 * other program). A machine without IPv6 loopback keeps the IPv4 listener alone.
 *
 * @returns the port
 */
async function listenAll(host: string, requested: number, newListener: () => HttpServer): Promise<number> {
  const refuse = (where: string, port: number, error: NodeJS.ErrnoException) =>
    new FramewrightError('INTERNAL', `cannot listen on ${where}:${port}: ${error.code ?? error.message}`, { cause: error });
  const first = newListener();
  for (let attempt = 1; ; attempt++) {
    let port: number;
    try {
      port = await listen(first, requested, host);
    } catch (error) {
      throw refuse(host, requested, error as NodeJS.ErrnoException);
    }
    if (host !== '127.0.0.1') return port;
    try {
      await listen(newListener(), port, '::1');
      return port;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return port;
      // The picked free port is taken on ::1 only: pick another pair.
      if (code === 'EADDRINUSE' && requested === 0 && attempt < PORT_PAIR_TRIES) {
        await closeListener(first);
        continue;
      }
      await closeListener(first);
      throw refuse('::1', port, error as NodeJS.ErrnoException);
    }
  }
}

function checkUpgrade(req: IncomingMessage, guard: GuardOptions): void {
  checkHost(req, guard);
  checkOrigin(req, guard);
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path !== '/v1/ws') throw new InvalidRequest(`no WebSocket endpoint at ${path} (use /v1/ws)`, { http: 404 });
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
 * @group Start a server
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const paths = resolvePaths();
  const host = options.host ?? '127.0.0.1';
  const outputRoot = resolve(options.outputRoot ?? paths.outputRoot.path);
  await mkdir(outputRoot, { recursive: true });
  const token = options.token ?? (await loadOrCreateToken(options.configDir ?? paths.configDir.path));
  const registry = options.registry ?? OPERATION_REGISTRY;
  const log = options.log ?? stderrLogger;
  const queue: JobService =
    options.queue === undefined
      ? await JobQueue.open({
          runner: engineJobRunner({ outputRoot, registry, ...(options.memoryBudgetBytes === undefined ? {} : { memoryBudgetBytes: options.memoryBudgetBytes }) }),
          journal: new JobJournal(join(options.dataDir ?? paths.dataDir.path, 'jobs')),
          ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          log,
        })
      : await (await import('../cluster/index.js')).RedisJobQueue.open({ url: options.queue, outputRoot, log, ...(options.queuePrefix === undefined ? {} : { prefix: options.queuePrefix }) });

  const closers = new Set<() => void>();
  const guard: { -readonly [K in keyof GuardOptions]: GuardOptions[K] } = { token, host, port: 0, allowedOrigins: options.allowedOrigins ?? configuredAllowedOrigins() };
  const ctx: ServerContext = {
    queue,
    guard,
    registry,
    outputRoot,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    maxMessageBytes: options.maxMessageBytes ?? 1 << 20,
    maxSendBufferBytes: options.maxSendBufferBytes ?? DEFAULT_MAX_SEND_BUFFER_BYTES,
    validateOutgoing: options.validateOutgoing ?? true,
    log,
    ...(options.pages === undefined ? {} : { pages: options.pages }),
    onClose: (close) => {
      closers.add(close);
      return () => closers.delete(close);
    },
  };

  const listeners: HttpServer[] = [];
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
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
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
  };
  const newListener = (): HttpServer => {
    const server = createServer((req, res) => handleHttp(req, res, ctx));
    server.on('upgrade', onUpgrade);
    listeners.push(server);
    return server;
  };
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

  const port = await listenAll(host, options.port ?? DEFAULT_PORT, newListener).catch(async (error: unknown) => {
    await queue.close();
    throw error;
  });
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
        const stopped = Promise.all(listeners.map(closeListener));
        // Jobs are cancelled while clients still listen, so they hear the final states.
        await queue.close();
        stopEvents();
        clearInterval(pinger);
        for (const close of [...closers]) close();
        await Promise.all([...wss.clients].map((ws) => closeSocket(ws)));
        wss.close();
        for (const server of listeners) server.closeAllConnections();
        await stopped;
      })();
      return closing;
    },
  };
}
