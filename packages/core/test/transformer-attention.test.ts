import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../src/runtime/tfjs-backend.js';
import { Embedding, FeedForward, LayerNorm, MultiHeadAttention, Rng, TransformerModel, type TransformerModelConfig } from '../src/transformer/index.js';
import { randn } from './helpers/tensors.js';

beforeAll(async () => {
  await initTfjsBackend();
});

const causalConfig: TransformerModelConfig = {
  input: { kind: 'tokens', vocabSize: 11 },
  positions: { kind: 'learned', length: 8 },
  width: 16, heads: 4, ffnHidden: 32, activation: 'gelu', blocks: 2, outputSize: 11, causal: true,
};

describe('masks', () => {
  it('causal mask: changing a future token leaves every earlier output bit-identical', () => {
    const model = new TransformerModel(causalConfig, new Rng(3));
    const a = [1, 2, 3, 4, 5, 6, 7, 8];
    const b = [1, 2, 3, 4, 9, 10, 0, 2];
    const [ya, yb] = [a, b].map((ids) => tf.tidy(() => model.forward(tf.tensor2d([ids], [1, 8], 'int32'))));
    const first4 = (t: tf.Tensor) => Array.from(t.slice([0, 0, 0], [1, 4, 11]).dataSync());
    expect(first4(yb!)).toEqual(first4(ya!));
    expect(Array.from(yb!.slice([0, 4, 0], [1, 1, 11]).dataSync())).not.toEqual(Array.from(ya!.slice([0, 4, 0], [1, 1, 11]).dataSync()));
    model.dispose();
  });

  it('padding mask: padded keys get zero attention', () => {
    const attn = new MultiHeadAttention({ width: 8, heads: 2 }, new Rng(4));
    const x = randn([2, 5, 8], 5) as tf.Tensor3D;
    // batch 0: last two positions are padding; batch 1: no padding
    const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
    const y = attn.forward(x, { keyMask: mask });
    // changing the padded positions' inputs must not move the real positions' outputs at all
    const paddedNoise = tf.concat([tf.concat([tf.zeros([1, 3, 8]), randn([1, 2, 8], 6, 10)], 1), tf.zeros([1, 5, 8])], 0);
    const x2 = tf.add(x, paddedNoise) as tf.Tensor3D;
    const y2 = attn.forward(x2, { keyMask: mask });
    expect(Array.from(y2.slice([0, 0, 0], [1, 3, 8]).dataSync())).toEqual(Array.from(y.slice([0, 0, 0], [1, 3, 8]).dataSync()));
    // and equal attention over the 3 real tokens alone
    const short = attn.forward(x.slice([0, 0, 0], [1, 3, 8]) as tf.Tensor3D);
    const got = y.slice([0, 0, 0], [1, 3, 8]).dataSync();
    short.dataSync().forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
  });
});

