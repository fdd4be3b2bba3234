/**
 * The Framewright protocol: JSON Schemas (draft 2020-12), static types, validators and error
 * codes shared by the engine, the SDK client and every host adapter. Universal code: it runs in
 * Node, browsers and UXP.
 *
 * Any new export added here becomes public API.
 *
 * @example Validate params before sending them
 * The full example, `docs/examples/protocol.ts`, is compiled by `npm run typecheck`.
 * ```ts
 * import { assertValid, ClipCutParamsSchema, FramewrightError } from '@framewright/core/protocol';
 *
 * try {
 *   assertValid(ClipCutParamsSchema, params, 'clip-cut params'); // narrows params to ClipCutParams
 * } catch (error) {
 *   if (error instanceof FramewrightError) console.error(error.code, error.pointer, error.message); // INVALID_PARAMS
 * }
 * ```
 * @packageDocumentation
 */
export { ERROR_CODES, WireErrorSchema, CodedError, FramewrightError, cancelled, isFramewrightError, toFramewrightError, oneLine } from './errors.js';
export type { ErrorCode, WireError, CodedErrorJson } from './errors.js';
export { ERROR_STATUS } from './error-status.js';
export type { ErrorStatus } from './error-status.js';
export { PROTOCOL_VERSIONS, LATEST_PROTOCOL_VERSION, negotiateVersion } from './versions.js';
export type { ProtocolVersion } from './versions.js';
export { OPERATIONS, OPERATION_NAMES, assertOperationInVersion, isOperationName, operationInVersion, paramsInLatestMeaning } from './operations.js';
export type { OperationName, OperationSchemas, OperationTypes, OperationParams, OperationResult, OperationProgress } from './operations.js';
export { ClipCutParamsSchema, ClipCutResultSchema, ClipCutProgressSchema, CLIP_CUT_DETECTORS, CLIP_CUT_EXPORTS, CLIP_CUT_REMOVALS } from './ops/clip-cut.js';
export type { ClipCutParams, ClipCutResult, ClipCutProgress } from './ops/clip-cut.js';
export { SubtitlesParamsSchema, SubtitlesResultSchema, SubtitlesProgressSchema, SUBTITLES_FORMATS, SUBTITLES_TASKS } from './ops/subtitles.js';
export type { SubtitlesParams, SubtitlesResult, SubtitlesProgress } from './ops/subtitles.js';
export { ModelsPullParamsSchema, ModelsPullResultSchema, ModelsPullProgressSchema } from './ops/models-pull.js';
export type { ModelsPullParams, ModelsPullResult, ModelsPullProgress } from './ops/models-pull.js';
export { ImageGenParamsSchema, ImageGenResultSchema, ImageGenProgressSchema } from './ops/image-gen.js';
export type { ImageGenParams, ImageGenResult, ImageGenProgress } from './ops/image-gen.js';
export { VideoGenParamsSchema, VideoGenResultSchema, VideoGenProgressSchema, VIDEO_GEN_MODES, VIDEO_GEN_MOTIONS } from './ops/video-gen.js';
export type { VideoGenParams, VideoGenResult, VideoGenProgress, CameraMotion } from './ops/video-gen.js';
export {
  JOB_STATES,
  isTerminal,
  JobSchema,
  OperationCapabilitySchema,
  HelloParamsSchema,
  HelloResultSchema,
  SubmitParamsSchema,
  JobRefParamsSchema,
  JobListResultSchema,
  ProgressNotificationSchema,
  METHODS,
  NOTIFICATIONS,
  RpcRequestSchema,
  RpcNotificationSchema,
  RpcResponseSchema,
  RpcErrorObjectSchema,
  RPC_ERROR_CODES,
  HttpErrorBodySchema,
  WS_SUBPROTOCOL,
  PROTOCOL_VERSION_HEADER,
  WS_TOKEN_SUBPROTOCOL_PREFIX,
  DEFAULT_PORT,
} from './messages.js';
export type {
  JobState,
  Job,
  OperationCapability,
  HelloParams,
  HelloResult,
  SubmitParams,
  JobRefParams,
  JobListResult,
  ProgressNotification,
  MethodName,
  NotificationName,
  RpcRequest,
  RpcNotification,
  RpcResponse,
} from './messages.js';
export { assertValid, findSchemaProblem } from './validate.js';
export type { SchemaProblem } from './validate.js';
export { publishedSchemas, SCHEMA_DIALECT } from './publish.js';
