import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';
import { KVCache } from './attention.js';
import { TransformerBlock } from './block.js';
import { AdaLNModulation, TimestepEmbedding, modulate } from './conditioning.js';
import { Dropout, type DropoutRates, validateDropoutRates } from './dropout.js';
import { Embedding, LayerNorm, Linear } from './layers.js';
import { Module } from './module.js';
import { checkDtype, checkShape } from './ops.js';
import { PatchEmbed } from './patch.js';
import { SpaceTimeBlock } from './spacetime.js';
import { type PositionalConfig, PositionalEncoding } from './positional.js';
import { Rng } from './random.js';
import type { TokenizerConfig } from './tokenizer.js';

type WithoutWidth<T> = T extends unknown ? Omit<T, 'width'> : never;

/** A prompt encoder's configuration: its tokenizer and sizes (see {@link PromptEncoder}). */
export interface TextEncoderConfig {
  /** Tokenizer kind and vocabulary. */
  tokenizer: TokenizerConfig;
  /** Longest prompt in tokens (sinusoidal positions of this length). */
  maxLength: number;
  /** Width of the token vectors. */
  width: number;
  /** Attention heads. */
  heads: number;
  /** Feed-forward hidden width. */
  ffnHidden: number;
  /** Number of encoder blocks. */
  blocks: number;
}

/**
 * The transformer a prompt encoder is: token input over the tokenizer's vocabulary, sinusoidal
 * positions, bidirectional attention under a padding mask, GELU, final norm, no head.
 */
export function textEncoderModelConfig(c: TextEncoderConfig): TransformerModelConfig {
  return {
    input: { kind: 'tokens', vocabSize: c.tokenizer.vocabulary.length },
    positions: { kind: 'sinusoidal', length: c.maxLength },
    width: c.width,
    heads: c.heads,
    ffnHidden: c.ffnHidden,
    activation: 'gelu',
    blocks: c.blocks,
  };
}

