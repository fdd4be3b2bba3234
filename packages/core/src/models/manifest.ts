// The model-pack manifest: a folder holding `framewright-model.json` and the files it lists.
import { Type, type Static } from '@sinclair/typebox';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { FramewrightError, oneLine } from '../protocol/errors.js';
import { assertValid } from '../protocol/validate.js';
import { ShotDetectionSettingsSchema } from './shot-detection.js';

/** File name of a pack's manifest. */
export const MODEL_MANIFEST_NAME = 'framewright-model.json';

/**
 * Model families a pack may declare: text-to-image (image-gen: the built-in model, SD-Turbo and
 * SDXL-Turbo diffusion exports), frame interpolation (video-gen), shot detection (clip-cut) and
 * speech to text (Whisper as Optimum exports it, for subtitles).
 */
export const MODEL_FAMILIES = ['framewright-builtin', 'sd-turbo', 'sdxl-turbo', 'frame-interpolation', 'shot-detection', 'speech-to-text'] as const;

/** The families image-gen runs. */
export const TEXT_TO_IMAGE_FAMILIES: readonly ModelFamily[] = ['framewright-builtin', 'sd-turbo', 'sdxl-turbo'];

/** The text-to-image families that are diffusion exports in the diffusers folder layout (a `diffusion` section, a UNet, a VAE decoder). */
export const DIFFUSION_FAMILIES: readonly ModelFamily[] = ['sd-turbo', 'sdxl-turbo'];

/** One of {@link MODEL_FAMILIES}. */
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

const Dim = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1, description: 'A symbolic (dynamic) axis' })]);

/** A declared ONNX input or output: name, element type and shape. */
export const OnnxSignatureEntrySchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    type: Type.String({ minLength: 1, description: 'Element type as ONNX Runtime names it: float32, int32, int64, float16, ...' }),
    shape: Type.Array(Dim, { description: 'Fixed sizes as integers, dynamic axes by name' }),
  },
  { additionalProperties: false },
);

/** A file of the pack, checked by `framewright models verify`. */
export const ModelFileSchema = Type.Object(
  {
    path: Type.String({ minLength: 1, maxLength: 500, pattern: '^[^/\\\\][^\\\\]*$', description: 'Relative to the pack folder, with forward slashes' }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    size: Type.Integer({ minimum: 0, description: 'Bytes' }),
    role: Type.Optional(Type.String({ minLength: 1, description: 'What the pipeline uses it as: text_encoder, unet, vae_decoder, vocab, merges, model, ...' })),
    inputs: Type.Optional(Type.Array(OnnxSignatureEntrySchema, { description: 'ONNX files: the declared inputs' })),
    outputs: Type.Optional(Type.Array(OnnxSignatureEntrySchema, { description: 'ONNX files: the declared outputs' })),
  },
  { additionalProperties: false },
);

/** Settings a pack recommends; the operation uses them for params left out. */
export const RecommendedSettingsSchema = Type.Object(
  {
    width: Type.Integer({ minimum: 8, maximum: 2048, multipleOf: 8 }),
    height: Type.Integer({ minimum: 8, maximum: 2048, multipleOf: 8 }),
    steps: Type.Integer({ minimum: 1, maximum: 100 }),
    guidanceScale: Type.Optional(Type.Number({ minimum: 0, maximum: 30, description: 'Classifier-free guidance; at most 1 means none (SD-Turbo)' })),
    scheduler: Type.Optional(Type.Union([Type.Literal('euler'), Type.Literal('euler-ancestral')])),
  },
  { additionalProperties: false },
);

/** Diffusion settings of an `sd-turbo` or `sdxl-turbo` pack (the values of its scheduler_config.json and VAE). */
export const DiffusionSettingsSchema = Type.Object(
  {
    trainTimesteps: Type.Integer({ minimum: 2, maximum: 10000 }),
    betaStart: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    betaEnd: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    betaSchedule: Type.Union([Type.Literal('scaled_linear'), Type.Literal('linear')]),
    predictionType: Type.Union([Type.Literal('epsilon'), Type.Literal('v_prediction')]),
    timestepSpacing: Type.Union([Type.Literal('trailing'), Type.Literal('leading'), Type.Literal('linspace')]),
    stepsOffset: Type.Integer({ minimum: 0, maximum: 10 }),
    latentChannels: Type.Integer({ minimum: 1, maximum: 64 }),
    vaeScaleFactor: Type.Integer({ minimum: 1, maximum: 64, description: 'Pixels per latent cell (8)' }),
    vaeScalingFactor: Type.Number({ exclusiveMinimum: 0, description: 'Latents are divided by this before decoding (0.18215)' }),
    maxTokens: Type.Integer({ minimum: 2, maximum: 1024, description: "The text encoder's sequence length (77)" }),
    padToken: Type.String({ minLength: 1, description: '<|endoftext|> (SD 1.x, SDXL\'s first tokenizer) or ! (SD 2.x, SD-Turbo)' }),
    padToken2: Type.Optional(Type.String({ minLength: 1, description: "sdxl-turbo: the second tokenizer's (tokenizer_2) pad token (!)" })),
  },
  { additionalProperties: false },
);

/** Where a pulled pack came from: the Hub, the repository and the commit its files are from. */
export const ModelSourceSchema = Type.Object(
  {
    endpoint: Type.String({ minLength: 1, description: 'The Hub (HF_ENDPOINT) it was pulled from' }),
    repo: Type.String({ minLength: 1, description: 'owner/name' }),
    revision: Type.String({ minLength: 1, description: 'The commit (sha) the files are from' }),
  },
  { additionalProperties: false },
);

/** `framewright-model.json`. */
export const ModelManifestSchema = Type.Object(
  {
    manifestVersion: Type.Literal(1),
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,99}$', description: 'What `--model` names' }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    family: Type.Union(MODEL_FAMILIES.map((f) => Type.Literal(f))),
    task: Type.Union([Type.Literal('text-to-image'), Type.Literal('frame-interpolation'), Type.Literal('shot-detection'), Type.Literal('speech-to-text')]),
    licence: Type.Object({ name: Type.String({ minLength: 1 }), url: Type.Optional(Type.String()) }, { additionalProperties: false }),
    files: Type.Array(ModelFileSchema, { minItems: 1 }),
    recommended: Type.Optional(RecommendedSettingsSchema),
    diffusion: Type.Optional(DiffusionSettingsSchema),
    alignment: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: 'frame-interpolation: frame sides are padded to a multiple of this (RIFE: 32)' })),
    shotDetection: Type.Optional(ShotDetectionSettingsSchema),
    source: Type.Optional(ModelSourceSchema),
    runsOn: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description: 'ONNX execution providers the export runs on, when it does not run on all (onnxruntime/sd-turbo: cuda only)',
      }),
    ),
  },
  { additionalProperties: false, title: 'FramewrightModelManifest' },
);

