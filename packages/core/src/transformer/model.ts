import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';
import { KVCache } from './attention.js';
import { TransformerBlock } from './block.js';
import { AdaLNModulation, TimestepEmbedding, modulate } from './conditioning.js';
import { Embedding, LayerNorm, Linear } from './layers.js';
import { Module } from './module.js';
import { checkDtype, checkShape } from './ops.js';
import { PatchEmbed } from './patch.js';
import { SpaceTimeBlock } from './spacetime.js';
import { type PositionalConfig, PositionalEncoding } from './positional.js';
import { Rng } from './random.js';

type WithoutWidth<T> = T extends unknown ? Omit<T, 'width'> : never;

/** Configuration of {@link TransformerModel} (plain JSON; stored in checkpoints). */
export interface TransformerModelConfig {
  /**
   * What comes in: int32 token ids `[batch, seq]`; float features `[batch, seq, features]`
   * (e.g. pre-cut patches); or images/video (NHWC) cut into patches by {@link PatchEmbed}.
   */
  input:
    | {
        /** Token ids through an {@link Embedding}. */
        kind: 'tokens';
        /** Number of token ids. */
        vocabSize: number;
      }
    | {
        /** Float vectors through a {@link Linear}. */
        kind: 'features';
        /** Width of each input vector. */
        features: number;
      }
    | {
        /** Images/video through a {@link PatchEmbed}. */
        kind: 'patches';
        /** Side of a square patch in pixels. */
        patchSize: number;
        /** Image channels. */
        channels: number;
      };
  /** Positional encoding (its width is the model width), or none. */
  positions:
    | WithoutWidth<PositionalConfig>
    | {
        /** No positional encoding. */
        kind: 'none';
      };
  /** Model width. */
  width: number;
  /** Attention heads. */
  heads: number;
  /** Feed-forward hidden width. */
  ffnHidden: number;
  /** Feed-forward activation. */
  activation: 'gelu' | 'swiglu';
  /** Number of blocks. */
  blocks: number;
  /** Causal self-attention (autoregressive); default false (encoder). */
  causal?: boolean;
  /** Layer-norm epsilon; default 1e-5. */
  eps?: number;
  /** Output width of the head (vocabulary size, patch size…); omitted → return final hidden states. */
  outputSize?: number;
  /** Diffusion timestep conditioning through adaLN-Zero. */
  timestep?: {
    /** Width of the sinusoidal features of t (see {@link TimestepEmbedding}). */
    frequencyDim: number;
  };
  /** Cross-attention to a context (text tokens) of this width in every block. */
  context?: {
    /** Width of the context vectors (e.g. the prompt encoder width). */
    width: number;
  };
  /** Video: use {@link SpaceTimeBlock}s (attention within frames, then across frames) instead of full attention. */
  spaceTime?: {
    /** Frames per clip; the sequence is frames × tokens per frame, frame-major. */
    frames: number;
    /** Temporal attention only looks at earlier frames. */
    causalTime?: boolean;
  };
}

/** Extra inputs of {@link TransformerModel.forward}. */
export interface ModelInputs {
  /** Timestep `[batch]` (models with `timestep`). */
  timestep?: tf.Tensor1D;
  /** Context tokens `[batch, ctxSeq, contextWidth]` (models with `context`). */
  context?: tf.Tensor3D;
  /** Context padding mask `[batch, ctxSeq]`, 1 = token. */
  contextMask?: tf.Tensor2D;
  /** Key padding mask `[batch, seq]` (with caches `[batch, cached + seq]`), 1 = token. */
  mask?: tf.Tensor2D;
  /** One KV cache per block, for autoregressive decoding (see {@link TransformerModel.createCaches}). */
  caches?: KVCache[];
}

const positiveInts: (keyof TransformerModelConfig)[] = ['width', 'heads', 'ffnHidden', 'blocks'];