/** Mean of token vectors over non-padding positions: `[batch, L, width]`, mask `[batch, L]` → `[batch, width]`. */
export function meanPool(tokens: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  const m = tf.expandDims(mask, 2);
  return tf.div(tf.sum(tf.mul(tokens, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor2D;
}

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
  /**
   * A prompt encoder inside the model, trained with it: the model then takes prompt token ids
   * (`promptIds`, `promptMask`). Its token vectors are the cross-attention context (needs
   * `context` with `context.width` = `text.encoder.width`); with `pooled`, their mean over the
   * prompt, projected to the model width (`textPool`), is added to the adaLN conditioning vector
   * (the timestep embedding, or alone without `timestep`).
   */
  text?: {
    /** The encoder's tokenizer and sizes. */
    encoder: TextEncoderConfig;
    /** Feed the pooled prompt into adaLN; default false. */
    pooled?: boolean;
  };
  /** Dropout in training mode (see {@link TransformerModel.train}); exported graphs have none. */
  dropout?: DropoutRates;
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
  /** Prompt token ids `[batch, maxLength]` int32 (models with `text`; see {@link PromptTokenizer.encode}). */
  promptIds?: tf.Tensor2D;
  /** Prompt padding mask `[batch, maxLength]`, 1 = token (models with `text`). */
  promptMask?: tf.Tensor2D;
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
  if (config.dropout !== undefined) validateDropoutRates(config.dropout, 'dropout');
  const text = config.text;
  if (text !== undefined) {
    const enc = text.encoder;
    if (typeof enc !== 'object' || enc === null) bad('text.encoder', 'must be a prompt encoder config (tokenizer, maxLength, width, heads, ffnHidden, blocks)');
    for (const k of ['maxLength', 'width', 'heads', 'ffnHidden', 'blocks'] as const) {
      const v = enc[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) bad(`text.encoder.${k}`, `must be a positive integer, got ${JSON.stringify(v)}`);
    }
    if (enc.width % enc.heads !== 0) bad('text.encoder.width', `${enc.width} is not divisible by text.encoder.heads ${enc.heads}`);
    if (!Array.isArray(enc.tokenizer?.vocabulary) || enc.tokenizer.vocabulary[0] !== '<pad>' || enc.tokenizer.vocabulary[1] !== '<unk>') {
      bad('text.encoder.tokenizer.vocabulary', 'must be a list of tokens starting with <pad>, <unk>');
    }
    if (config.context === undefined && text.pooled !== true) bad('text', 'is unused: set model.context (cross-attention to the prompt) or model.text.pooled (pooled prompt into adaLN)');
    if (config.context !== undefined && config.context.width !== enc.width) {
      bad('context.width', `must equal model.text.encoder.width (${enc.width}): the prompt encoder's tokens are the context, got ${config.context.width}`);
    }
  }
}

/** The adaLN conditioning width of a model: its width when a timestep or pooled prompt conditions it. */
export function conditioningWidth(config: TransformerModelConfig): number | undefined {
  return config.timestep !== undefined || config.text?.pooled === true ? config.width : undefined;
}

/**
 * Encoder-style transformer: embedding + positions + N {@link TransformerBlock}s + final norm + head.
 *
 * `forward(input)` → `[batch, seq, outputSize]` (or `[batch, seq, width]` without a head):
 * ```
 * x = pos(embed(input))                       tokens: Embedding; features: Linear; patches: PatchEmbed
 * t = text(promptIds, promptMask)            when config.text: a prompt encoder; t is the context
 * c = time(timestep)                          when config.timestep (TimestepEmbedding, width wide)
 *   + textPool(meanPool(t, promptMask))       when config.text.pooled (c is that alone without timestep)
 * x = blocks[i](x, {cond: c, context, …})     i = 0 … blocks−1 (SpaceTimeBlock with config.spaceTime)
 * x = norm(x)                                 affine LayerNorm; with timestep: non-affine, then
 *                                             modulate(x, shift, scale) with [shift, scale] = finalAda(c)
 * y = head(x)                                 Linear, when config.outputSize
 * ```
 * In training mode ({@link TransformerModel.train}) the blocks apply `config.dropout`.
 * Variables: `embed.*`, `pos.weight` (learned positions), `time.*`, `text.*`, `textPool.*`, `blocks.{i}.*`, `norm.*`,
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
  private readonly text: TransformerModel | undefined;
  private readonly textPool: Linear | undefined;
  private dropout: Dropout | undefined;

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
    const condWidth = conditioningWidth(config);
    if (config.timestep) this.time = this.child('time', new TimestepEmbedding({ frequencyDim: config.timestep.frequencyDim, width }, rng));
    if (config.text !== undefined) {
      this.text = this.child('text', new TransformerModel(textEncoderModelConfig(config.text.encoder), rng));
      if (config.text.pooled === true) this.textPool = this.child('textPool', new Linear({ inFeatures: config.text.encoder.width, outFeatures: width }, rng));
    }
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

  /**
   * Training mode: dropout (`config.dropout`) is applied in every forward pass, its masks drawn
   * from `rng` (the run's generator, so a resumed run draws the same masks). Without dropout
   * rates this changes nothing.
   */
  train(rng: Rng): void {
    const rates = this.config.dropout;
    this.dropout = rates !== undefined && ((rates.attention ?? 0) > 0 || (rates.residual ?? 0) > 0) ? new Dropout(rates, rng) : undefined;
  }

  /** Evaluation mode (the default): no dropout; the forward pass is what ONNX export computes. */
  eval(): void {
    this.dropout = undefined;
  }

  /** True in training mode with dropout on. */
  get training(): boolean {
    return this.dropout !== undefined;
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
    let context = inputs.context;
    let contextMask = inputs.contextMask;
    if (this.text !== undefined) {
      const { promptIds, promptMask } = inputs;
      if (promptIds === undefined || promptMask === undefined) {
        throw new FramewrightError('MODEL_INVALID', 'this model encodes a prompt and needs promptIds and promptMask [batch, promptLength]');
      }
      checkShape(promptIds, [x.shape[0], 'promptLength'], 'prompt ids');
      checkShape(promptMask, promptIds.shape, 'prompt mask');
      const tokens = this.text.forward(promptIds, { mask: promptMask });
      if (this.config.context !== undefined) {
        context = tokens;
        contextMask = promptMask;
      }
      if (this.textPool !== undefined) {
        const pooled = this.textPool.forward(meanPool(tokens, promptMask)) as tf.Tensor2D;
        cond = cond === undefined ? pooled : tf.add(cond, pooled);
      }
    }
    const dropout = this.dropout;
    const causal = this.config.causal === true;
    if (this.config.spaceTime && (inputs.mask !== undefined || caches !== undefined)) {
      throw new FramewrightError('MODEL_INVALID', 'a space-time model takes no key padding mask or KV caches');
    }
    this.blocks.forEach((block, i) => {
      x =
        block instanceof SpaceTimeBlock
          ? block.forward(x, { cond, context, contextMask, dropout })
          : block.forward(x, { cond, context, contextMask, mask: inputs.mask, causal, cache: caches?.[i], dropout });
    });
    let y = this.norm.forward(x);
    if (this.finalAda !== undefined && cond !== undefined) {
      const [shift, scale] = this.finalAda.forward(cond) as [tf.Tensor3D, tf.Tensor3D];
      y = modulate(y, shift, scale);
    }
    return (this.head === undefined ? y : this.head.forward(y)) as tf.Tensor3D;
  }
}