describe('attention gradient', () => {
  it('matches central finite differences (float32, well-conditioned regime)', () => {
    const attn = new MultiHeadAttention({ width: 8, heads: 2 }, new Rng(7));
    const x = randn([1, 4, 8], 8, 0.5) as tf.Tensor3D;
    const r = randn([1, 4, 8], 9);
    const causal = true;
    const loss = (input: tf.Tensor3D): tf.Scalar => tf.sum(tf.mul(attn.forward(input, { causal }), r));
    const analytic = tf.grad((input: tf.Tensor) => loss(input as tf.Tensor3D))(x).dataSync();
    const base = x.dataSync();
    const h = 1e-2;
    const numeric = new Float32Array(base.length);
    for (let i = 0; i < base.length; i++) {
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[i]! += h;
      minus[i]! -= h;
      const lp = tf.tidy(() => loss(tf.tensor3d(plus, [1, 4, 8])).dataSync()[0]!);
      const lm = tf.tidy(() => loss(tf.tensor3d(minus, [1, 4, 8])).dataSync()[0]!);
      numeric[i] = (lp - lm) / (2 * h);
    }
    let diff = 0;
    let norm = 0;
    for (let i = 0; i < base.length; i++) {
      diff += (analytic[i]! - numeric[i]!) ** 2;
      norm += analytic[i]! ** 2;
    }
    // central differences with h = 1e-2 in float32: truncation ~h² and rounding ~1e-7·|L|/h, measured ~3e-5 / ~8e-5 relative here
    expect(Math.sqrt(diff / norm)).toBeLessThan(1e-3);
    expect(Math.sqrt(norm)).toBeGreaterThan(0.1);
  });

  it('parameter gradients of the query weight match finite differences', () => {
    const attn = new MultiHeadAttention({ width: 8, heads: 2 }, new Rng(10));
    const x = randn([2, 3, 8], 11, 0.5) as tf.Tensor3D;
    const r = randn([2, 3, 8], 12);
    const qw = attn.variables().get('q.weight')!;
    const f = (): tf.Scalar => tf.sum(tf.mul(attn.forward(x), r));
    const { grads } = tf.variableGrads(f, [qw]);
    const analytic = grads[qw.name]!.dataSync();
    const w0 = qw.dataSync().slice();
    const h = 1e-2;
    let diff = 0;
    let norm = 0;
    for (let i = 0; i < w0.length; i += 5) {
      const eval1 = (d: number) => {
        const w = Float32Array.from(w0);
        w[i]! += d;
        qw.assign(tf.tensor2d(w, [8, 8]));
        return tf.tidy(() => f().dataSync()[0]!);
      };
      const num = (eval1(h) - eval1(-h)) / (2 * h);
      diff += (num - analytic[i]!) ** 2;
      norm += analytic[i]! ** 2;
    }
    qw.assign(tf.tensor2d(w0, [8, 8]));
    expect(Math.sqrt(diff / norm)).toBeLessThan(1e-3);
  });
});

describe('feed-forward and dense gradients', () => {
  it.each(['gelu', 'swiglu'] as const)('%s: every weight and bias gradient matches finite differences', (activation) => {
    const ffn = new FeedForward({ width: 6, hidden: 8, activation }, new Rng(14));
    const x = randn([2, 3, 6], 15) as tf.Tensor3D;
    const r = randn([2, 3, 6], 16);
    const f = (): tf.Scalar => tf.sum(tf.mul(ffn.forward(x), r));
    const vars = ffn.variables();
    const { grads } = tf.variableGrads(f, [...vars.values()]);
    const h = 1e-2;
    for (const [name, v] of vars) {
      const analytic = grads[v.name]!.dataSync();
      const w0 = v.dataSync().slice();
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < w0.length; i += 3) {
        const at = (d: number) => {
          const w = Float32Array.from(w0);
          w[i]! += d;
          v.assign(tf.tensor(w, v.shape));
          return tf.tidy(() => f().dataSync()[0]!);
        };
        const num = (at(h) - at(-h)) / (2 * h);
        diff += (num - analytic[i]!) ** 2;
        norm += analytic[i]! ** 2;
      }
      v.assign(tf.tensor(w0, v.shape));
      expect(Math.sqrt(diff / norm), name).toBeLessThan(1e-3);
    }
  });
});

describe('layer norm gradient', () => {
  it('input, weight and bias gradients match finite differences', () => {
    const norm = new LayerNorm({ width: 6 }, new Rng(19));
    for (const v of norm.variables().values()) v.assign(tf.add(v, randn(v.shape, 20, 0.3)));
    const x = randn([2, 3, 6], 21);
    const r = randn([2, 3, 6], 22);
    let input = x;
    const f = (): tf.Scalar => tf.sum(tf.mul(norm.forward(input), r));
    const h = 1e-2;
    /** Relative L2 error of `analytic` against central differences over every entry of `base`. */
    const relError = (analytic: ArrayLike<number>, base: Float32Array, set: (w: Float32Array) => void): number => {
      let diff = 0;
      let n2 = 0;
      for (let i = 0; i < base.length; i++) {
        const at = (d: number) => {
          const w = Float32Array.from(base);
          w[i]! += d;
          set(w);
          return tf.tidy(() => f().dataSync()[0]!);
        };
        diff += ((at(h) - at(-h)) / (2 * h) - analytic[i]!) ** 2;
        n2 += analytic[i]! ** 2;
      }
      set(base);
      return Math.sqrt(diff / n2);
    };
    const vars = [...norm.variables().values()];
    const { grads } = tf.variableGrads(f, vars);
    for (const v of vars) expect(relError(grads[v.name]!.dataSync(), v.dataSync().slice() as Float32Array, (w) => v.assign(tf.tensor(w, v.shape)))).toBeLessThan(1e-3);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(norm.forward(t), r)))(x).dataSync();
    expect(relError(dx, x.dataSync().slice() as Float32Array, (w) => (input = tf.tensor(w, x.shape)))).toBeLessThan(1e-3);
  });
});

