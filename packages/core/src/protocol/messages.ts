import { Type, type Static } from '@sinclair/typebox';
import { closed } from './common.js';
import { WireErrorSchema } from './errors.js';
import { OPERATION_NAMES } from './operations.js';

const OpName = Type.Union(OPERATION_NAMES.map((o) => Type.Literal(o)));
const Id = Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Integer()]);

/** Lifecycle states of a job. */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
/** One of {@link JOB_STATES}. */
export type JobState = (typeof JOB_STATES)[number];

const TERMINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

/** True for the states a job never leaves (`succeeded`, `failed`, `cancelled`): its result or error is final. */
export function isTerminal(state: JobState): boolean {
  return TERMINAL_STATES.has(state);
}

/** Names of the `Sec-WebSocket-Protocol` values: the protocol itself and the token carrier. */
export const WS_SUBPROTOCOL = 'framewright.v1';

/**
 * HTTP request header naming the protocol version the request speaks (e.g. `1.1`). Without it a
 * request is taken as 1.0, the version that had no header; WebSocket clients negotiate in `hello`.
 */
export const PROTOCOL_VERSION_HEADER = 'framewright-protocol';
/** Prefix of the subprotocol that carries the bearer token where headers cannot be set (browsers, UXP). */
export const WS_TOKEN_SUBPROTOCOL_PREFIX = 'bearer.';

/** Port `framewright serve` listens on unless told otherwise: where clients look for a local engine first. */
export const DEFAULT_PORT = 7878;

/** A job as the server reports it. `result` and `progress` follow the operation's own schemas. */
export const JobSchema = closed(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    op: OpName,
    state: Type.Union(JOB_STATES.map((s) => Type.Literal(s))),
    createdAt: Type.String({ description: 'ISO 8601' }),
    startedAt: Type.Optional(Type.String()),
    finishedAt: Type.Optional(Type.String()),
    progress: Type.Optional(Type.Unknown()),
    result: Type.Optional(Type.Unknown()),
    error: Type.Optional(WireErrorSchema),
    waiting: Type.Optional(Type.String({ description: 'Why a queued job has not started, where the server knows (a cluster: no live worker takes its operation or model)' })),
  },
  { title: 'Job' },
);
/** A job as the server reports it. */
export type Job = Static<typeof JobSchema>;

/** Capability of one operation on a server. */
export const OperationCapabilitySchema = closed({
  op: OpName,
  available: Type.Boolean(),
  reason: Type.Optional(Type.String({ description: 'Why the operation is unavailable' })),
  models: Type.Optional(Type.Array(Type.String())),
  modes: Type.Optional(
    Type.Array(
      closed({
        mode: Type.String({ minLength: 1 }),
        available: Type.Boolean(),
        reason: Type.Optional(Type.String({ description: 'Why this mode is unavailable' })),
      }),
      { description: 'For operations with modes (video-gen): which modes run here; an available operation may have unavailable modes' },
    ),
  ),
});
/** Capability of one operation on a server. */
export type OperationCapability = Static<typeof OperationCapabilitySchema>;

/** `hello` params: the versions the client speaks, newest first. */
export const HelloParamsSchema = closed(
  {
    versions: Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { minItems: 1, maxItems: 20 }),
    client: Type.Optional(closed({ name: Type.String({ maxLength: 100 }), version: Type.String({ maxLength: 50 }) })),
  },
  { title: 'HelloParams' },
);
/** `hello` params. */
export type HelloParams = Static<typeof HelloParamsSchema>;

/** `hello` result: the version chosen and what the server can do. */
export const HelloResultSchema = closed(
  {
    version: Type.String(),
    server: closed({ name: Type.String(), version: Type.String() }),
    capabilities: closed({ operations: Type.Array(OperationCapabilitySchema) }),
  },
  { title: 'HelloResult' },
);
/** `hello` result. */
export type HelloResult = Static<typeof HelloResultSchema>;

