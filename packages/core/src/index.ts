/**
 * `@framewright/core`: the Framewright engine for Node — what a host script calls.
 *
 * - {@link runOperation} runs clip-cut, image-gen or video-gen in this process, with progress and
 *   cancel; {@link checkOperation} asks first, creating nothing.
 * - {@link listCapabilities} says what runs on this machine, and why not.
 * - {@link startServer} starts the local server that adapters and the SDK client talk to.
 * - {@link listInstalledModels}, {@link findModelPack} and {@link verifyModelPack} find and check model packs.
 * - Every failure is a {@link FramewrightError} with a stable `code`.
 *
 * The params, result and progress types of every operation come from the protocol and are
 * re-exported here.
 *
 * @example
 * ```ts
 * import { runOperation } from '@framewright/core';
 *
 * const result = await runOperation('clip-cut', { input: 'talk.mp4', outputDir: 'cuts', exports: ['edl'] }, {
 *   onProgress: (p) => console.log(p.stage, p.fraction),
 * });
 * console.log(result.clips.length, result.outputs.edl);
 * ```
 *
 * Other entry points: `@framewright/core/client` (the SDK client for a running `framewright serve`,
 * universal), `@framewright/core/protocol` (schemas, validators, every wire type),
 * `@framewright/core/host` (config paths and token for Node adapters),
 * `@framewright/core/cluster` (the worker side of `serve --queue`) and
 * `@framewright/core/train` (the transformer, the trainer, ONNX export and runtime).
 *
 * Any new export added here becomes public API; test/api-report.test.ts holds the list.
 * @packageDocumentation
 */
export { runOperation, checkOperation, listCapabilities, ENGINE_VERSION } from './engine/index.js';
export type { RunOptions } from './engine/index.js';
export { defaultMemoryBudget } from './engine/memory-budget.js';
export { startServer, DEFAULT_PORT, DEFAULT_MAX_SEND_BUFFER_BYTES } from './server/index.js';
export type { ServerOptions, RunningServer } from './server/index.js';
export type { Logger, LogLevel } from './util/log.js';
export { CodedError, FramewrightError, isFramewrightError, ERROR_CODES, OPERATION_NAMES, CLIP_CUT_DETECTORS, CLIP_CUT_EXPORTS, VIDEO_GEN_MODES } from './protocol/index.js';
export type {
  CodedErrorJson,
  ErrorCode,
  WireError,
  OperationName,
  OperationParams,
  OperationResult,
  OperationProgress,
  OperationCapability,
  ClipCutParams,
  ClipCutResult,
  ClipCutProgress,
  ImageGenParams,
  ImageGenResult,
  ImageGenProgress,
  VideoGenParams,
  VideoGenResult,
  VideoGenProgress,
} from './protocol/index.js';
export { listInstalledModels, findModelPack, readModelPack, verifyModelPack, modelSearchDirs, ModelManifestSchema, MODEL_MANIFEST_NAME, MODEL_FAMILIES, MODELS_DIR_ENV } from './models/index.js';
export type { ModelManifest, ModelPack, ModelFamily, InstalledModel, PackVerification, FileCheck, ModelSearchOptions } from './models/index.js';
export { pullModel, importModel } from './models/index.js';
export type { PullOptions, PullResult, ImportResult } from './models/index.js';
