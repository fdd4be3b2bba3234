import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Module } from '../../src/transformer/module.js';
import type { Rng } from '../../src/transformer/random.js';
import { exportToOnnx } from '../../src/transformer/onnx/export.js';
import type { OnnxExportOptions } from '../../src/transformer/onnx/exporters.js';
import { createOnnxSession, type OnnxTensorValue } from '../../src/runtime/onnx-session.js';
import { initTfjsBackend } from '../../src/runtime/tfjs-backend.js';

/** The acceptance bound: tfjs vs ONNX Runtime max abs difference. */
export const PARITY_TOLERANCE = 1e-4;

/** Gaussian float32 data of `dims` from a seeded stream, scaled by `std`. */
export function randomFloats(rng: Rng, dims: number[], std = 1): OnnxTensorValue<Float32Array> {
  const n = dims.reduce((a, b) => a * b, 1);
  return { data: Float32Array.from({ length: n }, () => rng.normal() * std), dims };
}

/** Random int32 ids in [0, vocab). */
export function randomIds(rng: Rng, dims: number[], vocab: number): OnnxTensorValue<Int32Array> {
  const n = dims.reduce((a, b) => a * b, 1);
  return { data: Int32Array.from({ length: n }, () => rng.int(vocab)), dims };
}

/** A padding mask `[batch, seq]`: row b has its last `1 + b mod 3` positions padded. */
export function paddingMask(batch: number, seq: number): OnnxTensorValue<Float32Array> {
  return { data: Float32Array.from({ length: batch * seq }, (_, i) => (i % seq < seq - 1 - (Math.floor(i / seq) % 3) ? 1 : 0)), dims: [batch, seq] };
}

/**
 * Gives every variable random values N(0, std²), so zero-initialised biases and adaLN gates are
 * exercised too.
 */
export function randomise<M extends Module<unknown>>(m: M, rng: Rng, std = 1): M {
  for (const v of m.variables().values()) {
    const t = tf.tensor(randomFloats(rng, [...v.shape], std).data, v.shape);
    v.assign(t);
    t.dispose();
  }
  return m;
}

/** Largest |a − b|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function toTf(v: OnnxTensorValue): tf.Tensor {
  return v.data instanceof Int32Array ? tf.tensor(v.data, [...v.dims], 'int32') : tf.tensor(v.data as Float32Array, [...v.dims], 'float32');
}

/** A parity case: what to export, the feeds per batch size and the tfjs forward on those feeds. */
export interface ParityCase {
  component: Module<unknown>;
  options?: OnnxExportOptions;
  feeds: (batch: number) => Record<string, OnnxTensorValue>;
  forward: (inputs: Record<string, tf.Tensor>) => tf.Tensor;
  /** Batch sizes to run; the second differs from the first to prove the batch axis is dynamic. */
  batches?: number[];
}

/**
 * Exports the component, runs the model in ONNX Runtime for each batch size and returns the
 * largest difference from the tfjs forward on the same inputs (shapes must match exactly).
 */
export async function parity(c: ParityCase): Promise<number> {
  const { bytes, summary } = exportToOnnx(c.component, c.options ?? {});
  const session = await createOnnxSession(bytes, { intraOpThreads: 1 });
  const output = summary.outputs[0]!.name;
  let worst = 0;
  try {
    for (const batch of c.batches ?? [2, 3]) {
      const feeds = c.feeds(batch);
      const want = tf.tidy(() => c.forward(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toTf(v)]))));
      const got = (await session.run(feeds))[output]!;
      expect(got.dims).toEqual(want.shape);
      worst = Math.max(worst, maxAbsDiff(got.data as Float32Array, want.dataSync()));
      want.dispose();
    }
  } finally {
    await session.release();
  }
  return worst;
}

/** What a parity test file uses: {@link paritySuite}. */
export interface ParitySuite {
  /** Disposes `m` once the file's tests are done; returns it. */
  keep<M extends Module<unknown>>(m: M): M;
  /** Checks a case within {@link PARITY_TOLERANCE} and records its difference under `label`. */
  expectParity(label: string, c: ParityCase): Promise<void>;
}

/**
 * Sets up a parity test file: the tfjs backend before its tests; after them, the kept modules
 * disposed and every recorded difference printed as one line, `ONNX export parity, <title>`.
 */
export function paritySuite(title: string): ParitySuite {
  const created: Module<unknown>[] = [];
  const figures: Record<string, number> = {};
  beforeAll(async () => {
    await initTfjsBackend();
  });
  afterAll(() => {
    created.forEach((m) => m.dispose());
    console.log(`ONNX export parity, ${title} (max abs diff): ${JSON.stringify(figures)}`);
  });
  return {
    keep(m) {
      created.push(m);
      return m;
    },
    async expectParity(label, c) {
      const diff = await parity(c);
      figures[label] = diff;
      expect(diff).toBeLessThanOrEqual(PARITY_TOLERANCE);
    },
  };
}
