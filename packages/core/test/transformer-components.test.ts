import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../src/runtime/tfjs-backend.js';
import {
  AdaLNModulation,
  FeedForward,
  LayerNorm,
  Linear,
  MultiHeadAttention,
  PatchEmbed,
  PatchUnembed,
  PositionalEncoding,
  PromptEncoder,
  PromptTokenizer,
  Rng,
  SpaceTimeBlock,
  TimestepEmbedding,
  TransformerBlock,
  TransformerModel,
  patchify,
  sincos3dTable,
  unpatchify,
} from '../src/transformer/index.js';
import { randn } from './helpers/tensors.js';

beforeAll(async () => {
  await initTfjsBackend();
});

describe('component shapes', () => {
  it('runs on the wasm backend', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  it('every component maps the documented input shape to the documented output shape', () => {
    tf.tidy(() => {
      const x = randn([2, 5, 16], 1) as tf.Tensor3D;
      expect(new Linear({ inFeatures: 16, outFeatures: 7 }).forward(x).shape).toEqual([2, 5, 7]);
      expect(new LayerNorm({ width: 16 }).forward(x).shape).toEqual([2, 5, 16]);
      expect(new MultiHeadAttention({ width: 16, heads: 4 }).forward(x).shape).toEqual([2, 5, 16]);
      const ctx = randn([2, 3, 12], 2) as tf.Tensor3D;
      expect(new MultiHeadAttention({ width: 16, heads: 4, contextWidth: 12 }).forward(x, { context: ctx }).shape).toEqual([2, 5, 16]);
      expect(new FeedForward({ width: 16, hidden: 32, activation: 'gelu' }).forward(x).shape).toEqual([2, 5, 16]);
      expect(new FeedForward({ width: 16, hidden: 32, activation: 'swiglu' }).forward(x).shape).toEqual([2, 5, 16]);
      expect(new PositionalEncoding({ kind: 'learned', length: 8, width: 16 }).forward(x).shape).toEqual([2, 5, 16]);
      expect(new TimestepEmbedding({ frequencyDim: 8, width: 16 }).forward(tf.tensor1d([1, 500])).shape).toEqual([2, 16]);
      const mods = new AdaLNModulation({ condWidth: 16, width: 16, chunks: 6 }).forward(randn([2, 16], 3) as tf.Tensor2D);
      expect(mods.map((m) => m.shape)).toEqual(Array(6).fill([2, 1, 16]));
      const block = new TransformerBlock({ width: 16, heads: 2, ffnHidden: 32, activation: 'gelu', contextWidth: 12, condWidth: 16 });
      expect(block.forward(x, { cond: randn([2, 16], 4) as tf.Tensor2D, context: ctx }).shape).toEqual([2, 5, 16]);
      const images = randn([2, 8, 12, 3], 5);
      expect(new PatchEmbed({ patchSize: 4, channels: 3, width: 16 }).forward(images).shape).toEqual([2, 6, 16]);
      const un = new PatchUnembed({ patchSize: 4, channels: 3, width: 16 });
      expect(un.toImages(un.forward(x.slice([0, 0, 0], [2, 6, 16])), { rows: 2, cols: 3 }).shape).toEqual([2, 8, 12, 3]);
    });
  });

  it('patchify and unpatchify are inverse, for images and video', () => {
    tf.tidy(() => {
      const images = randn([2, 8, 12, 3], 6);
      const patches = patchify(images, 4);
      expect(patches.shape).toEqual([2, 6, 48]);
      // patch (row 1, col 2) of image 1 starts at pixel (4, 8)
      expect(patches.slice([1, 5, 0], [1, 1, 3]).dataSync()).toEqual(images.slice([1, 4, 8, 0], [1, 1, 1, 3]).dataSync());
      expect(unpatchify(patches, { rows: 2, cols: 3 }, 4, 3).dataSync()).toEqual(images.dataSync());
      const video = randn([1, 3, 8, 8, 2], 7);
      expect(unpatchify(patchify(video, 4), { frames: 3, rows: 2, cols: 2 }, 4, 2).dataSync()).toEqual(video.dataSync());
    });
  });

  it('3-D positions give every space-time patch a distinct code', () => {
    for (const factorised of [false, true]) {
      const table = sincos3dTable(2, 3, 3, 24, factorised);
      const rows = new Set(Array.from({ length: 18 }, (_, i) => Array.from(table.subarray(i * 24, i * 24 + 24), (v) => v.toFixed(5)).join()));
      expect(rows.size).toBe(18);
    }
  });

  it('full model with timestep and text conditioning gives [batch, seq, outputSize]', () => {
    tf.tidy(() => {
      const tok = PromptTokenizer.fromCorpus(['a red circle', 'a blue square'], 'word');
      const text = new PromptEncoder({ tokenizer: tok.config, maxLength: 6, width: 16, heads: 2, ffnHidden: 32, blocks: 1 });
      const { ids, mask } = text.tensors(['a red square', 'blue']);
      const ctx = text.forward(ids, mask);
      expect(ctx.shape).toEqual([2, 6, 16]);
      const model = new TransformerModel({
        input: { kind: 'patches', patchSize: 4, channels: 3 },
        positions: { kind: 'sincos2d', rows: 2, cols: 2 },
        width: 16, heads: 2, ffnHidden: 32, activation: 'swiglu', blocks: 2, outputSize: 48,
        timestep: { frequencyDim: 8 }, context: { width: 16 },
      });
      const out = model.forward(randn([2, 8, 8, 3], 8), { timestep: tf.tensor1d([3, 700]), context: ctx, contextMask: mask });
      expect(out.shape).toEqual([2, 4, 48]);
      expect([...model.variables().keys()]).toContain('blocks.1.cross.k.weight');
    });
  });
});

describe('factorised space-time attention', () => {
  it('causal in time: changing a later frame leaves every earlier frame bit-identical', () => {
    const block = new SpaceTimeBlock({ width: 8, heads: 2, ffnHidden: 16, activation: 'gelu', frames: 3, causalTime: true, condWidth: 4 }, new Rng(20));
    // adaLN-Zero starts with closed gates; open them so the test sees attention at work
    for (const [name, v] of block.variables()) if (name.startsWith('ada.')) v.assign(randn(v.shape, 21, 0.5));
    const cond = randn([2, 4], 22) as tf.Tensor2D;
    const x = randn([2, 12, 8], 23) as tf.Tensor3D; // 3 frames × 4 tokens
    const changed = tf.concat([x.slice([0, 0, 0], [2, 8, 8]), randn([2, 4, 8], 24)], 1) as tf.Tensor3D;
    const a = block.forward(x, { cond });
    const b = block.forward(changed, { cond });
    expect(Array.from(b.slice([0, 0, 0], [2, 8, 8]).dataSync())).toEqual(Array.from(a.slice([0, 0, 0], [2, 8, 8]).dataSync()));
    expect(Array.from(b.slice([0, 8, 0], [2, 4, 8]).dataSync())).not.toEqual(Array.from(a.slice([0, 8, 0], [2, 4, 8]).dataSync()));
    expect(() => block.forward(tf.zeros([2, 10, 8]) as tf.Tensor3D, { cond })).toThrow('space-time block input of 10 tokens is not 3 frames of equal size');
  });

  it('a video model (5-D patches, 3-D positions, space-time blocks) gives one output per space-time patch', () => {
    tf.tidy(() => {
      const model = new TransformerModel({
        input: { kind: 'patches', patchSize: 4, channels: 3 },
        positions: { kind: 'sincos3d', frames: 3, rows: 2, cols: 2, factorised: true },
        width: 12, heads: 2, ffnHidden: 24, activation: 'gelu', blocks: 2, outputSize: 48,
        timestep: { frequencyDim: 8 }, spaceTime: { frames: 3 },
      });
      expect(model.forward(randn([2, 3, 8, 8, 3], 25), { timestep: tf.tensor1d([1, 2]) }).shape).toEqual([2, 12, 48]);
      expect(model.variables().get('blocks.1.time.q.weight')?.shape).toEqual([12, 12]);
    });
  });
});

describe('disposal', () => {
  it('disposing a model frees every tensor it made (variables, fixed tables, frequency tables)', () => {
    const before = tf.memory().numTensors;
    const model = new TransformerModel({
      input: { kind: 'features', features: 6 }, positions: { kind: 'sincos2d', rows: 2, cols: 2 },
      width: 8, heads: 2, ffnHidden: 16, activation: 'gelu', blocks: 1, outputSize: 3,
      timestep: { frequencyDim: 4 }, context: { width: 5 },
    });
    tf.dispose(tf.tidy(() => model.forward(randn([1, 4, 6], 30), { timestep: tf.tensor1d([0.5]), context: randn([1, 2, 5], 31) as tf.Tensor3D })));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('model reference config', () => {
  it('has stable variable names and the documented shapes', () => {
    const model = new TransformerModel({
      input: { kind: 'tokens', vocabSize: 64 }, positions: { kind: 'sinusoidal', length: 64 },
      width: 128, heads: 4, ffnHidden: 512, activation: 'gelu', blocks: 4, outputSize: 64,
    }, new Rng(1));
    const vars = model.variables();
    expect(vars.get('embed.weight')?.shape).toEqual([64, 128]);
    expect(vars.get('blocks.0.attn.q.weight')?.shape).toEqual([128, 128]);
    expect(vars.get('blocks.3.ffn.fc1.weight')?.shape).toEqual([128, 512]);
    expect(vars.get('blocks.3.ffn.fc2.bias')?.shape).toEqual([128]);
    expect(vars.get('norm.weight')?.shape).toEqual([128]);
    expect(vars.get('head.weight')?.shape).toEqual([128, 64]);
    const ids = tf.tensor2d(Int32Array.from({ length: 512 }, (_, i) => (i * 7) % 64), [8, 64], 'int32');
    const y = model.forward(ids);
    expect(y.shape).toEqual([8, 64, 64]);
    y.dispose();
    ids.dispose();
    model.dispose();
  });
});
