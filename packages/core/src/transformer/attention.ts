import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';
import type { Dropout } from './dropout.js';
import { Linear } from './layers.js';
import { Module } from './module.js';
import { MASK_VALUE, batchMatMul, checkShape } from './ops.js';
import { Rng } from './random.js';

/** Configuration of {@link MultiHeadAttention}. */
export interface AttentionConfig {
  /** Model width of the queries (and of the output). */
  width: number;
  /** Number of heads; must divide `width`. */
  heads: number;
  /** Width of the keys/values source; default `width` (self-attention). Set it for cross-attention to text tokens. */
  contextWidth?: number;
}

/**
 * Keys and values of earlier positions for autoregressive decoding with
 * {@link MultiHeadAttention.forward}. Holds `[batch·heads, length, headDim]` tensors that the caller
 * releases with {@link KVCache.dispose}.
 */
export class KVCache {
  /** Cached keys `[batch·heads, length, headDim]`. */
  keys: tf.Tensor3D | undefined;
  /** Cached values `[batch·heads, length, headDim]`. */
  values: tf.Tensor3D | undefined;

  /** Number of cached positions. */
  get length(): number {
    return this.keys?.shape[1] ?? 0;
  }

  /** Replaces the cached tensors (kept out of any surrounding tidy). */
  update(keys: tf.Tensor3D, values: tf.Tensor3D): void {
    const old = [this.keys, this.values];
    this.keys = tf.keep(keys);
    this.values = tf.keep(values);
    for (const t of old) t?.dispose();
  }

  /** Frees the cached tensors. */
  dispose(): void {
    this.keys?.dispose();
    this.values?.dispose();
    this.keys = undefined;
    this.values = undefined;
  }
}

/** Options of {@link MultiHeadAttention.forward}. */
export interface AttentionOptions {
  /** Keys/values source `[batch, kvSeq, contextWidth]`; omitted → self-attention on `x`. */
  context?: tf.Tensor3D;
  /** Key padding mask `[batch, kvSeq]` (float32): 1 = attend, 0 = padding (over cache + new positions when a cache is used). */
  keyMask?: tf.Tensor2D;
  /** Query i may only see keys j ≤ i (+ the cache length). */
  causal?: boolean;
  /** Self-attention decoding cache: new keys/values are appended and all are attended. */
  cache?: KVCache;
  /** Training mode: dropout on the attention probabilities (see {@link Dropout}). */
  dropout?: Dropout;
}

/**
 * Multi-head scaled dot-product attention (self or cross).
 *
 * Shapes: x `[batch, seq, width]`, context `[batch, kvSeq, contextWidth]` → `[batch, seq, width]`.
 * Maths, with `d = width / heads`:
 * `q = x·Wq + bq`, `k = c·Wk + bk`, `v = c·Wv + bv` (c = context or x), split into heads
 * (reshape `[batch, seq, heads, d]`, transpose to `[batch, heads, seq, d]`);
 * `logits = (q / √d)·kᵀ + maskBias` where maskBias is −1e9 at masked positions (causal: key j > query
 * i + cache length; padding: keyMask 0) and 0 elsewhere; `p = softmax(logits)` over keys (a row with
 * every key masked attends uniformly; in training mode dropout may zero some of p); `out = merge(p·v)·Wo + bo`.
 * Variables: `q`, `k`, `v`, `o` — each `{weight [in, width], bias [width]}` (`k`/`v` take
 * contextWidth inputs).
 */
export class MultiHeadAttention extends Module<AttentionConfig> {
  private readonly q: Linear;
  private readonly k: Linear;
  private readonly v: Linear;
  private readonly o: Linear;

