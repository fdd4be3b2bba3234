import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../../protocol/errors.js';
import { type Batch, type Dataset, type DatasetSource, type TensorBatch, type TrainingTask, ShuffledSampler, crossEntropy, meanSquaredError, vPredictionPair } from '../../train/index.js';
import type { TransformerModel, TransformerModelConfig } from '../../transformer/model.js';
import { patchify } from '../../transformer/patch.js';
import { Rng, mixSeed } from '../../transformer/random.js';
import { PromptTokenizer } from '../../transformer/tokenizer.js';
import { type CaptionedImage, readCaptionedImages, sampleCaptionedScene } from './captioned.js';
import { cosineMaskRatio } from './task.js';

/** Levels per colour channel of a pixel token (4 → 64 colours: 0, 85, 170, 255). */
export const PIXEL_LEVELS = 4;
/** Number of pixel colour codes; the mask token is this id. */
export const PIXEL_CODES = PIXEL_LEVELS ** 3;
/** Vocabulary of a pixel-token model: the colour codes and the mask token. */
export const PIXEL_VOCABULARY = PIXEL_CODES + 1;
/** Share of examples trained with an empty prompt, so a sampler can use classifier-free guidance. */
export const PROMPT_DROPOUT = 0.1;
/** Diffusion timesteps go into the model as `t·1000` for t ∈ [0, 1] (the timestep embedding's range). */
export const TIMESTEP_SCALE = 1000;

/** Pixel colour code of an RGB triple: each channel quantised to {@link PIXEL_LEVELS} levels. */
export function pixelCode(r: number, g: number, b: number): number {
  const q = (v: number): number => Math.min(PIXEL_LEVELS - 1, Math.floor((v * PIXEL_LEVELS) / 256));
  return (q(r) * PIXEL_LEVELS + q(g)) * PIXEL_LEVELS + q(b);
}

/** RGB of a pixel colour code (levels spread over 0…255). */
export function pixelColour(code: number): [number, number, number] {
  const step = 255 / (PIXEL_LEVELS - 1);
  const b = code % PIXEL_LEVELS;
  const g = Math.floor(code / PIXEL_LEVELS) % PIXEL_LEVELS;
  const r = Math.floor(code / PIXEL_LEVELS ** 2);
  return [Math.round(r * step), Math.round(g * step), Math.round(b * step)];
}

/** Where a conditioned task's pictures come from. */
type PictureSource = 'folder' | 'shapes';

/** `(rng, batch index, batch size) → pictures`: the folder read once and shuffled per epoch, or procedural scenes. */
type PicturePicker = (rng: Rng, batch: number, batchSize: number) => CaptionedImage[];

async function picker(task: string, from: PictureSource, source: DatasetSource | undefined, width: number, height: number, seed: number): Promise<PicturePicker> {
  if (from === 'shapes') return (rng, _b, n) => Array.from({ length: n }, () => sampleCaptionedScene(rng, width, height));
  if (source?.data === undefined) throw new FramewrightError('INVALID_PARAMS', `task ${task} needs data: a folder of PNG images with a captions.jsonl (set "data" in the training config)`);
  const examples = await readCaptionedImages(source.data, width, height);
  const sampler = new ShuffledSampler(examples.length, seed);
  return (_rng, b, n) => sampler.indices(b, n).map((i) => examples[i]!);
}

/** The prompt tokenizer and length of a model with its own prompt encoder, or an error naming the field. */
function promptCodec(task: string, config: TransformerModelConfig): { tokenizer: PromptTokenizer; maxLength: number } {
  if (config.text === undefined) throw new FramewrightError('INVALID_PARAMS', `task ${task} needs model.text: a prompt encoder (tokenizer, maxLength, width, heads, ffnHidden, blocks)`);
  return { tokenizer: new PromptTokenizer(config.text.encoder.tokenizer), maxLength: config.text.encoder.maxLength };
}

/** Prompt ids and mask of a batch; a {@link PROMPT_DROPOUT} share of the prompts is left empty. */
function promptArrays(captions: string[], codec: { tokenizer: PromptTokenizer; maxLength: number }, rng: Rng): Batch {
  const prompts = captions.map((c) => (rng.float() < PROMPT_DROPOUT ? '' : c));
  const e = codec.tokenizer.encode(prompts, codec.maxLength);
  return { promptIds: { dtype: 'int32', shape: e.shape, data: e.ids }, promptMask: { dtype: 'float32', shape: e.shape, data: e.mask } };
}

