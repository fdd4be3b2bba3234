import type { RawData, WebSocket } from 'ws';
import {
  assertOperationInVersion,
  assertValid,
  ERROR_STATUS,
  FramewrightError,
  findSchemaProblem,
  isTerminal,
  METHODS,
  negotiateVersion,
  operationInVersion,
  paramsInLatestMeaning,
  type ProtocolVersion,
  NOTIFICATIONS,
  RpcNotificationSchema,
  RpcRequestSchema,
  RpcResponseSchema,
  RPC_ERROR_CODES,
  toFramewrightError,
  type HelloParams,
  type HelloResult,
  type Job,
  type JobRefParams,
  type MethodName,
  type NotificationName,
  type RpcResponse,
  type SubmitParams,
} from '../protocol/index.js';
import { ENGINE_VERSION, listCapabilities } from '../engine/index.js';
import type { JobEvent } from '../jobs/index.js';
import type { ServerContext } from './context.js';
import { InvalidRequest, statusOf } from './errors.js';

/** Above this many unsent bytes a slow client misses progress notifications (never state ones). */
const PROGRESS_BACKLOG_BYTES = 1 << 20;

/**
 * The backlog above which progress is skipped for a client that may leave `limitBytes` unread:
 * well under the limit, so a slow client loses progress long before it is dropped.
 */
export function progressBacklogBytes(limitBytes: number): number {
  return Math.min(PROGRESS_BACKLOG_BYTES, Math.floor(limitBytes / 2));
}

/** The close code of a client dropped for not reading (1008: policy violation). */
export const NOT_READING_CLOSE_CODE = 1008;

/** How long a dropped client gets to take the close frame before its socket is destroyed. */
const DROP_GRACE_MS = 1000;

/** The close reason of a client dropped for not reading. */
export function notReadingReason(limitBytes: number): string {
  return `client is not reading; send buffer over ${Number((limitBytes / (1 << 20)).toFixed(2))} MB`;
}

type RequestId = string | number;

function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHODS, name);
}

/**
 * One WebSocket client speaking JSON-RPC 2.0. The first call must be `hello`. A client hears
 * `job.progress` and `job.state` notifications for the jobs it submitted, and for unfinished
 * jobs it asked about with `job.get` (so a reconnecting client picks its jobs up again).
 */
export class RpcConnection {
  private version: ProtocolVersion | undefined;
  private readonly watched = new Set<string>();

  constructor(
    private readonly socket: WebSocket,
    private readonly ctx: ServerContext,
  ) {}

  /** Handles one incoming message. */
  receive(data: RawData, isBinary: boolean): void {
    let message: unknown;
    try {
      if (isBinary) throw new Error('binary frames are not JSON-RPC');
      message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.sendError(null, new InvalidRequest(`message is not JSON: ${why}`, { rpc: RPC_ERROR_CODES.parseError }));
      return;
    }
    const id = this.idOf(message);
    if (typeof message === 'object' && message !== null && !Array.isArray(message) && !('id' in message) && findSchemaProblem(RpcNotificationSchema, message) === undefined) {
      return; // Clients have no notifications to send; JSON-RPC forbids answering one.
    }
    this.call(message)
      .then((result) => this.send({ jsonrpc: '2.0', id: id!, result }, (message as { method: MethodName }).method))
      .catch((error: unknown) => this.sendError(id, error));
  }

  private idOf(message: unknown): RequestId | null {
    const id = (message as { id?: unknown } | null)?.id;
    return (typeof id === 'string' && id.length > 0 && id.length <= 200) || Number.isInteger(id) ? (id as RequestId) : null;
  }

  private async call(message: unknown): Promise<unknown> {
    if (Array.isArray(message)) throw new FramewrightError('INVALID_REQUEST', 'JSON-RPC batches are not supported; send one request per message');
    assertValid(RpcRequestSchema, message, 'request', 'INVALID_REQUEST');
    const { method } = message;
    if (!isMethodName(method)) {
      throw new InvalidRequest(`unknown method ${JSON.stringify(method)}: known are ${Object.keys(METHODS).join(', ')}`, { rpc: RPC_ERROR_CODES.methodNotFound });
    }
    const params = message.params ?? {};
    assertValid(METHODS[method].params, params, `${method} params`);
    if (method === 'hello') return this.hello(params as HelloParams);
    if (this.version === undefined) throw new FramewrightError('INVALID_REQUEST', `call hello before ${method}`);
    switch (method) {
      case 'job.submit': {
        const { op, params: opParams } = params as SubmitParams;
        assertOperationInVersion(op, this.version);
        const job = await this.ctx.queue.submit(op, paramsInLatestMeaning(op, opParams, this.version));
        // Watched before the reply goes out; the job starts on a later turn, so no event is missed.
        this.watched.add(job.id);
        return job;
      }
      case 'job.get': {
        const job = this.visible(await this.ctx.queue.get((params as JobRefParams).jobId));
        if (!isTerminal(job.state)) this.watched.add(job.id);
        return job;
      }
      case 'job.cancel':
        this.visible(await this.ctx.queue.get((params as JobRefParams).jobId));
        return this.ctx.queue.cancel((params as JobRefParams).jobId);
      case 'job.list':
        return { jobs: (await this.ctx.queue.list()).filter((j) => operationInVersion(j.op, this.version!)) };
    }
  }

