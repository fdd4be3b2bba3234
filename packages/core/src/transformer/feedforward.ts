import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';
import { Linear } from './layers.js';
import { Module } from './module.js';
import { gelu, silu } from './ops.js';
import { Rng } from './random.js';

/** Configuration of {@link FeedForward}. */
export interface FeedForwardConfig {
  /** Model width (input and output). */
  width: number;
  /** Hidden width (512 in the reference config). */
  hidden: number;
  /** `gelu` (tanh approximation) or `swiglu`. */
  activation: 'gelu' | 'swiglu';
}

/**
 * Position-wise feed-forward network, x `[..., width]` → `[..., width]`.
 * - `gelu`: `fc2(gelu(fc1(x)))`, GELU in its tanh approximation
 *   `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`. Variables `fc1` `[width, hidden]`, `fc2` `[hidden, width]`.
 * - `swiglu`: `down(silu(gate(x)) ⊙ up(x))` with `silu(z) = z·sigmoid(z)`. Variables `gate`, `up`
 *   `[width, hidden]`, `down` `[hidden, width]` (separate layers: splitting a fused one on the last
 *   axis is slow on WASM).
 * Every layer is a {@link Linear} with `weight` and `bias`.
 */
export class FeedForward extends Module<FeedForwardConfig> {
  private readonly layers: Record<string, Linear> = {};

  /**
   * Creates the layers of the feed-forward block.
   * @param config - widths and activation
   * @param rng - initialisation stream
   */
  constructor(config: FeedForwardConfig, rng: Rng = new Rng(0)) {
    super(config);
    const { width: w, hidden: h } = config;
    const names: [string, number, number][] =
      config.activation === 'gelu'
        ? [['fc1', w, h], ['fc2', h, w]]
        : config.activation === 'swiglu'
          ? [['gate', w, h], ['up', w, h], ['down', h, w]]
          : [];
    if (names.length === 0) throw new FramewrightError('MODEL_INVALID', `feed-forward activation must be gelu or swiglu, got ${String(config.activation)}`);
    for (const [name, i, o] of names) this.layers[name] = this.child(name, new Linear({ inFeatures: i, outFeatures: o }, rng));
  }

  /** x `[..., width]` → `[..., width]`. */
  forward(x: tf.Tensor): tf.Tensor {
    const l = this.layers;
    if (this.config.activation === 'gelu') return l.fc2!.forward(gelu(l.fc1!.forward(x, 'feed-forward input')));
    return l.down!.forward(tf.mul(silu(l.gate!.forward(x, 'feed-forward input')), l.up!.forward(x)));
  }
}
