/**
 * `@framewright/core`: the Framewright engine for Node — run operations in-process, start the
 * local server, and reach the protocol types.
 *
 * Node scripts that need no server run operations in-process with `runOperation` (same
 * validation, errors and progress as the server; outputs go where `outputDir` says):
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
 * Host scripts that talk to `framewright serve` use the universal SDK client,
 * `@framewright/core/client`.
 *
 * Any new export added here becomes public API.
 * @packageDocumentation
 */
export * from './protocol/index.js';
export { ENGINE_VERSION, runOperation, checkOperation, listCapabilities } from './engine/index.js';
export type { RunOptions } from './engine/index.js';
export { probe, resolveTools, generateSampleVideo } from './media/index.js';
export type { MediaInfo, AudioInfo, Rational, ToolInfo, ResolvedTool, ToolSource, SampleVideo, SampleVideoOptions, Silence } from './media/index.js';
export { OPERATION_REGISTRY } from './ops/index.js';
export type { OperationRegistry, Operation, OperationContext, Availability, ModeAvailability } from './ops/index.js';
export { JobQueue, JobJournal, engineJobRunner, isTerminal } from './jobs/index.js';
export type { JobEvent, JobStateEvent, JobProgressEvent, JobQueueOptions, JobRunContext, JobRunner, EngineJobRunnerOptions } from './jobs/index.js';
export { startServer, DEFAULT_PORT } from './server/index.js';
export type { ServerOptions, RunningServer } from './server/index.js';
export { resolvePaths, loadOrCreateToken, describeConfig, configuredAllowedOrigins } from './config/index.js';
export type { FramewrightPaths, ConfiguredPath, PathEnvironment, ConfigEntry } from './config/index.js';
export * from './transformer/index.js';
export * from './train/index.js';
export { BUILTIN_TASKS, shapesMaskGitTask, shapesMaskGitCentredTask, shapesVocabulary, cosineMaskRatio, sampleExample, motionMaskGitTask, motionVocabulary, sampleMotionExample } from './builtin/index.js';
export type { ShapesExample, MotionExample } from './builtin/index.js';
export { initTfjsBackend, describeTfjsBackend, formatTfjsBackendReport, forcedTfjsBackend, isTfjsBackendName, TFJS_BACKEND_NAMES, TFJS_BACKEND_ENV } from './runtime/tfjs-backend.js';
export type { TfjsBackendName, TfjsBackendReport, TfjsBackendAttempt } from './runtime/tfjs-backend.js';
export { exportToOnnx, writeOnnxModel, DEFAULT_ONNX_OPSET, ONNX_IR_VERSION_BY_OPSET } from './transformer/onnx/index.js';
export type { OnnxExport, OnnxExportOptions } from './transformer/onnx/index.js';
export { inspectOnnxModel } from './onnx/index.js';
export type { OnnxModelSummary, OnnxValueSummary, OnnxDim } from './onnx/index.js';
export { OnnxSession, createOnnxSession, openOnnxSession, closeOnnxSessions, cachedOnnxSessionCount } from './runtime/onnx-session.js';
export type { OnnxSessionOptions, OnnxTensorValue, OnnxTensorData, OnnxValueSpec } from './runtime/onnx-session.js';
export { resolveOnnxProviders, formatOnnxProviderReport, forcedOnnxProvider, ONNX_PROVIDER_NAMES, ONNX_PROVIDER_ENV } from './runtime/onnx-providers.js';
export type { OnnxProviderName, OnnxProviderReport, OnnxProviderAttempt } from './runtime/onnx-providers.js';
export { imageGenOperation, IMAGE_GEN_DEFAULTS, BUILTIN_IMAGE_MODEL_ID, loadImageGenerator, ClipTokenizer, SdTurboPipeline, planSampling } from './ops/image-gen/index.js';
export type { ImageGenerator, GenerationRequest, GeneratedImage, StepListener, ClipEncoding, NoiseSchedule, SamplingPlan } from './ops/image-gen/index.js';
export { videoGenOperation, createVideoGenOperation, VIDEO_GEN_DEFAULTS, MAX_VIDEO_FRAMES, TEXT_TO_VIDEO_UNAVAILABLE, fpsRational } from './ops/video-gen/index.js';
export type { VideoGenerator, VideoGenerationRequest, VideoGenOptions, CameraMotion } from './ops/video-gen/index.js';
export type { VideoContainer } from './media/index.js';
export { encodePng, decodePng, resizeRgb } from './image/index.js';
export type { RgbImage, DecodedPng } from './image/index.js';
export { ModelManifestSchema, MODEL_MANIFEST_NAME, MODEL_FAMILIES, MODELS_DIR_ENV, readModelPack, listInstalledModels, findModelPack, verifyModelPack, modelSearchDirs } from './models/index.js';
export type { ModelManifest, ModelPack, ModelFamily, InstalledModel, PackVerification, FileCheck, ModelSearchOptions } from './models/index.js';
export { writeAtomic, writeFileAtomic, tempPathFor } from './util/fs.js';
export { EXIT, exitCodeOf } from './cli/exit-codes.js';
export type { Scene, SceneAttributes } from './builtin/index.js';
export type { ShapesVocabulary } from './builtin/index.js';
export type { Shape, Colour, Size, Position, ParsedPrompt } from './builtin/index.js';
export { SHAPES, COLOURS, COLOUR_NAMES, SIZES, POSITIONS, MAX_PROMPT_LENGTH, parsePrompt } from './builtin/index.js';
export { DIRECTIONS, parseMotionPrompt } from './builtin/index.js';
export type { MotionClip, Direction, ParsedMotionPrompt } from './builtin/index.js';
export type { MotionVocabulary } from './builtin/index.js';