  /** A job of an operation this connection's version does not have is not there for it (its schemas could not read it). */
  private visible(job: Job): Job {
    if (!operationInVersion(job.op, this.version!)) throw new FramewrightError('JOB_NOT_FOUND', `no job with id ${JSON.stringify(job.id)}`);
    return job;
  }

  private async hello(params: HelloParams): Promise<HelloResult> {
    if (this.version !== undefined) throw new FramewrightError('INVALID_REQUEST', `hello was already answered (version ${this.version})`);
    const version = negotiateVersion(params.versions);
    const operations = this.ctx.queue.capabilities === undefined ? await listCapabilities(this.ctx.registry) : await this.ctx.queue.capabilities();
    this.version = version;
    // An older peer's schemas do not have the operations added after its version.
    return { version, server: { name: 'framewright', version: ENGINE_VERSION }, capabilities: { operations: operations.filter((o) => operationInVersion(o.op, version)) } };
  }

  /** Forwards a queue event when this client watches its job. */
  notify(event: JobEvent): void {
    const jobId = event.type === 'state' ? event.job.id : event.jobId;
    if (!this.watched.has(jobId)) return;
    if (event.type === 'progress') {
      if (this.socket.bufferedAmount > progressBacklogBytes(this.ctx.maxSendBufferBytes)) return;
      this.sendNotification('job.progress', { jobId, op: event.op, progress: event.progress });
    } else {
      this.sendNotification('job.state', event.job);
      if (isTerminal(event.job.state)) this.watched.delete(jobId);
    }
  }

  private sendNotification(method: NotificationName, params: unknown): void {
    if (this.ctx.validateOutgoing) {
      const problem = findSchemaProblem(NOTIFICATIONS[method], params);
      if (problem !== undefined) {
        this.ctx.log(`dropped invalid ${method} notification: ${problem.pointer} ${problem.message}`, 'warn');
        return;
      }
    }
    this.write({ jsonrpc: '2.0', method, params });
  }

  private send(response: RpcResponse, method: MethodName): void {
    if (this.ctx.validateOutgoing && 'result' in response) {
      const problem = findSchemaProblem(METHODS[method].result, response.result);
      if (problem !== undefined) {
        this.sendError(response.id, new FramewrightError('INTERNAL', `engine bug: ${method} result ${problem.pointer} ${problem.message}`));
        return;
      }
    }
    this.write(response);
  }

  private sendError(id: RequestId | null, error: unknown): void {
    const fe = toFramewrightError(error);
    this.write({ jsonrpc: '2.0', id, error: { code: statusOf(fe).rpc, message: fe.message, data: fe.toWire() } });
  }

  private write(message: object): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.ctx.validateOutgoing) {
      const schema = 'id' in message ? RpcResponseSchema : RpcNotificationSchema;
      const problem = findSchemaProblem(schema, message);
      if (problem !== undefined) {
        this.ctx.log(`refused to send an invalid message: ${problem.pointer} ${problem.message}`, 'warn');
        const wire = { code: 'INTERNAL' as const, message: 'engine bug: the server built an invalid message' };
        if ('id' in message) message = { jsonrpc: '2.0', id: this.idOf(message), error: { code: ERROR_STATUS.INTERNAL.rpc, message: wire.message, data: wire } };
        else return;
      }
    }
    // Checked before the send, so one large answer to a client that reads is never refused; a
    // client that stops reading holds at most the limit plus one message.
    if (this.socket.bufferedAmount > this.ctx.maxSendBufferBytes) {
      this.drop();
      return;
    }
    this.socket.send(JSON.stringify(message));
  }

  /** Drops a client that does not read: the close frame is queued, the socket destroyed soon after. */
  private drop(): void {
    const reason = notReadingReason(this.ctx.maxSendBufferBytes);
    this.ctx.log(`dropped a WebSocket client: ${reason}`, 'warn');
    this.socket.close(NOT_READING_CLOSE_CODE, reason);
    setTimeout(() => this.socket.terminate(), DROP_GRACE_MS).unref();
  }
}
