import { Type, type Static } from '@sinclair/typebox';
import { join } from 'node:path';
import { readModelJson, shippedModelDir } from '../../models/shipped.js';
import { FramewrightError } from '../../protocol/errors.js';
import { ModelCache } from '../../runtime/model-cache.js';
import { type OnnxSession, openOnnxSession } from '../../runtime/onnx-session.js';
import { type CompletePrompt, completePrompt, parsePrompt } from './prompt.js';
import { MAX_STEPS, sampleTokens } from './sampler.js';
import { NATIVE_SIZE } from './scene.js';
import { layOutOnCanvas } from './canvas.js';
import { SEQUENCE, ShapesVocabulary } from './tokens.js';
import { Rng, mixSeed } from '../../transformer/random.js';

/** Stream id of the attribute choices for what a prompt leaves out (mixed with the request seed). */
const ATTRIBUTE_STREAM = 0x61747472;

/**
 * The built-in text-to-image model `framewright-shapes-32`: a masked-token transformer trained
 * by this project (task `shapes-maskgit`) on procedural captioned shapes, shipped as ONNX in
 * `packages/core/models/builtin-image/` and run by ONNX Runtime.
 */

/** What to draw. */
export interface BuiltinImageRequest {
  /** Prompt in the grammar of {@link parsePrompt}. */
  prompt: string;
  /** Seed: the same seed and prompt give the same pixels. */
  seed: number;
  /** Parallel decoding steps (default {@link BuiltinImageModel.defaultSteps}, at most {@link MAX_STEPS}). */
  steps?: number;
  /**
   * Size of the canvas the picture is for (only its aspect ratio matters): the scene is laid out
   * on a canvas of that shape (see {@link layOutOnCanvas}) instead of being cropped to it later.
   * Default square.
   */
  width?: number;
  /** See {@link BuiltinImageRequest.width}. */
  height?: number;
}

/** A generated picture at the model's native size: square, or the native side as the short side of the asked aspect. */
export interface BuiltinImage {
  /** Pixels across. */
  width: number;
  /** Pixels down. */
  height: number;
  /** RGB24, row-major, `width·height·3` bytes. */
  rgb: Uint8Array;
  /** Things the user should know, e.g. prompt words the model ignored. */
  warnings: string[];
}

/** The loaded built-in model. */
export interface BuiltinImageModel {
  /** Model id. */
  readonly id: 'framewright-shapes-32';
  /** Side of the square pictures it draws. */
  readonly nativeSize: number;
  /** Decoding steps used when a request names none. */
  readonly defaultSteps: number;
  /**
   * Draws one picture. `onStep` is called after each decoding step; an aborted `signal` stops
   * between steps with `CANCELLED`.
   * @throws FramewrightError `INVALID_PARAMS` (prompt, seed, steps), `CANCELLED`
   */
  generate(req: BuiltinImageRequest, onStep?: (step: number, steps: number) => void, signal?: AbortSignal): Promise<BuiltinImage>;
}