describe('embedding gradient', () => {
  it('adds the output gradient of every occurrence of a token into its row (repeated ids included)', () => {
    const emb = new Embedding({ vocabSize: 5, width: 3 }, new Rng(17));
    const ids = tf.tensor2d([[1, 3, 1], [4, 1, 0]], [2, 3], 'int32');
    const r = randn([2, 3, 3], 18);
    const w = emb.variables().get('weight')!;
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(emb.forward(ids), r)), [w]);
    const g = grads[w.name]!.arraySync() as number[][];
    const rv = r.arraySync() as number[][][];
    const expected = Array.from({ length: 5 }, () => [0, 0, 0]);
    (ids.arraySync() as number[][]).forEach((row, b) => row.forEach((id, s) => rv[b]![s]!.forEach((v, c) => (expected[id]![c]! += v))));
    g.forEach((row, i) => row.forEach((v, c) => expect(v).toBeCloseTo(expected[i]![c]!, 5)));
    expect(g[2]).toEqual([0, 0, 0]);
  });
});

describe('KV cache', () => {
  it('token-by-token decoding with a cache equals full causal recomputation', () => {
    const model = new TransformerModel(causalConfig, new Rng(13));
    const ids = [3, 1, 4, 1, 5, 9, 2, 6];
    const full = tf.tidy(() => model.forward(tf.tensor2d([ids], [1, 8], 'int32'))).dataSync();
    const caches = model.createCaches();
    const steps: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const y = tf.tidy(() => model.forward(tf.tensor2d([[ids[i]!]], [1, 1], 'int32'), { caches }));
      steps.push(...y.dataSync());
      y.dispose();
    }
    expect(caches[0]!.length).toBe(8);
    caches.forEach((c) => c.dispose());
    expect(steps).toHaveLength(full.length);
    steps.forEach((v, i) => expect(v).toBeCloseTo(full[i]!, 5));
  });
});

describe('bad input', () => {
  it('names the expected and actual shape of a wrong attention input', () => {
    const attn = new MultiHeadAttention({ width: 128, heads: 4 });
    const x = tf.zeros([2, 64, 96]) as tf.Tensor3D;
    expect(() => attn.forward(x)).toThrow('attention input must be [batch, seq, 128], got [2, 64, 96]');
    try {
      attn.forward(x);
    } catch (e) {
      expect((e as { code: string }).code).toBe('MODEL_INVALID');
    }
  });

  it('rejects float token ids, a too-long sequence and a mismatched context batch', () => {
    const model = new TransformerModel(causalConfig);
    expect(() => model.forward(tf.zeros([1, 8]))).toThrow('model input (token ids) must be int32, got float32');
    expect(() => model.forward(tf.zeros([1, 9], 'int32'))).toThrow('sequence of 9 positions exceeds the 8 positions');
    const cross = new MultiHeadAttention({ width: 8, heads: 2, contextWidth: 4 });
    expect(() => cross.forward(tf.zeros([2, 3, 8]) as tf.Tensor3D, { context: tf.zeros([3, 5, 4]) as tf.Tensor3D })).toThrow(
      'attention context must be [batch, kvSeq, 4], got [3, 5, 4] (batch is 2 elsewhere)',
    );
    expect(() => new TransformerModel({ ...causalConfig, heads: 3 })).toThrow('model config width 16 is not divisible by heads 3');
  });
});
