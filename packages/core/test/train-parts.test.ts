import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../src/runtime/tfjs-backend.js';
import {
  AdamW,
  SGD,
  ShuffledSampler,
  TRAIN_PRESETS,
  WeightEma,
  clipByGlobalNorm,
  crossEntropy,
  findTask,
  learningRate,
  SEQUENCE_TASKS,
  meanSquaredError,
  readTensorFile,
  vPredictionPair,
  validateTrainConfig,
  writeTensorFile,
} from '../src/train/index.js';
import { Rng } from '../src/transformer/index.js';

let root: string;
beforeAll(async () => {
  await initTfjsBackend();
  root = await mkdtemp(join(tmpdir(), 'fw-train-parts-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const vars = (values: Record<string, number[][]>) => new Map(Object.entries(values).map(([k, v]) => [k, tf.variable(tf.tensor2d(v))]));
const grads = (values: Record<string, number[][]>) => new Map(Object.entries(values).map(([k, v]) => [k, tf.tensor2d(v) as tf.Tensor]));

describe('optimizers', () => {
  it('AdamW: first step moves each weight by lr·(sign(g) + wd·p) (bias-corrected moments)', () => {
    const p = vars({ w: [[1, -2]] });
    const opt = new AdamW({ kind: 'adamw', lr: 0.1, weightDecay: 0.5 });
    opt.apply(p, grads({ w: [[0.5, -3]] }), 0.1);
    const [a, b] = p.get('w')!.dataSync();
    expect(a).toBeCloseTo(1 - 0.1 * (1 + 0.5 * 1), 6);
    expect(b).toBeCloseTo(-2 - 0.1 * (-1 + 0.5 * -2), 6);
    expect(opt.step).toBe(1);
  });

  it('AdamW state saved and loaded continues exactly like the original', () => {
    const run = (restore: boolean) => {
      const p = vars({ w: [[1, 2], [3, 4]] });
      let opt = new AdamW({ kind: 'adamw', lr: 0.01 });
      opt.apply(p, grads({ w: [[1, -1], [0.5, 2]] }), 0.01);
      if (restore) {
        const state = opt.state();
        const step = opt.step;
        opt = new AdamW({ kind: 'adamw', lr: 0.01 });
        opt.load(state, step);
      }
      opt.apply(p, grads({ w: [[-1, 0.3], [2, 2]] }), 0.01);
      return Array.from(p.get('w')!.dataSync());
    };
    expect(run(true)).toEqual(run(false));
  });

  it('SGD with momentum: b = μ·b + g, p −= lr·b', () => {
    const p = vars({ w: [[1]] });
    const opt = new SGD({ kind: 'sgd', lr: 0.1, momentum: 0.9 });
    opt.apply(p, grads({ w: [[1]] }), 0.1); // b = 1, p = 0.9
    opt.apply(p, grads({ w: [[1]] }), 0.1); // b = 1.9, p = 0.71
    expect(p.get('w')!.dataSync()[0]).toBeCloseTo(0.71, 6);
    expect([...opt.state().keys()]).toEqual(['momentum.w']);
  });

  it('rejects optimizer state of another optimizer', () => {
    const opt = new SGD({ kind: 'sgd', lr: 0.1 });
    expect(() => opt.load(new Map([['m.w', { shape: [1], data: new Float32Array(1) }]]), 1)).toThrow('optimizer state has tensor m.w that sgd does not use');
  });
});

describe('schedule and clipping', () => {
  it('warms up linearly, then decays by cosine to lr·minLrRatio at the last step', () => {
    const s = { warmupSteps: 10, minLrRatio: 0.1 };
    expect(learningRate(0, 110, 1, s)).toBeCloseTo(0.1);
    expect(learningRate(9, 110, 1, s)).toBeCloseTo(1);
    expect(learningRate(10, 110, 1, s)).toBeCloseTo(1);
    expect(learningRate(59.5, 110, 1, s)).toBeCloseTo(0.55);
    expect(learningRate(109, 110, 1, s)).toBeCloseTo(0.1);
  });

  it('clips gradients to the global norm and reports the norm before clipping', () => {
    const g = grads({ a: [[3]], b: [[4]] });
    expect(clipByGlobalNorm(g, 1)).toBeCloseTo(5);
    expect(g.get('a')!.dataSync()[0]).toBeCloseTo(0.6);
    expect(g.get('b')!.dataSync()[0]).toBeCloseTo(0.8);
    const small = grads({ a: [[0.3]] });
    clipByGlobalNorm(small, 1);
    expect(small.get('a')!.dataSync()[0]).toBeCloseTo(0.3);
  });
});

describe('losses', () => {
  it('cross-entropy of uniform logits is ln(classes); masked positions are ignored', () => {
    const logits = tf.zeros([2, 3, 5]);
    const targets = tf.tensor2d([[0, 1, 2], [3, 4, 0]], [2, 3], 'int32');
    expect(crossEntropy(logits, targets).dataSync()[0]).toBeCloseTo(Math.log(5), 5);
    const peaked = tf.tensor3d([[[9, 0], [0, 9]]]);
    const mask = tf.tensor2d([[1, 0]]);
    const right = crossEntropy(peaked, tf.tensor2d([[0, 1]], [1, 2], 'int32'), mask).dataSync()[0]!;
    const wrongButMasked = crossEntropy(peaked, tf.tensor2d([[0, 0]], [1, 2], 'int32'), mask).dataSync()[0]!;
    expect(wrongButMasked).toBe(right);
    expect(() => crossEntropy(tf.zeros([2, 3, 5]), tf.zeros([2, 4], 'int32'))).toThrow('cross-entropy targets must be [d0, d1], got [2, 4]');
  });

  it('the cross-entropy gradient equals autodiff of the plain formula, with and without a mask', () => {
    const logits = tf.tensor3d([[[0.2, -1, 3, 0.5], [1, 1, -2, 0]], [[-0.3, 2, 0.1, 0.7], [0, 0, 0, 4]]]);
    const targets = tf.tensor2d([[2, 0], [3, 1]], [2, 2], 'int32');
    const mask = tf.tensor2d([[1, 0], [1, 1]]);
    const plain = (l: tf.Tensor, m: tf.Tensor) => {
      const picked = tf.sum(tf.mul(tf.logSoftmax(tf.reshape(l, [-1, 4])), tf.oneHot(tf.reshape(targets, [-1]), 4)), -1);
      return tf.div(tf.neg(tf.sum(tf.mul(picked, tf.reshape(m, [-1])))), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
    };
    for (const m of [mask, tf.ones([2, 2])]) {
      const ours = tf.grad((l: tf.Tensor) => crossEntropy(l, targets, m))(logits).dataSync();
      const reference = tf.grad((l: tf.Tensor) => plain(l, m))(logits).dataSync();
      reference.forEach((v, i) => expect(ours[i]).toBeCloseTo(v, 6));
      expect(crossEntropy(logits, targets, m).dataSync()[0]).toBeCloseTo(plain(logits, m).dataSync()[0]!, 6);
    }
    // masked-out rows get no gradient at all
    const g = tf.grad((l: tf.Tensor) => crossEntropy(l, targets, mask))(logits).arraySync() as number[][][];
    expect(g[0]![1]!.every((v) => v === 0)).toBe(true);
  });

  it('MSE and the v-prediction pair: x0 = α·noisy − σ·v', () => {
    expect(meanSquaredError(tf.tensor1d([1, 2]), tf.tensor1d([1, 4])).dataSync()[0]).toBeCloseTo(2);
    const x0 = tf.tensor2d([[0.5, -1], [2, 0]]);
    const noise = tf.tensor2d([[1, 0.3], [-0.2, 1]]);
    const t = tf.tensor1d([0.25, 0.8]);
    const { noisy, v } = vPredictionPair(x0, noise, t);
    const alpha = tf.reshape(tf.cos(tf.mul(t, Math.PI / 2)), [2, 1]);
    const sigma = tf.reshape(tf.sin(tf.mul(t, Math.PI / 2)), [2, 1]);
    const back = tf.sub(tf.mul(alpha, noisy), tf.mul(sigma, v)).dataSync();
    x0.dataSync().forEach((x, i) => expect(back[i]).toBeCloseTo(x, 5));
  });
});

describe('EMA and data', () => {
  it('EMA moves the shadow by (1 − decay) of the gap each update', () => {
    const p = vars({ w: [[0]] });
    const ema = new WeightEma(p, 0.75);
    p.get('w')!.assign(tf.tensor2d([[4]]));
    ema.update(p);
    ema.update(p);
    expect(ema.state().get('w')!.data[0]).toBeCloseTo(4 - 4 * 0.75 * 0.75);
  });

  it('the sampler visits every example once per epoch, in a seed-determined order', () => {
    const s = new ShuffledSampler(10, 3);
    const epoch0 = [...s.indices(0, 5), ...s.indices(1, 5)];
    expect([...epoch0].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new ShuffledSampler(10, 3).indices(1, 5)).toEqual(epoch0.slice(5));
    expect([...new ShuffledSampler(10, 4).indices(0, 10)]).not.toEqual(epoch0);
    const epoch1 = new ShuffledSampler(10, 3).indices(2, 10);
    expect([...epoch1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch1).not.toEqual(epoch0);
  });

  it('the rng state is four uint32 words that restore the exact stream', () => {
    const rng = new Rng(123);
    for (let i = 0; i < 1000; i++) rng.uint32();
    const state = rng.state();
    expect(state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)).toBe(true);
    const copy = Rng.fromState(JSON.parse(JSON.stringify(state)) as number[]);
    expect(Array.from({ length: 50 }, () => copy.normal())).toEqual(Array.from({ length: 50 }, () => rng.normal()));
    expect(() => Rng.fromState([1, 2, 3])).toThrow('rng state must be four unsigned 32-bit integers');
  });

  it('every preset is a valid config whose task accepts its model', () => {
    for (const [name, preset] of Object.entries(TRAIN_PRESETS)) {
      expect(() => validateTrainConfig(preset, name)).not.toThrow();
      expect(() => findTask(SEQUENCE_TASKS, preset.task).checkModel(preset.model)).not.toThrow();
    }
    expect(() => findTask(SEQUENCE_TASKS, 'next-token').checkModel(TRAIN_PRESETS['reverse-tiny']!.model)).toThrow('task next-token needs model.causal true');
  });
});

describe('tensor files', () => {
  it('round-trips names, shapes and float32 values exactly', async () => {
    const tensors = new Map([
      ['a.weight', { shape: [2, 3], data: Float32Array.from([1.5, -2, 3e-8, 4, Math.PI, -0]) }],
      ['b', { shape: [1], data: Float32Array.from([7]) }],
    ]);
    await writeTensorFile(root, 'rt', tensors);
    const back = await readTensorFile(root, 'rt');
    expect([...back.keys()]).toEqual(['a.weight', 'b']);
    expect(back.get('a.weight')).toEqual(tensors.get('a.weight'));
    const index = JSON.parse(await readFile(join(root, 'rt.json'), 'utf8')) as { tensors: { offset: number }[]; byteLength: number };
    expect(index.tensors.map((t) => t.offset)).toEqual([0, 24]);
    expect(index.byteLength).toBe(28);
  });

  it('an index whose offsets do not tile the file is rejected, naming the tensor', async () => {
    await writeTensorFile(root, 'bad', new Map([['x', { shape: [2], data: new Float32Array(2) }], ['y', { shape: [1], data: new Float32Array(1) }]]));
    const path = join(root, 'bad.json');
    const index = JSON.parse(await readFile(path, 'utf8')) as { tensors: { offset: number }[] };
    index.tensors[1]!.offset = 4;
    await writeFile(path, JSON.stringify(index));
    await expect(readTensorFile(root, 'bad')).rejects.toThrow('has a malformed entry for tensor y');
  });
});
