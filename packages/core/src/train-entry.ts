/**
 * `@framewright/core/train`: the model code behind the built-in models, for training and
 * exporting your own — the transformer on TensorFlow.js, the trainer (tasks passed as a table,
 * checkpoints with exact resume), the built-in models' training tasks, the ONNX exporter and
 * inspector, and the runtime that picks a tfjs backend and opens ONNX sessions.
 * `framewright train` and `framewright export-onnx` are built on it.
 *
 * @example Train a tiny model on a sequence task, then export it to ONNX
 * ```ts
 * import { SEQUENCE_TASKS, TRAIN_PRESETS, initTfjsBackend, train, writeOnnxModel } from '@framewright/core/train';
 *
 * await initTfjsBackend(); // tfjs-node(-gpu) when installed, else WASM, else pure JS
 * const { model } = await train({ config: TRAIN_PRESETS['reverse-tiny']!, outDir: 'runs/reverse', tasks: SEQUENCE_TASKS });
 * await writeOnnxModel(model, 'runs/reverse/model.onnx');
 * ```
 *
 * Any new export added here becomes public API; test/api-report.test.ts holds the list.
 * @module train
 */
export * from './transformer/index.js';
export * from './train/index.js';
export {
  BUILTIN_TASKS,
  CAPTIONS_FILE,
  PIXEL_VOCABULARY,
  TIMESTEP_SCALE,
  captionTokenizer,
  readCaptionedImages,
  sampleDiffusion,
  type CaptionedImage,
  type DiffusionSampleOptions,
} from './builtin/index.js';
export type { RgbImage } from './image/index.js';
export { exportToOnnx, writeOnnxModel, DEFAULT_ONNX_OPSET, ONNX_IR_VERSION_BY_OPSET } from './transformer/onnx/index.js';
export type { OnnxExport, OnnxExportOptions } from './transformer/onnx/index.js';
export { inspectOnnxModel } from './onnx/index.js';
export type { OnnxModelSummary, OnnxValueSummary, OnnxDim } from './onnx/index.js';
export { initTfjsBackend, describeTfjsBackend, formatTfjsBackendReport, forcedTfjsBackend, isTfjsBackendName, TFJS_BACKEND_NAMES, TFJS_BACKEND_ENV } from './runtime/tfjs-backend.js';
export type { TfjsBackendName, TfjsBackendReport, TfjsBackendAttempt } from './runtime/tfjs-backend.js';
export { OnnxSession, createOnnxSession, openOnnxSession, closeOnnxSessions } from './runtime/onnx-session.js';
export type { OnnxSessionOptions, OnnxTensorValue, OnnxTensorData, OnnxValueSpec } from './runtime/onnx-session.js';
export { resolveOnnxProviders, formatOnnxProviderReport, forcedOnnxProvider, ONNX_PROVIDER_NAMES, ONNX_PROVIDER_ENV } from './runtime/onnx-providers.js';
export type { OnnxProviderName, OnnxProviderReport, OnnxProviderAttempt } from './runtime/onnx-providers.js';
