import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { checkShape, dense, embeddingLookup, layerNormRows } from './ops.js';
import { Rng } from './random.js';

/** Configuration of {@link Linear}. */
export interface LinearConfig {
  /** Input features (last axis of the input). */
  inFeatures: number;
  /** Output features. */
  outFeatures: number;
  /** Start with all-zero weight and bias (adaLN-Zero gates); default Xavier-uniform weight, zero bias. */
  zeroInit?: boolean;
}

/**
 * Dense layer: `y = x·W + b`, x `[..., in]` → y `[..., out]`.
 * Variables: `weight` `[in, out]` (so ONNX is a plain MatMul, no transpose), `bias` `[out]`.
 * The input is flattened to 2-D for the product (batched matMul is slow on WASM).
 */
export class Linear extends Module<LinearConfig> {
  /** `[in, out]` */
  readonly weight: tf.Variable;
  /** `[out]` */
  readonly bias: tf.Variable;

  /**
   * Creates the weight and bias, initialised from `rng`.
   * @param config - sizes
   * @param rng - initialisation stream
   */
  constructor(config: LinearConfig, rng: Rng = new Rng(0)) {
    super(config);
    const { inFeatures: i, outFeatures: o } = config;
    const limit = Math.sqrt(6 / (i + o));
    this.weight = this.param('weight', [i, o], config.zeroInit ? { kind: 'zeros' } : { kind: 'uniform', limit }, rng);
    this.bias = this.param('bias', [o], { kind: 'zeros' }, rng, { decay: false });
  }

  /** x `[..., in]` → `[..., out]`. */
  forward(x: tf.Tensor, what = 'linear input'): tf.Tensor {
    const lead = x.shape.slice(0, -1);
    const names = lead.length === 1 ? ['rows'] : lead.length === 2 ? ['batch', 'seq'] : lead.map((_, k) => `d${k}`);
    checkShape(x, [...names, this.config.inFeatures], what);
    const flat = tf.reshape(x, [-1, this.config.inFeatures]) as tf.Tensor2D;
    const y = dense(flat, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D);
    return tf.reshape(y, [...lead, this.config.outFeatures]);
  }
}

/** Configuration of {@link LayerNorm}. */
export interface LayerNormConfig {
  /** Size of the normalised (last) axis. */
  width: number;
  /** Added to the variance; default 1e-5. */
  eps?: number;
  /** Learn `weight` (γ) and `bias` (β); default true. adaLN blocks use `false` and modulate instead. */
  affine?: boolean;
}

/**
 * Layer normalisation over the last axis, x `[..., width]` → same shape:
 * `y = (x − mean) / √(var + eps) · weight + bias` with the biased (population) variance and
 * eps = 1e-5 unless configured (ONNX LayerNormalization, axis −1). Variables (when affine):
 * `weight` `[width]` (ones), `bias` `[width]` (zeros).
 */
export class LayerNorm extends Module<LayerNormConfig> {
  private readonly gamma: tf.Variable | undefined;
  private readonly beta: tf.Variable | undefined;

  /**
   * Creates the scale and shift (when affine).
   * @param config - width, eps, affine
   * @param rng - unused by the constant init, kept for uniformity
   */
  constructor(config: LayerNormConfig, rng: Rng = new Rng(0)) {
    super(config);
    if (config.affine !== false) {
      this.gamma = this.param('weight', [config.width], { kind: 'ones' }, rng, { decay: false });
      this.beta = this.param('bias', [config.width], { kind: 'zeros' }, rng, { decay: false });
    }
  }

  /** x `[..., width]` → normalised, same shape. */
  forward(x: tf.Tensor): tf.Tensor {
    const eps = this.config.eps ?? 1e-5;
    if (this.gamma && this.beta) {
      const rows = tf.reshape(x, [-1, this.config.width]) as tf.Tensor2D;
      return tf.reshape(layerNormRows(rows, this.gamma as tf.Tensor1D, this.beta as tf.Tensor1D, eps), x.shape);
    }
    const centred = tf.sub(x, tf.mean(x, -1, true));
    return tf.mul(centred, tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps)));
  }
}

/** Configuration of {@link Embedding}. */
export interface EmbeddingConfig {
  /** Number of token ids. */
  vocabSize: number;
  /** Vector width. */
  width: number;
}

/**
 * Token embedding: int32 ids `[batch, seq]` → `[batch, seq, width]` (ONNX Gather on axis 0).
 * Variable: `weight` `[vocab, width]`, initialised N(0, 1).
 */
export class Embedding extends Module<EmbeddingConfig> {
  /** `[vocab, width]` */
  readonly weight: tf.Variable;

  /**
   * Creates the embedding table, initialised from `rng`.
   * @param config - vocabulary and width
   * @param rng - initialisation stream
   */
  constructor(config: EmbeddingConfig, rng: Rng = new Rng(0)) {
    super(config);
    this.weight = this.param('weight', [config.vocabSize, config.width], { kind: 'normal', std: 1 }, rng, { decay: false });
  }

  /** ids `[batch, seq]` int32 → `[batch, seq, width]`. */
  forward(ids: tf.Tensor2D): tf.Tensor3D {
    const [b, s] = ids.shape;
    const rows = embeddingLookup(this.weight as tf.Tensor2D, tf.reshape(ids, [-1]) as tf.Tensor1D);
    return tf.reshape(rows, [b, s, this.config.width]) as tf.Tensor3D;
  }
}
