import type { Static, TSchema } from '@sinclair/typebox';
import {
  FramewrightError,
  findSchemaProblem,
  METHODS,
  NOTIFICATIONS,
  RPC_ERROR_CODES,
  RpcNotificationSchema,
  RpcResponseSchema,
  type MethodName,
  type NotificationName,
  type RpcResponse,
} from '../protocol/index.js';
import { SdkError } from './errors.js';
import type { Transport } from './transport.js';

/** Params of request method `M`. */
export type MethodParams<M extends MethodName> = Static<(typeof METHODS)[M]['params']>;
/** Result of request method `M`. */
export type MethodResult<M extends MethodName> = Static<(typeof METHODS)[M]['result']>;
/** Params of notification `N`. */
export type NotificationParams<N extends NotificationName> = Static<(typeof NOTIFICATIONS)[N]>;

/** A notification that passed validation. */
export type ValidNotification = { [N in NotificationName]: { method: N; params: NotificationParams<N> } }[NotificationName];

interface Pending {
  method: MethodName;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Checks a value that arrived against its schema; a mismatch is the server breaking the protocol. */
export function checkArrived<T extends TSchema>(schema: T, value: unknown, what: string): Static<T> {
  const problem = findSchemaProblem(schema, value);
  if (problem !== undefined) {
    throw new SdkError('PROTOCOL_ERROR', `server sent an invalid ${what}: ${problem.pointer === '' ? '' : `${problem.pointer} `}${problem.message}`);
  }
  return value as Static<T>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * One JSON-RPC 2.0 conversation over one transport: numbers requests, matches responses,
 * enforces time limits and validates every message that arrives against the protocol schemas.
 * Internal to the client; reconnecting makes a new session.
 */
export class RpcSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  /** Receives notifications that passed validation. */
  onnotification?: (notification: ValidNotification) => void;
  /** Receives problems that are not tied to a request (invalid notifications, stray frames). */
  onerror?: (error: Error) => void;
  /** Called once when the transport closes. */
  onclose?: () => void;

  constructor(
    private readonly transport: Transport,
    private readonly requestTimeoutMs: number,
  ) {
    transport.onmessage = (message) => this.receive(message);
    transport.onerror = (error) => this.onerror?.(error);
    transport.onclose = () => this.handleClose();
  }

  /** Opens the transport. */
  start(): Promise<void> {
    return this.transport.start();
  }

  /** Closes the transport; pending requests reject with `CONNECTION_CLOSED`. */
  async close(): Promise<void> {
    await this.transport.close();
    this.handleClose();
  }

  /** Sends a request and resolves with its validated result. */
  request<M extends MethodName>(method: M, params: MethodParams<M>, timeoutMs = this.requestTimeoutMs): Promise<MethodResult<M>> {
    if (this.closed) return Promise.reject(new SdkError('CONNECTION_CLOSED', `connection closed before ${method} could be sent`));
    const id = this.nextId++;
    return new Promise<MethodResult<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SdkError('TIMEOUT', `${method} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (r: unknown) => void, reject, timer });
      this.transport.send({ jsonrpc: '2.0', id, method, params }).catch((error: unknown) => {
        this.settle(id)?.reject(error instanceof Error ? error : new SdkError('CONNECTION_CLOSED', String(error)));
      });
    });
  }

  private settle(id: unknown): Pending | undefined {
    if (typeof id !== 'number') return undefined;
    const pending = this.pending.get(id);
    if (pending === undefined) return undefined;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    return pending;
  }

  private receive(message: unknown): void {
    if (!isObject(message)) {
      this.onerror?.(new SdkError('PROTOCOL_ERROR', 'server sent a message that is not a JSON object'));
      return;
    }
    if ('method' in message) {
      if ('id' in message) this.refuseRequest(message['id'], message['method']);
      else this.receiveNotification(message);
      return;
    }
    this.receiveResponse(message);
  }

  private receiveResponse(message: Record<string, unknown>): void {
    let response: RpcResponse;
    try {
      response = checkArrived(RpcResponseSchema, message, 'JSON-RPC response');
    } catch (error) {
      const pending = this.settle(message['id']);
      if (pending === undefined) this.onerror?.(error as Error);
      else pending.reject(error as Error);
      return;
    }
    const pending = this.settle(response.id);
    if (pending === undefined) {
      this.onerror?.(new SdkError('PROTOCOL_ERROR', `server answered a request that is not pending (id ${JSON.stringify(response.id)})`));
      return;
    }
    if ('error' in response) {
      pending.reject(FramewrightError.fromWire(response.error.data));
      return;
    }
    try {
      pending.resolve(checkArrived(METHODS[pending.method].result, response.result, `${pending.method} result`));
    } catch (error) {
      pending.reject(error as Error);
    }
  }

  private receiveNotification(message: Record<string, unknown>): void {
    try {
      const notification = checkArrived(RpcNotificationSchema, message, 'JSON-RPC notification');
      // Notifications this version does not know are ignored, as JSON-RPC allows, so a newer
      // server can add some without breaking older clients.
      if (!Object.hasOwn(NOTIFICATIONS, notification.method)) return;
      const method = notification.method as NotificationName;
      const params = checkArrived(NOTIFICATIONS[method], notification.params, `${method} notification`);
      this.onnotification?.({ method, params } as ValidNotification);
    } catch (error) {
      this.onerror?.(error as Error);
    }
  }

  /** The client serves no methods; a request from the server gets a JSON-RPC "method not found". */
  private refuseRequest(id: unknown, method: unknown): void {
    if (typeof id !== 'string' && typeof id !== 'number') return;
    const text = `the client serves no methods (got ${String(method).slice(0, 100)})`;
    void this.transport
      .send({ jsonrpc: '2.0', id, error: { code: RPC_ERROR_CODES.methodNotFound, message: text, data: { code: 'INVALID_REQUEST', message: text } } })
      .catch(() => undefined);
  }

  private handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, pending] of [...this.pending]) {
      this.pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(new SdkError('CONNECTION_CLOSED', `connection closed while waiting for ${pending.method}`));
    }
    this.onclose?.();
  }
}
