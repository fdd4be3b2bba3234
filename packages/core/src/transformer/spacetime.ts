import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';
import { MultiHeadAttention } from './attention.js';
import { AdaLNModulation, modulate } from './conditioning.js';
import { FeedForward } from './feedforward.js';
import { LayerNorm } from './layers.js';
import { Module } from './module.js';
import { checkShape } from './ops.js';
import { Rng } from './random.js';
import type { BlockConfig, BlockInputs } from './block.js';

/** Configuration of {@link SpaceTimeBlock}: a {@link BlockConfig} plus the video layout. */
export interface SpaceTimeBlockConfig extends BlockConfig {
  /** Frames per clip; the sequence is `frames × tokensPerFrame`, frame-major. */
  frames: number;
  /** Frame f may only attend to frames ≤ f in the temporal attention. */
  causalTime?: boolean;
}

/**
 * Pre-norm block with factorised space-time attention for video tokens, x
 * `[batch, frames·tokens, width]` (frame-major, the order of `patchify` on video) → same shape:
 * ```
 * x = x + gS · space(mod(spaceNorm(x), shiftS, scaleS))   attention within each frame: [batch·frames, tokens, width]
 * x = x + gT · time(mod(timeNorm(x), shiftT, scaleT))     attention across frames per position: [batch·tokens, frames, width]
 * x = x + cross(crossNorm(x), context)                      when contextWidth is set
 * x = x + gF · ffn(mod(ffnNorm(x), shiftF, scaleF))
 * ```
 * Without condWidth: mod is the identity, gates are 1 and norms affine. With condWidth (adaLN-Zero):
 * `[shiftS, scaleS, gS, shiftT, scaleT, gT, shiftF, scaleF, gF] = ada(cond)` in that order.
 * Costs frames·tokens·(tokens + frames) attention logits instead of (frames·tokens)² for full
 * attention. Variables: `spaceNorm`, `space`, `timeNorm`, `time`, `crossNorm`, `cross`, `ffnNorm`,
 * `ffn`, `ada` (see {@link MultiHeadAttention}, {@link FeedForward}, {@link AdaLNModulation}).
 */
export class SpaceTimeBlock extends Module<SpaceTimeBlockConfig> {
  private readonly spaceNorm: LayerNorm;
  private readonly space: MultiHeadAttention;
  private readonly timeNorm: LayerNorm;
  private readonly time: MultiHeadAttention;
  private readonly crossNorm: LayerNorm | undefined;
  private readonly cross: MultiHeadAttention | undefined;
  private readonly ffnNorm: LayerNorm;
  private readonly ffn: FeedForward;
  private readonly ada: AdaLNModulation | undefined;

  /**
   * Creates the spatial, temporal and feed-forward layers of one block.
   * @param config - sizes, frames and optional conditioning
   * @param rng - initialisation stream
   */
  constructor(config: SpaceTimeBlockConfig, rng: Rng = new Rng(0)) {
    super(config);
    const { width, heads, eps } = config;
    if (!Number.isInteger(config.frames) || config.frames < 1) throw new FramewrightError('MODEL_INVALID', `space-time block frames must be a positive integer, got ${config.frames}`);
    const affine = config.condWidth === undefined;
    this.spaceNorm = this.child('spaceNorm', new LayerNorm({ width, eps, affine }, rng));
    this.space = this.child('space', new MultiHeadAttention({ width, heads }, rng));
    this.timeNorm = this.child('timeNorm', new LayerNorm({ width, eps, affine }, rng));
    this.time = this.child('time', new MultiHeadAttention({ width, heads }, rng));
    if (config.contextWidth !== undefined) {
      this.crossNorm = this.child('crossNorm', new LayerNorm({ width, eps }, rng));
      this.cross = this.child('cross', new MultiHeadAttention({ width, heads, contextWidth: config.contextWidth }, rng));
    }
    this.ffnNorm = this.child('ffnNorm', new LayerNorm({ width, eps, affine }, rng));
    this.ffn = this.child('ffn', new FeedForward({ width, hidden: config.ffnHidden, activation: config.activation }, rng));
    if (config.condWidth !== undefined) this.ada = this.child('ada', new AdaLNModulation({ condWidth: config.condWidth, width, chunks: 9 }, rng));
  }

  /**
   * x `[batch, frames·tokens, width]` → same shape. `inputs.mask` and `inputs.cache` are not
   * supported (every video token is real; decoding is not autoregressive).
   */
  forward(x: tf.Tensor3D, inputs: Omit<BlockInputs, 'mask' | 'cache' | 'causal'> = {}): tf.Tensor3D {
    const { width, frames } = this.config;
    checkShape(x, ['batch', 'seq', width], 'space-time block input');
    const [batch, seq] = x.shape;
    if (seq % frames !== 0) throw new FramewrightError('MODEL_INVALID', `space-time block input of ${seq} tokens is not ${frames} frames of equal size`);
    const tokens = seq / frames;
    let mods: tf.Tensor3D[] | undefined;
    if (this.ada !== undefined) {
      if (inputs.cond === undefined) throw new FramewrightError('MODEL_INVALID', 'this space-time block is conditioned and needs a conditioning vector (cond)');
      mods = this.ada.forward(inputs.cond);
    }
    const drop = inputs.dropout;
    const residual = <T extends tf.Tensor>(t: T): T => (drop === undefined ? t : drop.residual(t));
    const pre = (norm: LayerNorm, h: tf.Tensor, i: number): tf.Tensor => (mods ? modulate(norm.forward(h), mods[i]!, mods[i + 1]!) : norm.forward(h));
    const gate = (h: tf.Tensor, i: number): tf.Tensor => (mods ? tf.mul(mods[i + 2]!, residual(h)) : residual(h));

    const s = this.space.forward(tf.reshape(pre(this.spaceNorm, x, 0), [batch * frames, tokens, width]) as tf.Tensor3D, { dropout: drop });
    let h: tf.Tensor = tf.add(x, gate(tf.reshape(s, [batch, seq, width]), 0));

    // [batch, frames, tokens, width] → [batch, tokens, frames, width]: one 4-D transpose each way
    const byPosition = tf.reshape(tf.transpose(tf.reshape(pre(this.timeNorm, h, 3), [batch, frames, tokens, width]), [0, 2, 1, 3]), [batch * tokens, frames, width]);
    const t = this.time.forward(byPosition as tf.Tensor3D, { causal: this.config.causalTime === true, dropout: drop });
    const back = tf.reshape(tf.transpose(tf.reshape(t, [batch, tokens, frames, width]), [0, 2, 1, 3]), [batch, seq, width]);
    h = tf.add(h, gate(back, 3));

    if (this.cross !== undefined && this.crossNorm !== undefined) {
      if (inputs.context === undefined) throw new FramewrightError('MODEL_INVALID', 'this space-time block is conditioned and needs a text context');
      h = tf.add(h, residual(this.cross.forward(this.crossNorm.forward(h) as tf.Tensor3D, { context: inputs.context, keyMask: inputs.contextMask, dropout: drop })));
    }
    return tf.add(h, gate(this.ffn.forward(pre(this.ffnNorm, h, 6)), 6)) as tf.Tensor3D;
  }
}
