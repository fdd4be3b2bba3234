// Seeded random tensors for the transformer tests (same seed, same values on every backend).
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/transformer/index.js';

/** A tensor of `shape` with normal(0, scale²) values drawn from `seed`. */
export function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal() * scale), shape);
}
