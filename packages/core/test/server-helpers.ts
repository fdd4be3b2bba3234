// Helpers for server tests: a raw JSON-RPC client over `ws` that validates everything it receives,
// raw HTTP requests (custom Host/Origin headers) and an SSE reader.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import {
  FramewrightError,
  findSchemaProblem,
  METHODS,
  NOTIFICATIONS,
  RpcNotificationSchema,
  RpcResponseSchema,
  type MethodName,
  type NotificationName,
  type WireError,
} from '../src/protocol/index.js';

/** A notification as received. */
export interface Notification {
  method: NotificationName;
  params: unknown;
}

/** A JSON-RPC error as received. */
export interface RpcFailure {
  code: number;
  message: string;
  data: WireError;
}

/** A raw JSON-RPC client that checks every incoming message against the protocol schemas. */
export class RpcTestClient {
  readonly notifications: Notification[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, { method: MethodName | undefined; resolve: (v: { result?: unknown; error?: RpcFailure }) => void }>();
  private readonly waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.receive(String(data)));
  }

  /** Connects with the token as the subprotocol pair (as browsers do) or as a header. */
  static connect(url: string, token: string, options: { via?: 'header' | 'subprotocol'; origin?: string } = {}): Promise<RpcTestClient> {
    const headers: Record<string, string> = options.origin === undefined ? {} : { origin: options.origin };
    const socket =
      options.via === 'header'
        ? new WebSocket(url, { headers: { ...headers, authorization: `Bearer ${token}` } })
        : new WebSocket(url, ['framewright.v1', `bearer.${token}`], { headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RpcTestClient(socket)));
      socket.once('error', reject);
    });
  }

  private receive(text: string): void {
    const message = JSON.parse(text) as Record<string, unknown>;
    if ('id' in message) {
      const problem = findSchemaProblem(RpcResponseSchema, message);
      if (problem !== undefined) throw new Error(`invalid response ${problem.pointer} ${problem.message}: ${text}`);
      const waiter = this.pending.get(message['id'] as number);
      this.pending.delete(message['id'] as number);
      if (waiter?.method !== undefined && 'result' in message) {
        const p = findSchemaProblem(METHODS[waiter.method].result, message['result']);
        if (p !== undefined) throw new Error(`invalid ${waiter.method} result ${p.pointer} ${p.message}`);
      }
      waiter?.resolve(message as { result?: unknown; error?: RpcFailure });
    } else {
      const problem = findSchemaProblem(RpcNotificationSchema, message);
      if (problem !== undefined) throw new Error(`invalid notification ${problem.pointer} ${problem.message}`);
      const method = message['method'] as NotificationName;
      const p = findSchemaProblem(NOTIFICATIONS[method], message['params']);
      if (p !== undefined) throw new Error(`invalid ${method} params ${p.pointer} ${p.message}`);
      this.notifications.push({ method, params: message['params'] });
      for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /** Sends raw text and resolves with the next response whose id is `id` (or null). */
  raw(text: string, id: number | null = null): Promise<{ result?: unknown; error?: RpcFailure }> {
    return new Promise((resolve) => {
      if (id === null) {
        this.socket.once('message', (data) => resolve(JSON.parse(String(data)) as { error?: RpcFailure }));
      } else {
        this.pending.set(id, { method: undefined, resolve });
      }
      this.socket.send(text);
    });
  }

  /** Calls a method; resolves with `{ result }` or `{ error }`. */
  request(method: string, params?: unknown): Promise<{ result?: unknown; error?: RpcFailure }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { method: Object.hasOwn(METHODS, method) ? (method as MethodName) : undefined, resolve });
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
    });
  }

  /** Calls a method and returns its result, or throws the wire error as a FramewrightError. */
  async call<T = unknown>(method: string, params?: unknown): Promise<T> {
    const answer = await this.request(method, params);
    if (answer.error !== undefined) throw FramewrightError.fromWire(answer.error.data);
    return answer.result as T;
  }

  /** Waits until a received notification satisfies `predicate`. */
  async waitFor(predicate: (n: Notification) => boolean, timeoutMs = 20_000): Promise<Notification> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.notifications.find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error('timed out waiting for a notification');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** Closes the socket and waits for it to close. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

/** Tries a WebSocket upgrade and resolves with the HTTP status (101 when accepted) and the body of a refusal. */
export function upgradeStatus(url: string, options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<{ status: number; body: string; protocol?: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
    socket.once('open', () => {
      resolve({ status: 101, body: '', protocol: socket.protocol });
      socket.close();
    });
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

/** A raw HTTP exchange. */
export interface HttpExchange {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/** Sends an HTTP request to the server at `port` on 127.0.0.1 with full control of the headers. */
export function http(port: number, method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<HttpExchange> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Reads a Server-Sent Events stream to its end and returns its events. */
export async function readSse(port: number, path: string, token: string): Promise<Array<{ event: string; data: unknown }>> {
  const { status, text } = await http(port, 'GET', path, { headers: { authorization: `Bearer ${token}` } });
  if (status !== 200) throw new Error(`SSE ${path} answered ${status}: ${text}`);
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event:'))
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return { event: eventLine!.slice('event: '.length), data: JSON.parse(dataLine!.slice('data: '.length)) as unknown };
    });
}