function promptInputs(batch: TensorBatch): { promptIds: tf.Tensor2D; promptMask: tf.Tensor2D } {
  return { promptIds: batch['promptIds'] as tf.Tensor2D, promptMask: batch['promptMask'] as tf.Tensor2D };
}

function grid(task: string, config: TransformerModelConfig): { rows: number; cols: number } {
  const p = config.positions;
  if (p.kind !== 'sincos2d') throw new FramewrightError('INVALID_PARAMS', `task ${task} needs model.positions {kind: sincos2d, rows, cols}: the picture's grid`);
  return { rows: p.rows, cols: p.cols };
}

function checkTokenModel(task: string, config: TransformerModelConfig): { rows: number; cols: number } {
  const bad = (why: string): never => {
    throw new FramewrightError('INVALID_PARAMS', `task ${task} needs ${why}`);
  };
  if (config.input.kind !== 'tokens' || config.input.vocabSize !== PIXEL_VOCABULARY) bad(`model.input {kind: tokens, vocabSize: ${PIXEL_VOCABULARY}}`);
  if (config.outputSize !== PIXEL_VOCABULARY) bad(`model.outputSize ${PIXEL_VOCABULARY}`);
  if (config.causal === true) bad('a bidirectional model (causal false)');
  if (config.context === undefined) bad('model.context: cross-attention on the prompt encoder (context.width = text.encoder.width)');
  promptCodec(task, config);
  return grid(task, config);
}

/**
 * A text-to-token task: each picture (rows × cols pixels, the model's 2-D position grid) becomes
 * one token per pixel, its colour quantised to {@link PIXEL_CODES} codes; a cosine-scheduled
 * share of them is replaced by the mask id {@link PIXEL_CODES} and the model predicts them
 * (cross-entropy on masked positions), attending to the prompt through cross-attention on its
 * own prompt encoder (`model.text`, `model.context`).
 */
function pixelTokenTask(name: string, from: PictureSource, description: string): TrainingTask {
  return {
    name,
    description,
    feeds: ['prompt'],
    checkModel: (config) => void checkTokenModel(name, config),
    dataset(config, source): Dataset {
      const { rows, cols } = checkTokenModel(name, config);
      const codec = promptCodec(name, config);
      const seq = rows * cols;
      return {
        name,
        async *batches({ seed, batchSize, start }) {
          const pick = await picker(name, from, source, cols, rows, seed);
          for (let b = start; ; b++) {
            const rng = new Rng(mixSeed(seed, b));
            const pictures = pick(rng, b, batchSize);
            const inputs = new Int32Array(batchSize * seq);
            const targets = new Int32Array(batchSize * seq);
            const mask = new Float32Array(batchSize * seq);
            pictures.forEach(({ image }, i) => {
              for (let k = 0; k < seq; k++) targets[i * seq + k] = pixelCode(image.rgb[k * 3]!, image.rgb[k * 3 + 1]!, image.rgb[k * 3 + 2]!);
              inputs.set(targets.subarray(i * seq, (i + 1) * seq), i * seq);
              const masked = Math.max(1, Math.ceil(cosineMaskRatio(rng.float()) * seq));
              for (const k of rng.shuffle(Array.from({ length: seq }, (_, j) => j)).slice(0, masked)) {
                inputs[i * seq + k] = PIXEL_CODES;
                mask[i * seq + k] = 1;
              }
            });
            yield {
              inputs: { dtype: 'int32', shape: [batchSize, seq], data: inputs },
              targets: { dtype: 'int32', shape: [batchSize, seq], data: targets },
              mask: { dtype: 'float32', shape: [batchSize, seq], data: mask },
              ...promptArrays(pictures.map((p) => p.caption), codec, rng),
            };
          }
        },
      };
    },
    loss(model: TransformerModel, batch: TensorBatch) {
      return crossEntropy(model.forward(batch['inputs']!, promptInputs(batch)), batch['targets']!, batch['mask']);
    },
  };
}

