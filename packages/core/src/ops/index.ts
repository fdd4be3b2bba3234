import type { OperationName } from '../protocol/index.js';
import type { Operation } from './types.js';
import { clipCutOperation } from './clip-cut/index.js';
import { unavailableOperation } from './unavailable.js';
import { videoGenOperation } from './video-gen/index.js';

export type { Operation, OperationContext, Availability, ModeAvailability } from './types.js';

/** Every declared operation, keyed by name. Image-gen reports itself unavailable until its model ships; so does video-gen's text-to-video mode. */
export type OperationRegistry = { readonly [O in OperationName]: Operation<O> };

/** The operations this build runs. */
export const OPERATION_REGISTRY: OperationRegistry = Object.freeze({
  'clip-cut': clipCutOperation,
  'image-gen': unavailableOperation('image-gen', 'image-gen is not in this build yet: the built-in model has not shipped'),
  'video-gen': videoGenOperation,
});