/** Throws `MODEL_INVALID` naming the first bad field of a model configuration. */
export function validateModelConfig(config: TransformerModelConfig): void {
  const bad = (field: string, why: string): never => {
    throw new FramewrightError('MODEL_INVALID', `model config ${field} ${why}`);
  };
  for (const k of positiveInts) {
    const v = config[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) bad(k, `must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (config.width % config.heads !== 0) bad('width', `${config.width} is not divisible by heads ${config.heads}`);
  if (!['gelu', 'swiglu'].includes(config.activation)) bad('activation', `must be gelu or swiglu, got ${JSON.stringify(config.activation)}`);
  if (!['tokens', 'features', 'patches'].includes(config.input?.kind)) bad('input.kind', `must be tokens, features or patches`);
  if (config.spaceTime !== undefined) {
    const f = config.spaceTime.frames;
    if (!Number.isInteger(f) || f < 1) bad('spaceTime.frames', `must be a positive integer, got ${JSON.stringify(f)}`);
    if (config.causal === true) bad('causal', 'does not apply to space-time models; use spaceTime.causalTime');
  }
  if (!['none', 'sinusoidal', 'learned', 'sincos2d', 'sincos3d'].includes(config.positions?.kind)) {
    bad('positions.kind', 'must be none, sinusoidal, learned, sincos2d or sincos3d');
  }
}

/**
 * Encoder-style transformer: embedding + positions + N {@link TransformerBlock}s + final norm + head.
 *
 * `forward(input)` → `[batch, seq, outputSize]` (or `[batch, seq, width]` without a head):
 * ```
 * x = pos(embed(input))                       tokens: Embedding; features: Linear; patches: PatchEmbed
 * c = time(timestep)                          when config.timestep (TimestepEmbedding, width wide)
 * x = blocks[i](x, {cond: c, context, …})     i = 0 … blocks−1 (SpaceTimeBlock with config.spaceTime)
 * x = norm(x)                                 affine LayerNorm; with timestep: non-affine, then
 *                                             modulate(x, shift, scale) with [shift, scale] = finalAda(c)
 * y = head(x)                                 Linear, when config.outputSize
 * ```
 * Variables: `embed.*`, `pos.weight` (learned positions), `time.*`, `blocks.{i}.*`, `norm.*`,
 * `finalAda.linear.*`, `head.*` — e.g. `blocks.0.attn.q.weight` `[width, width]`.
 *
 * @example
 * ```ts
 * const model = new TransformerModel({ input: { kind: 'tokens', vocabSize: 64 }, positions: { kind: 'sinusoidal', length: 64 },
 *   width: 128, heads: 4, ffnHidden: 512, activation: 'gelu', blocks: 4, outputSize: 64 }, new Rng(1));
 * const logits = model.forward(tf.zeros([8, 64], 'int32')); // [8, 64, 64]
 * ```
 */
export class TransformerModel extends Module<TransformerModelConfig> {
  private readonly embed: Embedding | Linear | PatchEmbed;
  private readonly pos: PositionalEncoding | undefined;
  private readonly time: TimestepEmbedding | undefined;
  private readonly blocks: (TransformerBlock | SpaceTimeBlock)[] = [];
  private readonly norm: LayerNorm;
  private readonly finalAda: AdaLNModulation | undefined;
  private readonly head: Linear | undefined;

  /**
   * Builds the model and its weights from the configuration.
   * @param config - see {@link TransformerModelConfig}
   * @param rng - initialisation stream (same seed → same weights)
   */
  constructor(config: TransformerModelConfig, rng: Rng = new Rng(0)) {
    validateModelConfig(config);
    super(config);
    const { width, input } = config;
    this.embed = this.child(
      'embed',
      input.kind === 'tokens'
        ? new Embedding({ vocabSize: input.vocabSize, width }, rng)
        : input.kind === 'features'
          ? new Linear({ inFeatures: input.features, outFeatures: width }, rng)
          : new PatchEmbed({ patchSize: input.patchSize, channels: input.channels, width }, rng),
    );
    if (config.positions.kind !== 'none') {
      this.pos = this.child('pos', new PositionalEncoding({ ...config.positions, width } as PositionalConfig, rng));
    }
    const condWidth = config.timestep ? width : undefined;
    if (config.timestep) this.time = this.child('time', new TimestepEmbedding({ frequencyDim: config.timestep.frequencyDim, width }, rng));
    const blockConfig = { width, heads: config.heads, ffnHidden: config.ffnHidden, activation: config.activation, eps: config.eps, contextWidth: config.context?.width, condWidth };
    const st = config.spaceTime;
    for (let i = 0; i < config.blocks; i++) {
      const block = st ? new SpaceTimeBlock({ ...blockConfig, frames: st.frames, causalTime: st.causalTime }, rng) : new TransformerBlock(blockConfig, rng);
      this.blocks.push(this.child(`blocks.${i}`, block));
    }
    this.norm = this.child('norm', new LayerNorm({ width, eps: config.eps, affine: condWidth === undefined }, rng));
    if (condWidth !== undefined) this.finalAda = this.child('finalAda', new AdaLNModulation({ condWidth, width, chunks: 2 }, rng));
    if (config.outputSize !== undefined) this.head = this.child('head', new Linear({ inFeatures: width, outFeatures: config.outputSize }, rng));
  }

  /** One empty {@link KVCache} per block (causal models), for token-by-token decoding. */
  createCaches(): KVCache[] {
    return this.blocks.map(() => new KVCache());
  }

  /** Embeds the input: `[batch, seq, width]`. */
  private embedInput(input: tf.Tensor): tf.Tensor3D {
    const cfg = this.config.input;
    if (cfg.kind === 'tokens') {
      checkShape(input, ['batch', 'seq'], 'model input (token ids)');
      checkDtype(input, 'int32', 'model input (token ids)');
      return (this.embed as Embedding).forward(input as tf.Tensor2D);
    }
    if (cfg.kind === 'features') {
      checkShape(input, ['batch', 'seq', cfg.features], 'model input (features)');
      return (this.embed as Linear).forward(input) as tf.Tensor3D;
    }
    return (this.embed as PatchEmbed).forward(input);
  }

  /** input → `[batch, seq, outputSize]` (or `[batch, seq, width]`); see the class comment. */
  forward(input: tf.Tensor, inputs: ModelInputs = {}): tf.Tensor3D {
    const caches = inputs.caches;
    if (caches !== undefined && caches.length !== this.blocks.length) {
      throw new FramewrightError('MODEL_INVALID', `model has ${this.blocks.length} blocks but got ${caches.length} KV caches`);
    }
    let x = this.embedInput(input);
    const offset = caches?.[0]?.length ?? 0;
    if (this.pos !== undefined) x = this.pos.forward(x, offset);
    let cond: tf.Tensor2D | undefined;
    if (this.time !== undefined) {
      if (inputs.timestep === undefined) throw new FramewrightError('MODEL_INVALID', 'this model is timestep-conditioned and needs a timestep [batch]');
      checkShape(inputs.timestep, [x.shape[0]], 'timestep');
      cond = this.time.forward(inputs.timestep);
    }
    const causal = this.config.causal === true;
    if (this.config.spaceTime && (inputs.mask !== undefined || caches !== undefined)) {
      throw new FramewrightError('MODEL_INVALID', 'a space-time model takes no key padding mask or KV caches');
    }
    this.blocks.forEach((block, i) => {
      x =
        block instanceof SpaceTimeBlock
          ? block.forward(x, { cond, context: inputs.context, contextMask: inputs.contextMask })
          : block.forward(x, { cond, context: inputs.context, contextMask: inputs.contextMask, mask: inputs.mask, causal, cache: caches?.[i] });
    });
    let y = this.norm.forward(x);
    if (this.finalAda !== undefined && cond !== undefined) {
      const [shift, scale] = this.finalAda.forward(cond) as [tf.Tensor3D, tf.Tensor3D];
      y = modulate(y, shift, scale);
    }
    return (this.head === undefined ? y : this.head.forward(y)) as tf.Tensor3D;
  }
}