/** `job.submit` params (also the body of `POST /v1/jobs`). */
export const SubmitParamsSchema = closed({ op: OpName, params: Type.Unknown() }, { title: 'SubmitParams' });
/** `job.submit` params. */
export type SubmitParams = Static<typeof SubmitParamsSchema>;

/** Params naming one job (`job.get`, `job.cancel`). */
export const JobRefParamsSchema = closed({ jobId: Type.String({ minLength: 1, maxLength: 200 }) }, { title: 'JobRefParams' });
/** Params naming one job. */
export type JobRefParams = Static<typeof JobRefParamsSchema>;

/** `job.list` result. */
export const JobListResultSchema = closed({ jobs: Type.Array(JobSchema) }, { title: 'JobListResult' });
/** `job.list` result. */
export type JobListResult = Static<typeof JobListResultSchema>;

/** `job.progress` notification params. */
export const ProgressNotificationSchema = closed({ jobId: Type.String(), op: OpName, progress: Type.Unknown() }, { title: 'ProgressNotification' });
/** `job.progress` notification params. */
export type ProgressNotification = Static<typeof ProgressNotificationSchema>;

/**
 * Request methods: params and result schemas. Progress and state changes arrive as the
 * notifications `job.progress` ({@link ProgressNotificationSchema}) and `job.state` (a {@link JobSchema}).
 */
export const METHODS = Object.freeze({
  hello: { params: HelloParamsSchema, result: HelloResultSchema },
  'job.submit': { params: SubmitParamsSchema, result: JobSchema },
  'job.get': { params: JobRefParamsSchema, result: JobSchema },
  'job.cancel': { params: JobRefParamsSchema, result: JobSchema },
  'job.list': { params: closed({}), result: JobListResultSchema },
});
/** A request method name. */
export type MethodName = keyof typeof METHODS;
/** Notification method names and their params schemas. */
export const NOTIFICATIONS = Object.freeze({ 'job.progress': ProgressNotificationSchema, 'job.state': JobSchema });
/** A notification method name. */
export type NotificationName = keyof typeof NOTIFICATIONS;

/** JSON-RPC 2.0 request. */
export const RpcRequestSchema = closed(
  { jsonrpc: Type.Literal('2.0'), id: Id, method: Type.String({ minLength: 1, maxLength: 100 }), params: Type.Optional(Type.Unknown()) },
  { title: 'RpcRequest' },
);
/** JSON-RPC 2.0 notification (no id). */
export const RpcNotificationSchema = closed(
  { jsonrpc: Type.Literal('2.0'), method: Type.String({ minLength: 1, maxLength: 100 }), params: Type.Optional(Type.Unknown()) },
  { title: 'RpcNotification' },
);
/** JSON-RPC 2.0 error object; `data` is the {@link WireErrorSchema | wire error}. */
export const RpcErrorObjectSchema = closed({ code: Type.Integer(), message: Type.String(), data: WireErrorSchema });
/** JSON-RPC 2.0 response: a result or an error. */
export const RpcResponseSchema = Type.Union(
  [
    closed({ jsonrpc: Type.Literal('2.0'), id: Id, result: Type.Unknown() }),
    closed({ jsonrpc: Type.Literal('2.0'), id: Type.Union([Id, Type.Null()]), error: RpcErrorObjectSchema }),
  ],
  { title: 'RpcResponse' },
);
/** JSON-RPC 2.0 request. */
export type RpcRequest = Static<typeof RpcRequestSchema>;
/** JSON-RPC 2.0 notification. */
export type RpcNotification = Static<typeof RpcNotificationSchema>;
/** JSON-RPC 2.0 response. */
export type RpcResponse = Static<typeof RpcResponseSchema>;

/** JSON-RPC numeric error codes used alongside the stable string codes. */
export const RPC_ERROR_CODES = { parseError: -32700, invalidRequest: -32600, methodNotFound: -32601, invalidParams: -32602, internal: -32603, application: -32000 } as const;

/** Error body of the HTTP transport. */
export const HttpErrorBodySchema = closed({ error: WireErrorSchema }, { title: 'HttpErrorBody' });
