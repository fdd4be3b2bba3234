/**
 * Our own models: the built-in image model (`framewright-shapes-32`, builtin/image) and video
 * model (`framewright-motion-32`, builtin/video) — vocabulary, token codec, sampler, training
 * task and dataset, and the loaders of the shipped ONNX files — and the voice-activity model the
 * install ships (builtin/speech: Silero VAD). Operations (image-gen,
 * video-gen), the CLI and the root entry use them through this file; nothing here knows an
 * operation.
 * @packageDocumentation
 */
export * from './image/index.js';
export * from './video/index.js';
export * from './speech/index.js';
export { BUILTIN_TASKS } from './tasks.js';
