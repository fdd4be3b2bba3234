/**
 * The built-in video model `framewright-motion-32`, built on the image model's vocabulary:
 * clips of a shape crossing the frame, their captions and prompt grammar, the clip token codec,
 * and the training task and dataset (the clip checker that scores it is a test helper).
 * @packageDocumentation
 */
export {
  CLIP_FRAMES,
  DIRECTIONS,
  ALL_CLIP_ATTRIBUTES,
  isHeldOutClip,
  laneRange,
  clipCentre,
  clipFrameScene,
  renderClipMasks,
  sampleClip,
  describeClip,
  parseMotionPrompt,
  type Direction,
  type MotionClip,
  type MentionedClipAttributes,
  type ParsedMotionPrompt,
} from './motion.js';
export { CLIP_SEQUENCE, DIRECTION_SLOT, buildMotionCodebook, MotionVocabulary } from './tokens.js';
export { motionMaskGitTask, motionVocabulary } from './task.js';
export { sampleMotionExample, type MotionExample } from './dataset.js';
export {
  builtinVideoModelDir,
  readBuiltinVideoModelInfo,
  loadBuiltinVideoModel,
  BuiltinVideoModelInfoSchema,
  type BuiltinVideoModelInfo,
  type BuiltinVideoModel,
  type BuiltinClipRequest,
  type BuiltinClip,
} from './model.js';
