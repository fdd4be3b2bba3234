import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';

/**
 * One dimension of an expected shape: a number must match exactly; a name (`'batch'`) matches
 * anything the first time and must then match the same name's earlier size.
 */
export type DimSpec = number | string;

/**
 * Checks `tensor.shape` against `spec`, binding named dimensions in `dims` so several inputs can be
 * checked for consistency.
 * @throws FramewrightError `MODEL_INVALID`: "attention input must be [batch, seq, 128], got [2, 64, 96]"
 */
export function checkShape(tensor: tf.Tensor, spec: readonly DimSpec[], what: string, dims: Record<string, number> = {}): void {
  const shape = tensor.shape;
  const expected = `[${spec.join(', ')}]`;
  const fail = (why = ''): never => {
    throw new FramewrightError('MODEL_INVALID', `${what} must be ${expected}, got [${shape.join(', ')}]${why}`);
  };
  if (shape.length !== spec.length) fail();
  spec.forEach((d, i) => {
    const size = shape[i]!;
    if (typeof d === 'number') {
      if (size !== d) fail();
    } else if (dims[d] === undefined) {
      dims[d] = size;
    } else if (dims[d] !== size) {
      fail(` (${d} is ${dims[d]} elsewhere)`);
    }
  });
}

/** Throws `MODEL_INVALID` unless `tensor.dtype` is `dtype`. */
export function checkDtype(tensor: tf.Tensor, dtype: tf.DataType, what: string): void {
  if (tensor.dtype !== dtype) throw new FramewrightError('MODEL_INVALID', `${what} must be ${dtype}, got ${tensor.dtype}`);
}

type GradSave = (tensors: tf.Tensor[]) => void;

/**
 * Dense layer on rows, `x·w + b` ([n, in]·[in, out] + [out] → [n, out]), whose gradient uses only
 * flag-free 2-D products (transpose flags make tfjs WASM matMuls 10–30× slower, NOTES-ml.md): dx = dy·wᵀ, dw = xᵀ·dy, db = 1ᵀ·dy (a row of ones instead of a sum over
 * rows, which is slow on WASM).
 */
export const dense = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: GradSave) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      const ones = tf.ones([1, dy.shape[0]]) as tf.Tensor2D;
      return [tf.matMul(dy, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy), tf.reshape(tf.matMul(ones, dy), [dy.shape[1]])];
    },
  };
}) as never) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/**
 * Layer normalisation of rows, x `[n, width]` → `(x − mean)·rsqrt(var + eps)·gamma + beta`
 * (population variance), with a hand-written gradient: `dβ = 1ᵀ·dy`, `dγ = 1ᵀ·(dy ⊙ x̂)`,
 * `dx = r ⊙ (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂))` with `g = dy ⊙ γ`, `r = rsqrt(var + eps)`, means over
 * the row. Autodiff would sum gamma/beta gradients over the batch axes, a slow path on WASM.
 */
export function layerNormRows(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor2D {
  return layerNormOp(x, gamma, beta, tf.scalar(eps));
}

const layerNormOp = tf.customGrad(((x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: tf.Scalar, save: GradSave) => {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const r = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps));
  const xhat = tf.mul(centred, r);
  save([xhat, r, gamma]);
  return {
    value: tf.add(tf.mul(xhat, gamma), beta),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sx, sr, sg] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
      const ones = tf.ones([1, dy.shape[0]]) as tf.Tensor2D;
      const width = dy.shape[1];
      const g = tf.mul(dy, sg);
      const dx = tf.mul(sr, tf.sub(tf.sub(g, tf.mean(g, -1, true)), tf.mul(sx, tf.mean(tf.mul(g, sx), -1, true))));
      return [dx, tf.reshape(tf.matMul(ones, tf.mul(dy, sx)), [width]), tf.reshape(tf.matMul(ones, dy), [width]), tf.zeros([])];
    },
  };
}) as never) as unknown as (x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: tf.Scalar) => tf.Tensor2D;

/**
 * Batched product `a·b` ([n, m, k]·[n, k, p] → [n, m, p]) whose gradient transposes explicitly and
 * then multiplies without transpose flags: tfjs WASM runs flagged matMuls 10–30× slower (NOTES-ml.md).
 */
export const batchMatMul = tf.customGrad(((a: tf.Tensor3D, b: tf.Tensor3D, save: GradSave) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor3D, tf.Tensor3D];
      return [tf.matMul(dy, tf.transpose(sb, [0, 2, 1])), tf.matMul(tf.transpose(sa, [0, 2, 1]), dy)];
    },
  };
}) as never) as unknown as (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;

/**
 * Row lookup `table[ids]` ([vocab, width], int32 [n] → [n, width]). The gradient scatter-adds the
 * rows of dy into a zero table in plain JS (in order, so it is deterministic): the WASM backend
 * lacks the UnsortedSegmentSum kernel that tfjs's gather gradient needs, and a one-hot product
 * costs vocab·n·width multiply-adds.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  return lookupOp(table, ids);
}

const lookupOp = tf.customGrad(((t: tf.Tensor2D, ids: tf.Tensor1D, save: GradSave) => {
  save([ids]);
  const [vocab, width] = t.shape;
  return {
    value: tf.gather(t, ids),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const rows = saved[0]!.dataSync();
      const d = dy.dataSync();
      const grad = new Float32Array(vocab * width);
      for (let r = 0; r < rows.length; r++) {
        const to = rows[r]! * width;
        const from = r * width;
        for (let c = 0; c < width; c++) grad[to + c]! += d[from + c]!;
      }
      return [tf.tensor2d(grad, [vocab, width]), tf.zerosLike(saved[0]!)];
    },
  };
}) as never) as unknown as (t: tf.Tensor2D, ids: tf.Tensor1D) => tf.Tensor2D;

/**
 * GELU, tanh approximation: `0.5·x·(1 + tanh(u))` with `u = √(2/π)·(x + 0.044715·x³)`, computed as the
 * identical `x·sigmoid(2u)` (the WASM Tanh kernel is ~10× slower than Sigmoid), with a hand-written
 * gradient `dy·(s + x·s·(1 − s)·2u′)`, `s = sigmoid(2u)`, `u′ = √(2/π)·(1 + 3·0.044715·x²)`.
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return geluOp(x) as T;
}

const GELU_C = 2 * Math.sqrt(2 / Math.PI);
const geluOp = tf.customGrad(((x: tf.Tensor, save: GradSave) => {
  const x2 = tf.square(x);
  const s = tf.sigmoid(tf.mul(tf.mul(x, tf.add(tf.mul(x2, 0.044715), 1)), GELU_C));
  save([x, x2, s]);
  return {
    value: tf.mul(x, s),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sx2, ss] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const du = tf.mul(tf.add(tf.mul(sx2, 3 * 0.044715), 1), GELU_C);
      const ds = tf.mul(tf.mul(ss, tf.sub(1, ss)), du);
      return [tf.mul(dy, tf.add(ss, tf.mul(sx, ds)))];
    },
  };
}) as never) as unknown as (x: tf.Tensor) => tf.Tensor;

/** SiLU (swish): `x·sigmoid(x)`. */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x)) as T;
}

/** Additive logit for masked attention positions. exp(-1e9 − max) is exactly 0 in float32. */
export const MASK_VALUE = -1e9;
