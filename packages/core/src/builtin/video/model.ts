import { Type, type Static } from '@sinclair/typebox';
import { join } from 'node:path';
import { readModelJson, shippedModelDir } from '../../models/shipped.js';
import { FramewrightError } from '../../protocol/errors.js';
import type { RawRgbImage } from '../../media/index.js';
import { ModelCache } from '../../runtime/model-cache.js';
import { type OnnxSession, openOnnxSession } from '../../runtime/onnx-session.js';
import { COLOUR_NAMES, MAX_STEPS, NATIVE_SIZE, PALETTE_SLOTS, SEQUENCE, ShapesVocabulary, sampleTokens } from '../image/index.js';
import { CLIP_FRAMES, type ParsedMotionPrompt, parseMotionPrompt } from './motion.js';
import { CLIP_SEQUENCE, MotionVocabulary } from './tokens.js';

/**
 * The built-in text-to-video model `framewright-motion-32`: a masked-token space-time
 * transformer (attention within each frame, then across frames) trained by this project (task
 * `motion-maskgit`) on procedural clips of a shape crossing a plain background, shipped as ONNX
 * in `packages/core/models/builtin-video/` and run by ONNX Runtime. It draws 8 frames of 32×32.
 * Its conditioning is the prompt's attributes, the same for every frame (no token tells a frame
 * where the object should be); colour pinning is an opt-in sampling aid
 * ({@link BuiltinClipRequest.pinColours}).
 */

/** What to draw. */
export interface BuiltinClipRequest {
  /** Prompt, e.g. "a red circle moves from left to right on a blue background" ({@link parseMotionPrompt}). */
  prompt: string;
  /** Seed: the same seed and prompt give the same pixels. */
  seed: number;
  /** Parallel decoding steps (default {@link BuiltinVideoModel.defaultSteps}, at most {@link MAX_STEPS}). */
  steps?: number;
  /** Classifier-free guidance weight (default {@link BuiltinVideoModel.defaultGuidance}; 1 = off). */
  guidance?: number;
  /**
   * Sampling aid, off by default: the colours the prompt names are pinned in every frame's
   * palette (every other colour id of that slot is ruled out), so object and background colour
   * follow the prompt whatever the network predicts. Figures measured with it on say nothing
   * about the model's own colour; bench:video-quality reports both.
   */
  pinColours?: boolean;
}

/** A generated clip at the model's native size. */
export interface BuiltinClip {
  /** {@link CLIP_FRAMES} frames of `nativeSize`² RGB24 pixels. */
  frames: RawRgbImage[];
  /** Things the user should know: prompt words or parts the model ignored. */
  warnings: string[];
}

/** The loaded built-in video model. */
export interface BuiltinVideoModel {
  /** Model id. */
  readonly id: 'framewright-motion-32';
  /** Side of the square frames it draws. */
  readonly nativeSize: number;
  /** Decoding steps used when a request names none. */
  readonly defaultSteps: number;
  /** Guidance weight used when a request names none. */
  readonly defaultGuidance: number;
  /**
   * Draws one clip of {@link CLIP_FRAMES} frames. `onStep` is called after each decoding step;
   * an aborted `signal` stops between steps with `CANCELLED`.
   * @throws FramewrightError `INVALID_PARAMS` (prompt, seed, steps), `CANCELLED`
   */
  generate(req: BuiltinClipRequest, onStep?: (step: number, steps: number) => void, signal?: AbortSignal): Promise<BuiltinClip>;
}

