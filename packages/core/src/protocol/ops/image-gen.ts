import { Type, type Static } from '@sinclair/typebox';
import { closed, PathString, pathString, progressFields } from '../common.js';

/** Parameters of image-gen. */
export const ImageGenParamsSchema = closed(
  {
    prompt: Type.String({ minLength: 1, maxLength: 2000 }),
    negativePrompt: Type.Optional(Type.String({ maxLength: 2000 })),
    width: Type.Optional(Type.Integer({ minimum: 8, maximum: 2048, multipleOf: 8 })),
    height: Type.Optional(Type.Integer({ minimum: 8, maximum: 2048, multipleOf: 8 })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295 })),
    steps: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Model id: framewright-shapes-32 (the built-in model, default) or an installed model pack' })),
    modelDir: Type.Optional(pathString("A folder of model packs (or one pack), searched before FRAMEWRIGHT_MODELS_DIR and the config folder's models folder")),
    outputDir: Type.Optional(PathString),
    overwrite: Type.Optional(Type.Boolean({ description: 'Replace files of the same names in the output folder, once the run has succeeded (default false: a run whose names exist is refused with OUTPUT_EXISTS before it writes anything)' })),
  },
  { title: 'ImageGenParams' },
);
/** Parameters of image-gen. */
export type ImageGenParams = Static<typeof ImageGenParamsSchema>;

/** Result of image-gen. */
export const ImageGenResultSchema = closed(
  {
    model: Type.String(),
    images: Type.Array(
      closed({ path: PathString, width: Type.Integer({ minimum: 1 }), height: Type.Integer({ minimum: 1 }), seed: Type.Integer({ minimum: 0 }) }),
    ),
    warnings: Type.Array(Type.String()),
    files: Type.Array(PathString),
  },
  { title: 'ImageGenResult' },
);
/** Result of image-gen. */
export type ImageGenResult = Static<typeof ImageGenResultSchema>;

/** Progress of image-gen. */
export const ImageGenProgressSchema = closed(
  {
    ...progressFields(['load', 'encode-prompt', 'generate', 'upscale', 'write'] as const),
    image: Type.Optional(Type.Integer({ minimum: 0 })),
    step: Type.Optional(Type.Integer({ minimum: 0 })),
    steps: Type.Optional(Type.Integer({ minimum: 0 })),
    preview: Type.Optional(closed({ width: Type.Integer(), height: Type.Integer(), pngBase64: Type.String() })),
  },
  { title: 'ImageGenProgress' },
);
/** Progress of image-gen. */
export type ImageGenProgress = Static<typeof ImageGenProgressSchema>;
