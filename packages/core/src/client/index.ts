/**
 * The Framewright SDK client for host scripts, UXP panels and browser docks. Universal: it uses
 * no Node built-ins (a test checks the built bundle), only the protocol.
 *
 * Any new export added here becomes public API.
 *
 * @example
 * ```ts
 * import { FramewrightClient, WebSocketTransport } from '@framewright/core/client';
 *
 * const client = new FramewrightClient(() => new WebSocketTransport('ws://127.0.0.1:7878/v1/ws', { token }));
 * await client.connect();
 * const { clips } = await client.run('clip-cut', { input: '/videos/talk.mp4' });
 * await client.close();
 * ```
 * @packageDocumentation
 */
export { FramewrightClient } from './client.js';
export type { ClientInfo, FramewrightClientOptions, JobOf, PullModelOptions, ReconnectOptions, RunOptions } from './client.js';
export { SdkError, SDK_ERROR_CODES, isSdkError } from './errors.js';
export type { SdkErrorCode } from './errors.js';
export type { Transport, JsonRpcMessage } from './transport.js';
export { WebSocketTransport } from './websocket.js';
export type { WebSocketTransportOptions, WebSocketConstructor, WebSocketLike } from './websocket.js';
export { InMemoryTransport } from './in-memory.js';
export { CodedError, FramewrightError, isFramewrightError, ERROR_CODES, JOB_STATES, OPERATION_NAMES, PROTOCOL_VERSIONS, LATEST_PROTOCOL_VERSION } from '../protocol/index.js';
export type { CodedErrorJson, ErrorCode, HelloResult, Job, JobState, ModelsPullParams, ModelsPullProgress, ModelsPullResult, OperationName, OperationParams, OperationResult, OperationProgress } from '../protocol/index.js';
