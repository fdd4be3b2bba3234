import { WS_SUBPROTOCOL, WS_TOKEN_SUBPROTOCOL_PREFIX } from '../protocol/index.js';
import { SdkError } from './errors.js';
import type { JsonRpcMessage, Transport } from './transport.js';

/**
 * The part of the WebSocket API the transport uses. The browser/UXP/Node 22+ `WebSocket` and the
 * `ws` package both fit. Handlers take `never` so either library's event types are accepted; the
 * transport reads the events defensively.
 */
export interface WebSocketLike {
  /** The subprotocol the server selected. */
  readonly protocol: string;
  /** Fires when the connection opens. */
  onopen: ((event: never) => void) | null;
  /** Fires for each frame; `event.data` is the text. */
  onmessage: ((event: never) => void) | null;
  /** Fires on a failure; some implementations (`ws`) carry the reason in `event.error`/`event.message`. */
  onerror: ((event: never) => void) | null;
  /** Fires once when the connection closes. */
  onclose: ((event: never) => void) | null;
  /** Sends one text frame. */
  send(data: string): void;
  /** Closes the connection. */
  close(code?: number, reason?: string): void;
}

/** A constructor of {@link WebSocketLike} sockets, such as `globalThis.WebSocket` or `ws`'s default export. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Options of {@link WebSocketTransport}. */
export interface WebSocketTransportOptions {
  /** The server's bearer token; sent as the `bearer.<token>` subprotocol because browsers cannot set headers. */
  token: string;
  /** WebSocket implementation (default `globalThis.WebSocket`; on Node 20 pass the `ws` package's export). */
  WebSocket?: WebSocketConstructor;
  /** Gives up opening after this many milliseconds (default 10 000). */
  connectTimeoutMs?: number;
  /**
   * Used after a failed open whose reason the WebSocket API hides (browsers, Node's built-in
   * WebSocket) to tell "nothing listens there" from "the server refused us" (default `globalThis.fetch`).
   */
  fetch?: (url: string, init: { mode: 'no-cors' }) => Promise<unknown>;
}

type ErrorDetail = { status?: number; code?: string; text?: string };

function detailOf(event: unknown): ErrorDetail {
  if (typeof event !== 'object' || event === null) return {};
  const e = event as { error?: { message?: unknown; code?: unknown }; message?: unknown };
  const text = [e.error?.message, e.message].find((m): m is string => typeof m === 'string' && m.length > 0);
  const code = typeof e.error?.code === 'string' ? e.error.code : undefined;
  // `ws` reports a refused upgrade as "Unexpected server response: 401".
  const status = text === undefined ? undefined : /server response: (\d{3})/.exec(text)?.[1];
  return { ...(status === undefined ? {} : { status: Number(status) }), ...(code === undefined ? {} : { code }), ...(text === undefined ? {} : { text }) };
}