/** Schema of `model.json`, the model's description next to its ONNX file. */
export const BuiltinVideoModelInfoSchema = Type.Object(
  {
    id: Type.Literal('framewright-motion-32'),
    nativeSize: Type.Literal(NATIVE_SIZE),
    frames: Type.Literal(CLIP_FRAMES),
    onnx: Type.String({ minLength: 1 }),
    sequence: Type.Literal(CLIP_SEQUENCE),
    vocabularySize: Type.Integer({ minimum: 1 }),
    codebook: Type.Array(Type.Integer({ minimum: 0, maximum: 0xffff }), { minItems: 2 }),
    defaultSteps: Type.Integer({ minimum: 1, maximum: MAX_STEPS }),
    defaultGuidance: Type.Number({ minimum: 1, maximum: 10 }),
    training: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);

/** Contents of the video model's `model.json`. */
export type BuiltinVideoModelInfo = Static<typeof BuiltinVideoModelInfoSchema>;

/**
 * Folder of the shipped model: `models/builtin-video` in the `@framewright/core` package, found
 * by walking up from this module (it sits at different depths in src/ and dist/).
 * @throws FramewrightError `MODEL_NOT_FOUND`
 */
export function builtinVideoModelDir(): string {
  return shippedModelDir('builtin-video', 'the built-in video model');
}

/** Reads and checks `model.json` of a video model folder. @throws FramewrightError `MODEL_NOT_FOUND`, `MODEL_INVALID` */
export async function readBuiltinVideoModelInfo(dir: string): Promise<BuiltinVideoModelInfo> {
  const path = join(dir, 'model.json');
  const info = await readModelJson(dir, BuiltinVideoModelInfoSchema);
  const vocabSize = new MotionVocabulary(new ShapesVocabulary(info.codebook)).size;
  if (vocabSize !== info.vocabularySize) {
    throw new FramewrightError('MODEL_INVALID', `${path}: a codebook of ${info.codebook.length} masks makes ${vocabSize} tokens, not vocabularySize ${info.vocabularySize}`);
  }
  return info;
}

/** Logit of the palette ids a prompt rules out. */
const PINNED_OUT = -1e9;

/**
 * The palette slots a prompt fixes under the `pinColours` sampling aid: the factored code keeps
 * colours apart from shapes, so a named object or background colour is taken from the prompt
 * (every other colour id of that slot gets logit −1e9 and the sampler commits it at the first
 * step) and the model draws only the masks. Unnamed colours stay the model's choice.
 */
function pinnedPalette(vocab: MotionVocabulary, parsed: ParsedMotionPrompt): { slot: number; base: number; size: number; id: number }[] {
  const pins: { slot: number; base: number; size: number; id: number }[] = [];
  ([[parsed.colour, 0], [parsed.background, 1]] as const).forEach(([colour, k]) => {
    if (colour === undefined) return;
    const range = vocab.image.palette[k]!;
    pins.push({ slot: PALETTE_SLOTS[k], base: range.base, size: range.size, id: range.base + COLOUR_NAMES.indexOf(colour) });
  });
  return pins;
}

class OnnxBuiltinVideoModel implements BuiltinVideoModel {
  readonly id = 'framewright-motion-32';
  readonly nativeSize = NATIVE_SIZE;
  readonly defaultSteps: number;
  readonly defaultGuidance: number;

  constructor(
    private readonly session: OnnxSession,
    private readonly vocab: MotionVocabulary,
    info: BuiltinVideoModelInfo,
  ) {
    this.defaultSteps = info.defaultSteps;
    this.defaultGuidance = info.defaultGuidance;
  }

  async generate(req: BuiltinClipRequest, onStep?: (step: number, steps: number) => void, signal?: AbortSignal): Promise<BuiltinClip> {
    const parsed = parseMotionPrompt(req.prompt);
    if (!Number.isInteger(req.seed) || req.seed < 0 || req.seed > 0xffffffff) {
      throw new FramewrightError('INVALID_PARAMS', `seed must be an integer from 0 to 4294967295, got ${req.seed}`);
    }
    const warnings = [
      ...(parsed.unknownWords.length === 0 ? [] : [`the built-in video model does not know ${parsed.unknownWords.map((w) => JSON.stringify(w)).join(', ')}; ignored`]),
      ...parsed.ignored.map((what) => `the built-in video model ignores ${what}`),
    ];
    const pinned = req.pinColours === true ? pinnedPalette(this.vocab, parsed) : [];
    const logitsOf = async (tokens: Int32Array): Promise<Float32Array> => {
      const { output } = await this.session.run({ ids: { data: tokens, dims: [1, CLIP_SEQUENCE] } });
      const logits = output!.data as Float32Array;
      const width = logits.length / CLIP_SEQUENCE;
      for (let t = 0; t < CLIP_FRAMES; t++) {
        for (const { slot, base, size, id } of pinned) {
          const row = (t * SEQUENCE + slot) * width;
          logits.fill(PINNED_OUT, row + base, row + base + size);
          logits[row + id] = 0;
        }
      }
      return logits;
    };
    const tokens = await sampleTokens(logitsOf, this.vocab.image, this.vocab.encodePrompt(parsed), {
      steps: req.steps ?? this.defaultSteps,
      guidance: req.guidance ?? this.defaultGuidance,
      unconditional: this.vocab.encodePrompt({}),
      seed: req.seed,
      frames: CLIP_FRAMES,
      ...(onStep === undefined ? {} : { onStep }),
      ...(signal === undefined ? {} : { signal }),
    });
    const { frames } = this.vocab.decodeClip(tokens);
    return { frames: frames.map((rgb) => ({ width: NATIVE_SIZE, height: NATIVE_SIZE, rgb })), warnings };
  }
}

// Models hold sessions of the session cache: emptied with it (closeOnnxSessions), never released here.
const loaded = new ModelCache<BuiltinVideoModel>();

/**
 * Loads the built-in video model (ONNX Runtime session on one thread, vocabulary), once per folder.
 *
 * @example
 * ```ts
 * const model = await loadBuiltinVideoModel();
 * const { frames } = await model.generate({ prompt: 'a green square moves up', seed: 1 });
 * ```
 * @param dir - model folder; default {@link builtinVideoModelDir}
 * @throws FramewrightError `MODEL_NOT_FOUND`, `MODEL_INVALID`
 */
export function loadBuiltinVideoModel(dir?: string): Promise<BuiltinVideoModel> {
  const folder = dir ?? builtinVideoModelDir();
  return loaded.get(folder, async () => {
    const info = await readBuiltinVideoModelInfo(folder);
    const session = await openOnnxSession(join(folder, info.onnx), { intraOpThreads: 1 });
    const output = session.outputs[0];
    if (session.inputs[0]?.name !== 'ids' || output?.name !== 'output' || output.dims[2] !== info.vocabularySize) {
      throw new FramewrightError('MODEL_INVALID', `${join(folder, info.onnx)} is not a ${info.vocabularySize}-token model with input ids and output output`);
    }
    return new OnnxBuiltinVideoModel(session, new MotionVocabulary(new ShapesVocabulary(info.codebook)), info);
  });
}
