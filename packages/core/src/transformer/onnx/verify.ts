import * as tf from '@tensorflow/tfjs';
import type { TransformerModel, TransformerModelConfig } from '../model.js';
import type { Rng } from '../random.js';
import { positionalLength } from './emit-layers.js';
import type { PositionalConfig } from '../positional.js';
import type { OnnxSession, OnnxTensorValue } from '../../runtime/onnx-session.js';

/** Which optional inputs an exported model has (the export options that add them). */
export interface SampleFeedOptions {
  /** The model has a `mask` input. */
  keyMask?: boolean;
  /** The model has a `context_mask` input. */
  contextMask?: boolean;
}

function gaussian(rng: Rng, dims: number[]): OnnxTensorValue<Float32Array> {
  const n = dims.reduce((a, b) => a * b, 1);
  return { data: Float32Array.from({ length: n }, () => rng.normal()), dims };
}

/** Ones, with the last position of every second row padded (so masks are exercised). */
function mask(batch: number, seq: number): OnnxTensorValue<Float32Array> {
  return { data: Float32Array.from({ length: batch * seq }, (_, i) => (i % seq === seq - 1 && Math.floor(i / seq) % 2 === 1 ? 0 : 1)), dims: [batch, seq] };
}

/**
 * Random inputs of the right names and shapes for a model exported from `config`: token ids
 * or features for the full positional length (16 without positions), images sized to the 2-D/3-D
 * position grid (4×4 patches without one), timesteps in [0, 1000), a 4-token context (or, for a
 * model with a prompt encoder, prompt ids of random lengths with their padding mask).
 */
export function sampleModelFeeds(config: TransformerModelConfig, batch: number, rng: Rng, options: SampleFeedOptions = {}): Record<string, OnnxTensorValue> {
  const feeds: Record<string, OnnxTensorValue> = {};
  const positions = config.positions;
  const seq = positions.kind === 'none' ? 16 : positionalLength({ ...positions, width: config.width } as PositionalConfig);
  const input = config.input;
  if (input.kind === 'tokens') feeds.ids = { data: Int32Array.from({ length: batch * seq }, () => rng.int(input.vocabSize)), dims: [batch, seq] };
  else if (input.kind === 'features') feeds.features = gaussian(rng, [batch, seq, input.features]);
  else {
    const p = input.patchSize;
    const grid = positions.kind === 'sincos2d' || positions.kind === 'sincos3d' ? positions : { rows: 4, cols: 4 };
    const frames = positions.kind === 'sincos3d' ? [positions.frames] : [];
    feeds.images = gaussian(rng, [batch, ...frames, grid.rows * p, grid.cols * p, input.channels]);
  }
  if (config.timestep !== undefined) feeds.timestep = { data: Float32Array.from({ length: batch }, () => rng.int(1000)), dims: [batch] };
  if (config.text !== undefined) {
    // a prompt of random words, padded after a random length of at least one token
    const { maxLength, tokenizer } = config.text.encoder;
    const lengths = Array.from({ length: batch }, () => 1 + rng.int(maxLength));
    feeds.prompt_ids = { data: Int32Array.from({ length: batch * maxLength }, (_, i) => (i % maxLength < lengths[Math.floor(i / maxLength)]! ? 1 + rng.int(tokenizer.vocabulary.length - 1) : 0)), dims: [batch, maxLength] };
    feeds.prompt_mask = { data: Float32Array.from({ length: batch * maxLength }, (_, i) => (i % maxLength < lengths[Math.floor(i / maxLength)]! ? 1 : 0)), dims: [batch, maxLength] };
  } else if (config.context !== undefined) {
    feeds.context = gaussian(rng, [batch, 4, config.context.width]);
    if (options.contextMask === true) feeds.context_mask = mask(batch, 4);
  }
  if (options.keyMask === true) {
    const tokens = feeds.ids?.dims[1] ?? feeds.features?.dims[1] ?? seq;
    feeds.mask = mask(batch, tokens);
  }
  return feeds;
}

/**
 * Runs `feeds` through the exported model and through the tfjs model and returns the largest
 * absolute difference of the outputs.
 */
export async function maxAbsDiffVsTfjs(model: TransformerModel, session: OnnxSession, feeds: Record<string, OnnxTensorValue>): Promise<number> {
  const got = (await session.run(feeds)).output!.data as Float32Array;
  const want = tf.tidy(() => {
    const t = (name: string): tf.Tensor | undefined => {
      const v = feeds[name];
      if (v === undefined) return undefined;
      return v.data instanceof Int32Array ? tf.tensor(v.data, [...v.dims], 'int32') : tf.tensor(v.data as Float32Array, [...v.dims]);
    };
    const input = t('ids') ?? t('features') ?? t('images')!;
    const timestep = t('timestep') as tf.Tensor1D | undefined;
    const context = t('context') as tf.Tensor3D | undefined;
    const contextMask = t('context_mask') as tf.Tensor2D | undefined;
    const keyMask = t('mask') as tf.Tensor2D | undefined;
    const promptIds = t('prompt_ids') as tf.Tensor2D | undefined;
    const promptMask = t('prompt_mask') as tf.Tensor2D | undefined;
    return model.forward(input, {
      ...(promptIds === undefined ? {} : { promptIds }),
      ...(promptMask === undefined ? {} : { promptMask }),
      ...(timestep === undefined ? {} : { timestep }),
      ...(context === undefined ? {} : { context }),
      ...(contextMask === undefined ? {} : { contextMask }),
      ...(keyMask === undefined ? {} : { mask: keyMask }),
    });
  });
  const expected = want.dataSync();
  want.dispose();
  let max = 0;
  for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(expected[i]! - got[i]!));
  return expected.length === got.length ? max : Number.POSITIVE_INFINITY;
}
