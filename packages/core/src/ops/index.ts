import type { OperationName } from '../protocol/index.js';
import type { Operation } from './types.js';
import { clipCutOperation } from './clip-cut/index.js';
import { imageGenKeyframePainter, imageGenOperation } from './image-gen/index.js';
import { builtinTextToVideo, createVideoGenOperation } from './video-gen/index.js';
import { subtitlesOperation } from './subtitles/index.js';
import { modelsPullOperation } from './models-pull/index.js';

export type { Operation, OperationCheck, OperationContext, Availability, MemoryNeed, ModeAvailability } from './types.js';

/** Every declared operation, keyed by name. Image-gen is unavailable while neither its built-in model nor a model pack is installed; video-gen's text-to-video mode until its model ships. */
export type OperationRegistry = { readonly [O in OperationName]: Operation<O> };

/** The operations this build runs. */
export const OPERATION_REGISTRY: OperationRegistry = Object.freeze({
  'clip-cut': clipCutOperation,
  'image-gen': imageGenOperation,
  // text-to-video with model: keyframes drawn by an image-gen model, interpolated by optical flow.
  'video-gen': createVideoGenOperation({ textToVideo: builtinTextToVideo(), keyframePainter: imageGenKeyframePainter }),
  subtitles: subtitlesOperation,
  'models-pull': modelsPullOperation,
});