/** `framewright-model.json`. */
export type ModelManifest = Static<typeof ModelManifestSchema>;
/** Settings a text-to-image pack recommends. */
export type RecommendedSettings = Static<typeof RecommendedSettingsSchema>;
/** Where a pulled pack came from. */
export type ModelSource = Static<typeof ModelSourceSchema>;
/** One listed file. */
export type ModelFile = Static<typeof ModelFileSchema>;
/** One declared ONNX input or output. */
export type OnnxSignatureEntry = Static<typeof OnnxSignatureEntrySchema>;

/** A pack read from disk: its folder and validated manifest. */
export interface ModelPack {
  /** Absolute pack folder. */
  readonly dir: string;
  /** The manifest. */
  readonly manifest: ModelManifest;
}

/** Roles each family's pipeline needs, so a pack missing one fails when it is read. */
export const REQUIRED_ROLES: Readonly<Record<ModelFamily, readonly string[]>> = Object.freeze({
  'framewright-builtin': ['model'],
  'sd-turbo': ['text_encoder', 'unet', 'vae_decoder', 'vocab', 'merges'],
  'sdxl-turbo': ['text_encoder', 'text_encoder_2', 'unet', 'vae_decoder', 'vocab', 'merges', 'vocab_2', 'merges_2'],
  'frame-interpolation': [],
  'shot-detection': ['model'],
  'speech-to-text': ['encoder', 'decoder', 'generation_config', 'vocab'],
});

/**
 * Reads and validates `dir/framewright-model.json` (schema, paths inside the pack, the roles its
 * family needs, the diffusion settings an `sd-turbo` or `sdxl-turbo` pack needs). Files are not opened here;
 * {@link verifyModelPack} checks them.
 * @throws FramewrightError `MODEL_NOT_FOUND` when there is no manifest; `MODEL_INVALID` naming
 *   the field or file for anything else
 */
export async function readModelPack(dir: string): Promise<ModelPack> {
  const path = join(dir, MODEL_MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new FramewrightError('MODEL_NOT_FOUND', `no model pack at ${dir}: ${MODEL_MANIFEST_NAME} is missing`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FramewrightError('MODEL_INVALID', `${path} is not JSON: ${oneLine(error instanceof Error ? error.message : String(error))}`);
  }
  assertValid(ModelManifestSchema, json, path, 'MODEL_INVALID');
  for (const file of json.files) {
    const clean = normalize(file.path);
    if (isAbsolute(file.path) || clean.startsWith(`..${sep}`) || clean === '..') {
      throw new FramewrightError('MODEL_INVALID', `${path}: file ${file.path} is outside the pack folder`);
    }
  }
  for (const role of REQUIRED_ROLES[json.family]) {
    if (!json.files.some((f) => f.role === role)) throw new FramewrightError('MODEL_INVALID', `${path}: a ${json.family} pack needs a file with role ${role}`);
  }
  const textToImage = TEXT_TO_IMAGE_FAMILIES.includes(json.family);
  const ownTask = (family: string) => json.task === family;
  if (textToImage !== (json.task === 'text-to-image') || (['shot-detection', 'speech-to-text'] as const).some((f) => (json.family === f) !== ownTask(f))) {
    throw new FramewrightError('MODEL_INVALID', `${path}: family ${json.family} does not do ${json.task}`);
  }
  if (textToImage && json.recommended === undefined) throw new FramewrightError('MODEL_INVALID', `${path}: a ${json.family} pack needs its recommended settings`);
  if (DIFFUSION_FAMILIES.includes(json.family) && json.diffusion === undefined) throw new FramewrightError('MODEL_INVALID', `${path}: an ${json.family} pack needs its diffusion settings`);
  return { dir, manifest: json };
}

/** The absolute path of the pack file with `role`. */
export function packFile(pack: ModelPack, role: string): string {
  const file = pack.manifest.files.find((f) => f.role === role);
  if (file === undefined) throw new FramewrightError('MODEL_INVALID', `model pack ${pack.manifest.id} has no ${role} file`);
  return join(pack.dir, file.path);
}