/** Schema of `model.json`, the model's description next to `model.onnx`. */
export const BuiltinModelInfoSchema = Type.Object(
  {
    id: Type.Literal('framewright-shapes-32'),
    nativeSize: Type.Literal(NATIVE_SIZE),
    onnx: Type.String({ minLength: 1 }),
    sequence: Type.Literal(SEQUENCE),
    vocabularySize: Type.Integer({ minimum: 1 }),
    codebook: Type.Array(Type.Integer({ minimum: 0, maximum: 0xffff }), { minItems: 2 }),
    sampling: Type.Object(
      {
        steps: Type.Integer({ minimum: 1, maximum: MAX_STEPS, description: 'decoding steps when a request names none' }),
        temperature: Type.Number({ exclusiveMinimum: 0, description: 'softmax temperature of the token draws' }),
        choiceTemperature: Type.Number({ minimum: 0, description: 'Gumbel noise on the confidences at the first step' }),
        guidance: Type.Number({ minimum: 0, description: 'classifier-free guidance weight (1 = off)' }),
      },
      { additionalProperties: false, description: 'decoding settings (see sampleTokens)' },
    ),
    training: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);

/** Contents of `model.json`. */
export type BuiltinModelInfo = Static<typeof BuiltinModelInfoSchema>;

/**
 * Folder of the shipped model: `models/builtin-image` in the `@framewright/core` package, found
 * by walking up from this module (it sits at different depths in src/ and dist/).
 * @throws FramewrightError `MODEL_NOT_FOUND`
 */
export function builtinImageModelDir(): string {
  return shippedModelDir('builtin-image', 'the built-in image model');
}

/** Reads and checks `model.json` of a model folder. @throws FramewrightError `MODEL_NOT_FOUND`, `MODEL_INVALID` */
export async function readBuiltinModelInfo(dir: string): Promise<BuiltinModelInfo> {
  const path = join(dir, 'model.json');
  const info = await readModelJson(dir, BuiltinModelInfoSchema);
  const vocabSize = new ShapesVocabulary(info.codebook).size;
  if (vocabSize !== info.vocabularySize) {
    throw new FramewrightError('MODEL_INVALID', `${path}: a codebook of ${info.codebook.length} masks makes ${vocabSize} tokens, not vocabularySize ${info.vocabularySize}`);
  }
  return info;
}

/**
 * What the built-in model draws for a prompt and seed: every attribute, those the prompt leaves
 * out chosen from the seed ({@link completePrompt}), and the warnings (unknown words,
 * contradictions).
 * @throws FramewrightError `INVALID_PARAMS` for an empty or over-long prompt
 */
export function resolvePrompt(prompt: string, seed: number): { attributes: CompletePrompt; warnings: string[] } {
  const parsed = parsePrompt(prompt);
  const warnings = [
    ...(parsed.unknownWords.length === 0 ? [] : [`the built-in model does not know ${parsed.unknownWords.map((w) => JSON.stringify(w)).join(', ')}; ignored`]),
    ...(parsed.conflicts ?? []).map((c) => `the prompt contradicts itself (${c})`),
  ];
  // Left to the model, omitted attributes came out as speckles or empty pictures; chosen here
  // from the seed, the model always gets a whole description.
  return { attributes: completePrompt(parsed, new Rng(mixSeed(seed, ATTRIBUTE_STREAM))), warnings };
}

class OnnxBuiltinImageModel implements BuiltinImageModel {
  readonly id = 'framewright-shapes-32';
  readonly nativeSize = NATIVE_SIZE;
  readonly defaultSteps: number;
  private readonly sampling: BuiltinModelInfo['sampling'];

  constructor(
    private readonly session: OnnxSession,
    private readonly vocab: ShapesVocabulary,
    info: BuiltinModelInfo,
  ) {
    this.defaultSteps = info.sampling.steps;
    this.sampling = info.sampling;
  }

  async generate(req: BuiltinImageRequest, onStep?: (step: number, steps: number) => void, signal?: AbortSignal): Promise<BuiltinImage> {
    if (!Number.isInteger(req.seed) || req.seed < 0 || req.seed > 0xffffffff) {
      throw new FramewrightError('INVALID_PARAMS', `seed must be an integer from 0 to 4294967295, got ${req.seed}`);
    }
    const { attributes, warnings } = resolvePrompt(req.prompt, req.seed);
    const logitsOf = async (tokens: Int32Array): Promise<Float32Array> => {
      const { output } = await this.session.run({ ids: { data: tokens, dims: [1, SEQUENCE] } });
      return output!.data as Float32Array;
    };
    const tokens = await sampleTokens(logitsOf, this.vocab, this.vocab.encodePrompt(attributes), {
      steps: req.steps ?? this.defaultSteps,
      seed: req.seed,
      temperature: this.sampling.temperature,
      choiceTemperature: this.sampling.choiceTemperature,
      guidance: this.sampling.guidance,
      onStep,
      signal,
    });
    const { rgb } = this.vocab.decode(tokens);
    const picture = layOutOnCanvas({ width: NATIVE_SIZE, height: NATIVE_SIZE, rgb }, attributes.position, req.width ?? NATIVE_SIZE, req.height ?? NATIVE_SIZE);
    return { ...picture, warnings };
  }
}

// Models hold sessions of the session cache: emptied with it (closeOnnxSessions), never released here.
const loaded = new ModelCache<BuiltinImageModel>();

/**
 * Loads the built-in model (ONNX Runtime session on one thread, vocabulary), once per folder.
 *
 * @example
 * ```ts
 * const model = await loadBuiltinImageModel();
 * const { rgb, warnings } = await model.generate({ prompt: 'a red circle on a blue background', seed: 1 });
 * ```
 * @param dir - model folder; default {@link builtinImageModelDir}
 * @throws FramewrightError `MODEL_NOT_FOUND`, `MODEL_INVALID`
 */
export function loadBuiltinImageModel(dir?: string): Promise<BuiltinImageModel> {
  const folder = dir ?? builtinImageModelDir();
  return loaded.get(folder, async () => {
    const info = await readBuiltinModelInfo(folder);
    const session = await openOnnxSession(join(folder, info.onnx), { intraOpThreads: 1 });
    const output = session.outputs[0];
    if (session.inputs[0]?.name !== 'ids' || output?.name !== 'output' || output.dims[2] !== info.vocabularySize) {
      throw new FramewrightError('MODEL_INVALID', `${join(folder, info.onnx)} is not a ${info.vocabularySize}-token model with input ids and output output`);
    }
    return new OnnxBuiltinImageModel(session, new ShapesVocabulary(info.codebook), info);
  });
}
