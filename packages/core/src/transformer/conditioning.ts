import * as tf from '@tensorflow/tfjs';
import { Linear } from './layers.js';
import { Module } from './module.js';
import { checkShape, silu } from './ops.js';
import { Rng } from './random.js';

/** Configuration of {@link TimestepEmbedding}. */
export interface TimestepEmbeddingConfig {
  /** Width of the sinusoidal features of t (even; 256 in DiT). */
  frequencyDim: number;
  /** Output width (the model width). */
  width: number;
  /** Largest period of the sinusoid; default 10000. */
  maxPeriod?: number;
}

/**
 * Diffusion timestep embedding, t `[batch]` float32 → `[batch, width]`:
 * `f = [cos(t·ωᵢ) | sin(t·ωᵢ)]` for i < frequencyDim/2 with `ωᵢ = maxPeriod^(−i/(frequencyDim/2))`
 * (cosines first), then `fc2(silu(fc1(f)))`. Variables `fc1` `[frequencyDim, width]`, `fc2` `[width, width]`.
 */
export class TimestepEmbedding extends Module<TimestepEmbeddingConfig> {
  private readonly fc1: Linear;
  private readonly fc2: Linear;
  private readonly freqs: tf.Tensor2D;

  /**
   * Creates the frequency table and the two projection layers.
   * @param config - frequency and output widths
   * @param rng - initialisation stream
   */
  constructor(config: TimestepEmbeddingConfig, rng: Rng = new Rng(0)) {
    super(config);
    const half = config.frequencyDim / 2;
    const f = new Float32Array(half);
    for (let i = 0; i < half; i++) f[i] = Math.pow(config.maxPeriod ?? 10000, -i / half);
    this.freqs = tf.keep(tf.tensor2d(f, [1, half]));
    this.fc1 = this.child('fc1', new Linear({ inFeatures: config.frequencyDim, outFeatures: config.width }, rng));
    this.fc2 = this.child('fc2', new Linear({ inFeatures: config.width, outFeatures: config.width }, rng));
  }

  /** The sinusoidal features `[batch, frequencyDim]` before the MLP. */
  features(t: tf.Tensor1D): tf.Tensor2D {
    checkShape(t, ['batch'], 'timestep');
    const args = tf.mul(tf.reshape(t, [-1, 1]), this.freqs);
    return tf.concat([tf.cos(args), tf.sin(args)], 1) as tf.Tensor2D;
  }

  /** t `[batch]` → `[batch, width]`. */
  forward(t: tf.Tensor1D): tf.Tensor2D {
    return this.fc2.forward(silu(this.fc1.forward(this.features(t)))) as tf.Tensor2D;
  }

  /** Frees the variables and the frequency table. */
  override dispose(): void {
    super.dispose();
    this.freqs.dispose();
  }
}

/** Configuration of {@link AdaLNModulation}. */
export interface AdaLNConfig {
  /** Width of the conditioning vector (timestep embedding + pooled text, etc.). */
  condWidth: number;
  /** Model width being modulated. */
  width: number;
  /** How many width-sized chunks to produce (6 for a block: shift/scale/gate × attention, feed-forward; 2 for the final layer: shift/scale). */
  chunks: number;
}

/**
 * adaLN-Zero modulation: c `[batch, condWidth]` → `chunks` tensors `[batch, 1, width]`:
 * `m = linear(silu(c))` `[batch, chunks·width]`, reshaped to `[batch, chunks, width]` and sliced on
 * axis 1. Variable `linear` `{weight [condWidth, chunks·width], bias}` starts at zero, so gates
 * start closed and a conditioned block starts as the identity.
 */
export class AdaLNModulation extends Module<AdaLNConfig> {
  private readonly linear: Linear;

  /**
   * Creates the zero-initialised modulation projection.
   * @param config - widths and chunk count
   * @param rng - initialisation stream
   */
  constructor(config: AdaLNConfig, rng: Rng = new Rng(0)) {
    super(config);
    this.linear = this.child('linear', new Linear({ inFeatures: config.condWidth, outFeatures: config.chunks * config.width, zeroInit: true }, rng));
  }

  /** c `[batch, condWidth]` → `chunks` × `[batch, 1, width]`. */
  forward(c: tf.Tensor2D): tf.Tensor3D[] {
    checkShape(c, ['batch', this.config.condWidth], 'conditioning vector');
    const { chunks, width } = this.config;
    const m = tf.reshape(this.linear.forward(silu(c)), [-1, chunks, width]);
    return Array.from({ length: chunks }, (_, i) => tf.slice(m, [0, i, 0], [-1, 1, -1]) as tf.Tensor3D);
  }
}

/** `x·(1 + scale) + shift` (shapes broadcast: x `[batch, seq, width]`, shift/scale `[batch, 1, width]`). */
export function modulate(x: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(x, tf.add(1, scale)), shift);
}