  /**
   * Creates the query, key, value and output projections.
   * @param config - width, heads, optional contextWidth
   * @param rng - initialisation stream
   */
  constructor(config: AttentionConfig, rng: Rng = new Rng(0)) {
    super(config);
    if (!Number.isInteger(config.width / config.heads) || config.heads < 1) {
      throw new FramewrightError('MODEL_INVALID', `attention width ${config.width} is not divisible by ${config.heads} heads`);
    }
    const cw = config.contextWidth ?? config.width;
    this.q = this.child('q', new Linear({ inFeatures: config.width, outFeatures: config.width }, rng));
    this.k = this.child('k', new Linear({ inFeatures: cw, outFeatures: config.width }, rng));
    this.v = this.child('v', new Linear({ inFeatures: cw, outFeatures: config.width }, rng));
    this.o = this.child('o', new Linear({ inFeatures: config.width, outFeatures: config.width }, rng));
  }

  /** `[batch, seq, width]` → `[batch·heads, seq, headDim]`. */
  private splitHeads(t: tf.Tensor, batch: number, seq: number): tf.Tensor3D {
    const h = this.config.heads;
    const d = this.config.width / h;
    return tf.reshape(tf.transpose(tf.reshape(t, [batch, seq, h, d]), [0, 2, 1, 3]), [batch * h, seq, d]);
  }

  /** x `[batch, seq, width]` → `[batch, seq, width]`; see the class comment for the maths. */
  forward(x: tf.Tensor3D, options: AttentionOptions = {}): tf.Tensor3D {
    const { width, heads } = this.config;
    const cw = this.config.contextWidth ?? width;
    const dims: Record<string, number> = {};
    checkShape(x, ['batch', 'seq', width], 'attention input', dims);
    if (options.context !== undefined) checkShape(options.context, ['batch', 'kvSeq', cw], 'attention context', dims);
    else if (cw !== width) throw new FramewrightError('MODEL_INVALID', 'cross-attention needs a context tensor');
    if (options.cache !== undefined && options.context !== undefined) {
      throw new FramewrightError('MODEL_INVALID', 'a KV cache is for self-attention only, not with a context');
    }
    const [batch, seq] = x.shape;
    const d = width / heads;
    const source = options.context ?? x;
    const srcSeq = source.shape[1];
    const q = this.splitHeads(tf.mul(this.q.forward(x), 1 / Math.sqrt(d)), batch, seq);
    let k = this.splitHeads(this.k.forward(source), batch, srcSeq);
    let v = this.splitHeads(this.v.forward(source), batch, srcSeq);
    const past = options.cache?.length ?? 0;
    if (options.cache !== undefined && past > 0) {
      k = tf.concat([options.cache.keys!, k], 1);
      v = tf.concat([options.cache.values!, v], 1);
    }
    options.cache?.update(k, v);
    const kvSeq = k.shape[1];
    if (options.keyMask !== undefined) checkShape(options.keyMask, [batch, kvSeq], 'attention key mask');

    let logits: tf.Tensor = tf.reshape(batchMatMul(q, tf.transpose(k, [0, 2, 1])), [batch, heads, seq, kvSeq]);
    if (options.causal) logits = tf.add(logits, causalBias(seq, kvSeq, past));
    if (options.keyMask !== undefined) {
      logits = tf.add(logits, tf.reshape(tf.mul(tf.sub(1, options.keyMask), MASK_VALUE), [batch, 1, 1, kvSeq]));
    }
    let p = tf.reshape(tf.softmax(logits), [batch * heads, seq, kvSeq]) as tf.Tensor3D;
    if (options.dropout !== undefined) p = options.dropout.attention(p);
    const ctx = batchMatMul(p, v);
    const merged = tf.reshape(tf.transpose(tf.reshape(ctx, [batch, heads, seq, d]), [0, 2, 1, 3]), [batch, seq, width]);
    return this.o.forward(merged) as tf.Tensor3D;
  }
}

/** `[seq, kvSeq]` additive bias: −1e9 where key j > query i + past, else 0. */
export function causalBias(seq: number, kvSeq: number, past = 0): tf.Tensor2D {
  const bias = new Float32Array(seq * kvSeq);
  for (let i = 0; i < seq; i++) for (let j = i + past + 1; j < kvSeq; j++) bias[i * kvSeq + j] = MASK_VALUE;
  return tf.tensor2d(bias, [seq, kvSeq]);
}
