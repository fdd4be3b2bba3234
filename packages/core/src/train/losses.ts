import * as tf from '@tensorflow/tfjs';
import { checkShape } from '../transformer/ops.js';

/**
 * Mean cross-entropy of `logits` `[..., classes]` against int32 `targets` `[...]`:
 * `−Σ mask·log softmax(logits)[target] / max(Σ mask, 1)`. `mask` (same shape as targets, 1 = count,
 * 0 = ignore) drops padding or unmasked tokens; without it every position counts. The gradient is
 * written out, `(softmax(logits) − onehot(target))·mask / max(Σ mask, 1)`: three elementwise ops
 * over `[rows, classes]` instead of autodiff's chain through logSoftmax, product and sum.
 */
export function crossEntropy(logits: tf.Tensor, targets: tf.Tensor, mask?: tf.Tensor): tf.Scalar {
  const classes = logits.shape[logits.rank - 1]!;
  const dims: Record<string, number> = {};
  checkShape(logits, [...targets.shape.map((_, i) => `d${i}`), classes], 'cross-entropy logits', dims);
  checkShape(targets, targets.shape.map((_, i) => `d${i}`), 'cross-entropy targets', dims);
  if (mask !== undefined) checkShape(mask, targets.shape, 'cross-entropy mask');
  const rows = tf.reshape(logits, [-1, classes]) as tf.Tensor2D;
  const weights = mask === undefined ? tf.ones([rows.shape[0]]) : tf.reshape(mask, [-1]);
  return crossEntropyOp(rows, tf.reshape(targets, [-1]) as tf.Tensor1D, weights as tf.Tensor1D);
}

type GradSave = (tensors: tf.Tensor[]) => void;

const crossEntropyOp = tf.customGrad(((logits: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D, save: GradSave) => {
  const classes = logits.shape[1];
  const oneHot = tf.oneHot(targets, classes).toFloat();
  const logp = tf.logSoftmax(logits);
  const perRow = tf.neg(tf.sum(tf.mul(logp, oneHot), -1));
  const total = tf.maximum(tf.sum(weights), 1);
  const w = tf.div(weights, total);
  save([logp, oneHot, w, targets]);
  return {
    value: tf.sum(tf.mul(perRow, w)),
    gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
      const [sLogp, sOneHot, sw, sTargets] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
      const scale = tf.mul(tf.reshape(sw, [-1, 1]), dy);
      return [tf.mul(tf.sub(tf.exp(sLogp), sOneHot), scale), tf.zerosLike(sTargets), tf.zerosLike(sw)];
    },
  };
}) as never) as unknown as (logits: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D) => tf.Scalar;

/** Mean squared error `mean((prediction − target)²)`, optionally weighted by a broadcastable `mask` (divided by Σ mask). */
export function meanSquaredError(prediction: tf.Tensor, target: tf.Tensor, mask?: tf.Tensor): tf.Scalar {
  checkShape(target, prediction.shape, 'mse target');
  const sq = tf.squaredDifference(prediction, target);
  if (mask === undefined) return tf.mean(sq);
  const w = tf.mul(tf.onesLike(sq), mask);
  return tf.div(tf.sum(tf.mul(sq, w)), tf.maximum(tf.sum(w), 1));
}

/** The model input and the regression target of one v-prediction training step. */
export interface VPredictionPair {
  /** `α·x0 + σ·ε`, the model's input. */
  noisy: tf.Tensor;
  /** `α·ε − σ·x0`, the model's target. */
  v: tf.Tensor;
}

/**
 * Diffusion training pair for v-prediction with the cosine schedule: for t ∈ [0, 1] per example,
 * `α = cos(πt/2)`, `σ = sin(πt/2)`, `noisy = α·x0 + σ·ε`, `v = α·ε − σ·x0`. Train the model to
 * predict v from (noisy, t) with {@link meanSquaredError}; then `x0 = α·noisy − σ·v`.
 * Shapes: x0 and noise `[batch, ...]`, t `[batch]`.
 */
export function vPredictionPair(x0: tf.Tensor, noise: tf.Tensor, t: tf.Tensor1D): VPredictionPair {
  checkShape(noise, x0.shape, 'diffusion noise');
  checkShape(t, [x0.shape[0]!], 'diffusion time');
  const bshape = [x0.shape[0]!, ...x0.shape.slice(1).map(() => 1)];
  const angle = tf.mul(t, Math.PI / 2);
  const alpha = tf.reshape(tf.cos(angle), bshape);
  const sigma = tf.reshape(tf.sin(angle), bshape);
  return {
    noisy: tf.add(tf.mul(alpha, x0), tf.mul(sigma, noise)),
    v: tf.sub(tf.mul(alpha, noise), tf.mul(sigma, x0)),
  };
}
