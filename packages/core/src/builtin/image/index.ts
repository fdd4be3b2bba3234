/**
 * The built-in image model `framewright-shapes-32` and the world it draws: the prompt grammar,
 * scenes of captioned shapes, the token codec, the MaskGIT sampler, and the training task and
 * dataset (the pixel checker that scores it is a test helper). The built-in video model is built on these (builtin/video).
 * @packageDocumentation
 */
export { SHAPES, COLOURS, COLOUR_NAMES, SIZES, POSITIONS, MAX_PROMPT_LENGTH, parsePrompt, completePrompt } from './prompt.js';
export type { Shape, Colour, Size, Position, ParsedPrompt, CompletePrompt, AttributeChooser } from './prompt.js';
export { describeScene, ALL_MENTIONED, type MentionedAttributes } from './captions.js';
export { NATIVE_SIZE, SIZE_PIXELS, renderSceneMask, paintMask, renderScene, allLayouts, isHeldOut, sampleScene } from './scene.js';
export type { Scene, SceneAttributes } from './scene.js';
export { PATCH, GRID, SLOTS, SEQUENCE, ATTRIBUTE_SLOTS, PALETTE_SLOTS, buildMaskCodebook, patchBits, ShapesVocabulary } from './tokens.js';
export { MAX_STEPS, sampleTokens, type LogitsFunction, type SampleOptions } from './sampler.js';
export { shapesMaskGitTask, shapesMaskGitCentredTask, shapesVocabulary, cosineMaskRatio } from './task.js';
export { sampleExample, type ShapesExample } from './dataset.js';
export { CAPTIONS_FILE, readCaptionedImages, captionTokenizer, sampleCaptionedScene, shapesCaptionTokenizer, type CaptionedImage } from './captioned.js';
export {
  captionedMaskGitTask,
  captionedDiffusionTask,
  shapesDiffusionTask,
  shapesPixelMaskGitTask,
  pixelCode,
  pixelColour,
  PIXEL_LEVELS,
  PIXEL_CODES,
  PIXEL_VOCABULARY,
  PROMPT_DROPOUT,
  TIMESTEP_SCALE,
} from './conditioned-tasks.js';
export { sampleDiffusion, type DiffusionSampleOptions } from './diffusion.js';
export { layOutOnCanvas } from './canvas.js';
export {
  builtinImageModelDir,
  readBuiltinModelInfo,
  loadBuiltinImageModel,
  resolvePrompt,
  BuiltinModelInfoSchema,
  type BuiltinModelInfo,
  type BuiltinImageModel,
  type BuiltinImageRequest,
  type BuiltinImage,
} from './model.js';
