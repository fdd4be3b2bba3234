import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';
import { type KVCache, MultiHeadAttention } from './attention.js';
import { AdaLNModulation, modulate } from './conditioning.js';
import type { Dropout } from './dropout.js';
import { FeedForward } from './feedforward.js';
import { LayerNorm } from './layers.js';
import { Module } from './module.js';
import { checkShape } from './ops.js';
import { Rng } from './random.js';

/** Configuration of {@link TransformerBlock}. */
export interface BlockConfig {
  /** Model width. */
  width: number;
  /** Attention heads. */
  heads: number;
  /** Feed-forward hidden width. */
  ffnHidden: number;
  /** Feed-forward activation. */
  activation: 'gelu' | 'swiglu';
  /** Layer-norm epsilon; default 1e-5. */
  eps?: number;
  /** Width of a text context for cross-attention; omitted → no cross-attention sub-layer. */
  contextWidth?: number;
  /** Width of a conditioning vector for adaLN-Zero modulation; omitted → plain affine layer norms. */
  condWidth?: number;
}

/** Inputs of {@link TransformerBlock.forward} besides x. */
export interface BlockInputs {
  /** Conditioning vector `[batch, condWidth]` (required when the block has condWidth). */
  cond?: tf.Tensor2D;
  /** Text tokens `[batch, ctxSeq, contextWidth]` (required when the block has contextWidth). */
  context?: tf.Tensor3D;
  /** Context padding mask `[batch, ctxSeq]`: 1 = token, 0 = padding. */
  contextMask?: tf.Tensor2D;
  /** Key padding mask of x `[batch, seq]` (or `[batch, cache + seq]` with a cache). */
  mask?: tf.Tensor2D;
  /** Causal self-attention. */
  causal?: boolean;
  /** Self-attention KV cache for decoding. */
  cache?: KVCache;
  /** Training mode: attention and residual dropout (see {@link Dropout}); absent in evaluation. */
  dropout?: Dropout;
}

/**
 * Pre-norm residual transformer block, x `[batch, seq, width]` → same shape:
 * ```
 * x = x + gA · attn(mod(attnNorm(x), shiftA, scaleA))         (self-attention)
 * x = x + cross(crossNorm(x), context)                          (when contextWidth is set)
 * x = x + gF · ffn(mod(ffnNorm(x), shiftF, scaleF))
 * ```
 * In training mode (`inputs.dropout`) each sub-layer output is passed through residual dropout
 * before the add, and the attention probabilities through attention dropout.
 * Without condWidth: mod is the identity, gA = gF = 1 and the norms are affine.
 * With condWidth (adaLN-Zero): attnNorm/ffnNorm have no weight/bias, `mod(h, s, c) = h·(1 + c) + s`
 * and `[shiftA, scaleA, gA, shiftF, scaleF, gF] = ada(cond)` in that order (see {@link AdaLNModulation}).
 * Variables: `attnNorm`, `attn` ({@link MultiHeadAttention}), `crossNorm`, `cross`, `ffnNorm`,
 * `ffn` ({@link FeedForward}), `ada`; norms are {@link LayerNorm} with eps 1e-5 by default.
 */
export class TransformerBlock extends Module<BlockConfig> {
  private readonly attnNorm: LayerNorm;
  private readonly attn: MultiHeadAttention;
  private readonly crossNorm: LayerNorm | undefined;
  private readonly cross: MultiHeadAttention | undefined;
  private readonly ffnNorm: LayerNorm;
  private readonly ffn: FeedForward;
  private readonly ada: AdaLNModulation | undefined;

  /**
   * Creates the attention, feed-forward and normalisation layers of one block.
   * @param config - sizes and optional conditioning
   * @param rng - initialisation stream
   */
  constructor(config: BlockConfig, rng: Rng = new Rng(0)) {
    super(config);
    const { width, heads, eps } = config;
    const affine = config.condWidth === undefined;
    this.attnNorm = this.child('attnNorm', new LayerNorm({ width, eps, affine }, rng));
    this.attn = this.child('attn', new MultiHeadAttention({ width, heads }, rng));
    if (config.contextWidth !== undefined) {
      this.crossNorm = this.child('crossNorm', new LayerNorm({ width, eps }, rng));
      this.cross = this.child('cross', new MultiHeadAttention({ width, heads, contextWidth: config.contextWidth }, rng));
    }
    this.ffnNorm = this.child('ffnNorm', new LayerNorm({ width, eps, affine }, rng));
    this.ffn = this.child('ffn', new FeedForward({ width, hidden: config.ffnHidden, activation: config.activation }, rng));
    if (config.condWidth !== undefined) {
      this.ada = this.child('ada', new AdaLNModulation({ condWidth: config.condWidth, width, chunks: 6 }, rng));
    }
  }

  /** x `[batch, seq, width]` → `[batch, seq, width]`. */
  forward(x: tf.Tensor3D, inputs: BlockInputs = {}): tf.Tensor3D {
    checkShape(x, ['batch', 'seq', this.config.width], 'block input');
    const drop = inputs.dropout;
    const self = { causal: inputs.causal, keyMask: inputs.mask, cache: inputs.cache, dropout: drop };
    const residual = <T extends tf.Tensor>(t: T): T => (drop === undefined ? t : drop.residual(t));
    let h: tf.Tensor3D;
    if (this.ada !== undefined) {
      if (inputs.cond === undefined) throw missing('a conditioning vector (cond)');
      const [sA, cA, gA, sF, cF, gF] = this.ada.forward(inputs.cond) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      h = tf.add(x, tf.mul(gA, residual(this.attn.forward(modulate(this.attnNorm.forward(x), sA, cA) as tf.Tensor3D, self))));
      h = this.crossAttend(h, inputs);
      return tf.add(h, tf.mul(gF, residual(this.ffn.forward(modulate(this.ffnNorm.forward(h), sF, cF)))));
    }
    h = tf.add(x, residual(this.attn.forward(this.attnNorm.forward(x) as tf.Tensor3D, self)));
    h = this.crossAttend(h, inputs);
    return tf.add(h, residual(this.ffn.forward(this.ffnNorm.forward(h))));
  }

  private crossAttend(h: tf.Tensor3D, inputs: BlockInputs): tf.Tensor3D {
    if (this.cross === undefined || this.crossNorm === undefined) return h;
    if (inputs.context === undefined) throw missing('a text context');
    const drop = inputs.dropout;
    const out = this.cross.forward(this.crossNorm.forward(h) as tf.Tensor3D, { context: inputs.context, keyMask: inputs.contextMask, dropout: drop });
    return tf.add(h, drop === undefined ? out : drop.residual(out));
  }
}

function missing(what: string): FramewrightError {
  return new FramewrightError('MODEL_INVALID', `this transformer block is conditioned and needs ${what}`);
}