function checkDiffusionModel(task: string, config: TransformerModelConfig): { rows: number; cols: number; patch: number } {
  const bad = (why: string): never => {
    throw new FramewrightError('INVALID_PARAMS', `task ${task} needs ${why}`);
  };
  if (config.input.kind !== 'patches' || config.input.channels !== 3) bad('model.input {kind: patches, patchSize, channels: 3}');
  const patch = (config.input as { patchSize: number }).patchSize;
  if (config.outputSize !== patch * patch * 3) bad(`model.outputSize ${patch * patch * 3} (one RGB patch per token)`);
  if (config.timestep === undefined) bad('model.timestep: the diffusion time conditions the model through adaLN');
  promptCodec(task, config);
  return { ...grid(task, config), patch };
}

/**
 * A text-to-image diffusion task with v-prediction and the cosine schedule (see
 * {@link vPredictionPair}): pictures in [−1, 1] at the model's size (grid × patch), t uniform in
 * [0, 1] per example (the model sees `t·1000`), noise from the run's generator; the model
 * predicts v patch by patch (mean squared error), conditioned on t through adaLN and on the prompt
 * through its own prompt encoder — cross-attention (`model.context`) and/or the pooled prompt in
 * adaLN (`model.text.pooled`).
 */
function diffusionTask(name: string, from: PictureSource, description: string): TrainingTask {
  return {
    name,
    description,
    feeds: ['timestep', 'prompt'],
    checkModel: (config) => void checkDiffusionModel(name, config),
    dataset(config, source): Dataset {
      const { rows, cols, patch } = checkDiffusionModel(name, config);
      const codec = promptCodec(name, config);
      const [h, w] = [rows * patch, cols * patch];
      return {
        name,
        async *batches({ seed, batchSize, start }) {
          const pick = await picker(name, from, source, w, h, seed);
          for (let b = start; ; b++) {
            const rng = new Rng(mixSeed(seed, b));
            const pictures = pick(rng, b, batchSize);
            const images = new Float32Array(batchSize * h * w * 3);
            pictures.forEach(({ image }, i) => image.rgb.forEach((v, k) => (images[i * h * w * 3 + k] = v / 127.5 - 1)));
            yield { images: { dtype: 'float32', shape: [batchSize, h, w, 3], data: images }, ...promptArrays(pictures.map((p) => p.caption), codec, rng) };
          }
        },
      };
    },
    loss(model: TransformerModel, batch: TensorBatch, rng: Rng) {
      const x0 = batch['images']!;
      const patch = (model.config.input as { patchSize: number }).patchSize;
      const batchSize = x0.shape[0]!;
      const t = tf.tensor1d(Float32Array.from({ length: batchSize }, () => rng.float()));
      const noise = tf.tensor(Float32Array.from({ length: x0.size }, () => rng.normal()), x0.shape);
      const { noisy, v } = vPredictionPair(x0, noise, t);
      const predicted = model.forward(noisy, { timestep: tf.mul(t, TIMESTEP_SCALE) as tf.Tensor1D, ...promptInputs(batch) });
      return meanSquaredError(predicted, patchify(v, patch));
    },
  };
}

/** `captioned-maskgit`: text-to-token (pixel tokens, MaskGIT masking) over a folder of captioned PNGs (`data`). */
export const captionedMaskGitTask = pixelTokenTask('captioned-maskgit', 'folder', 'masked pixel tokens from a prompt (cross-attention on the model\'s prompt encoder), over a folder of captioned images (data: images + captions.jsonl)');
/** `captioned-diffusion`: text-to-image diffusion (v-prediction) over a folder of captioned PNGs (`data`). */
export const captionedDiffusionTask = diffusionTask('captioned-diffusion', 'folder', 'text-to-image diffusion (v-prediction, timestep + prompt conditioning), over a folder of captioned images (data: images + captions.jsonl)');
/** `shapes-diffusion`: the same diffusion task over the procedural captioned shapes (no folder needed). */
export const shapesDiffusionTask = diffusionTask('shapes-diffusion', 'shapes', 'text-to-image diffusion (v-prediction) over procedural captioned shapes');
/** `shapes-pixel-maskgit`: the text-to-token task over the procedural captioned shapes. */
export const shapesPixelMaskGitTask = pixelTokenTask('shapes-pixel-maskgit', 'shapes', 'masked pixel tokens from a prompt (cross-attention on the prompt encoder), over procedural captioned shapes');