/** `ws://host:port/v1/ws` → `http://host:port/v1/health` (the probe used to explain a failed open). */
function healthUrlOf(url: string): string | undefined {
  const m = /^(ws|wss):\/\/([^/?#]+)/i.exec(url);
  if (m === null) return undefined;
  return `${m[1]!.toLowerCase() === 'wss' ? 'https' : 'http'}://${m[2]!}/v1/health`;
}

/**
 * Connects the client to `framewright serve` over WebSocket (JSON-RPC 2.0, one JSON message per
 * text frame). Authenticates with the subprotocol pair [`framewright.v1`, `bearer.<token>`].
 *
 * @example
 * ```ts
 * const transport = new WebSocketTransport('ws://127.0.0.1:7878/v1/ws', { token });
 * ```
 */
export class WebSocketTransport implements Transport {
  private socket: WebSocketLike | undefined;
  /** Set once the connection is over (failed to open, or closed): `onclose` has fired if it was open. */
  private closed = false;
  /** Set by `close()`: nothing more is sent while the closing handshake runs. */
  private closing = false;

  /** {@inheritDoc Transport.onmessage} */
  onmessage?: (message: unknown) => void;
  /** {@inheritDoc Transport.onerror} */
  onerror?: (error: Error) => void;
  /** {@inheritDoc Transport.onclose} */
  onclose?: () => void;

  /**
   * Creates the transport; nothing is opened until the client connects.
   * @param url - the server's WebSocket endpoint, e.g. `ws://127.0.0.1:7878/v1/ws`
   * @param options - token and WebSocket implementation
   */
  constructor(
    readonly url: string,
    private readonly options: WebSocketTransportOptions,
  ) {}

  /** {@inheritDoc Transport.start} */
  start(): Promise<void> {
    if (this.socket !== undefined || this.closed) return Promise.reject(new SdkError('ALREADY_CONNECTED', 'a WebSocketTransport opens once; make a new one to reconnect'));
    const Ctor = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (Ctor === undefined) {
      return Promise.reject(new SdkError('CONNECTION_FAILED', 'this runtime has no global WebSocket (Node 20): pass the `ws` package as the WebSocket option'));
    }
    let socket: WebSocketLike;
    try {
      socket = new Ctor(this.url, [WS_SUBPROTOCOL, `${WS_TOKEN_SUBPROTOCOL_PREFIX}${this.options.token}`]);
    } catch (error) {
      return Promise.reject(new SdkError('CONNECTION_FAILED', `cannot open ${this.url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    }
    this.socket = socket;
    return new Promise<void>((resolve, reject) => {
      let detail: ErrorDetail = {};
      let settled = false;
      const timer = setTimeout(() => {
        fail(new SdkError('TIMEOUT', `no answer from ${this.url} within ${this.options.connectTimeoutMs ?? 10_000} ms`));
        socket.close();
      }, this.options.connectTimeoutMs ?? 10_000);
      const fail = (error: SdkError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.closed = true;
        reject(error);
      };
      socket.onopen = () => {
        if (settled) return;
        if (socket.protocol !== WS_SUBPROTOCOL) {
          fail(new SdkError('PROTOCOL_ERROR', `${this.url} answered with subprotocol "${socket.protocol}", expected "${WS_SUBPROTOCOL}": not a Framewright server?`));
          socket.close();
          return;
        }
        settled = true;
        clearTimeout(timer);
        this.attach(socket);
        resolve();
      };
      socket.onerror = ((event: unknown) => {
        detail = { ...detail, ...detailOf(event) };
      }) as (event: never) => void;
      socket.onclose = (() => {
        if (settled) return;
        void this.explainFailure(detail).then(fail);
      }) as (event: never) => void;
    });
  }

  /** {@inheritDoc Transport.send} */
  send(message: JsonRpcMessage): Promise<void> {
    const socket = this.socket;
    if (socket === undefined || this.closed || this.closing) return Promise.reject(new SdkError('CONNECTION_CLOSED', `connection to ${this.url} is closed`));
    try {
      socket.send(JSON.stringify(message));
    } catch (error) {
      return Promise.reject(new SdkError('CONNECTION_CLOSED', `cannot send to ${this.url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    }
    return Promise.resolve();
  }

  /** {@inheritDoc Transport.close} */
  close(): Promise<void> {
    if (this.socket === undefined) {
      this.closed = true;
      return Promise.resolve();
    }
    this.closing = true;
    this.socket.close(1000, 'client closed');
    return Promise.resolve();
  }

  private attach(socket: WebSocketLike): void {
    socket.onmessage = ((event: { data: unknown }) => {
      const text = typeof event.data === 'string' ? event.data : event.data instanceof ArrayBuffer ? new TextDecoder().decode(event.data) : String(event.data);
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        this.onerror?.(new SdkError('PROTOCOL_ERROR', `${this.url} sent a frame that is not JSON: ${text.slice(0, 80)}`));
        return;
      }
      this.onmessage?.(message);
    }) as (event: never) => void;
    socket.onerror = ((event: unknown) => {
      const { text } = detailOf(event);
      this.onerror?.(new SdkError('CONNECTION_CLOSED', `connection to ${this.url} failed${text === undefined ? '' : `: ${text}`}`));
    }) as (event: never) => void;
    socket.onclose = (() => {
      if (this.closed) return;
      this.closed = true;
      this.onclose?.();
    }) as (event: never) => void;
  }

  /** Turns a failed open into a message that says what to do. */
  private async explainFailure(detail: ErrorDetail): Promise<SdkError> {
    const url = this.url;
    const refusedToken = new SdkError('CONNECTION_REJECTED', `the server at ${url} refused the token (HTTP 401): use the token from the server's token file (see \`framewright doctor\`)`);
    const notRunning = new SdkError('CONNECTION_FAILED', `no Framewright server is listening at ${url}: start one with \`framewright serve\``);
    if (detail.status === 401) return refusedToken;
    if (detail.status !== undefined) {
      return new SdkError('CONNECTION_REJECTED', `the server at ${url} refused the WebSocket connection (HTTP ${detail.status}${detail.status === 403 ? ': Origin or Host not allowed' : ''})`);
    }
    if (detail.code === 'ECONNREFUSED' || detail.code === 'ENOTFOUND' || detail.code === 'EHOSTUNREACH') return notRunning;
    if (detail.text !== undefined) return new SdkError('CONNECTION_FAILED', `cannot connect to ${url}: ${detail.text}`);
    // The WebSocket API hides the reason; a plain HTTP request tells whether anything listens.
    const probe = this.options.fetch ?? (globalThis as { fetch?: WebSocketTransportOptions['fetch'] }).fetch;
    const healthUrl = healthUrlOf(url);
    if (probe === undefined || healthUrl === undefined) {
      return new SdkError('CONNECTION_FAILED', `cannot connect to ${url}: the server is not running, or it refused the token`);
    }
    try {
      await probe(healthUrl, { mode: 'no-cors' });
    } catch {
      return notRunning;
    }
    return new SdkError(
      'CONNECTION_REJECTED',
      `the server at ${url} is running but refused the WebSocket connection: the token is wrong (or this Origin is not allowed)`,
    );
  }
}
