import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MultiHeadAttention } from '../src/transformer/attention.js';
import { AdaLNModulation, TimestepEmbedding } from '../src/transformer/conditioning.js';
import { FeedForward } from '../src/transformer/feedforward.js';
import { Embedding, LayerNorm, Linear } from '../src/transformer/layers.js';
import type { Module } from '../src/transformer/module.js';
import { PatchEmbed, PatchUnembed } from '../src/transformer/patch.js';
import { PositionalEncoding } from '../src/transformer/positional.js';
import { Rng } from '../src/transformer/random.js';
import { exportToOnnx } from '../src/transformer/onnx/export.js';
import { inspectOnnxModel } from '../src/onnx/inspect.js';
import { paddingMask, parity, paritySuite, randomFloats, randomIds, randomise } from './helpers/onnx-parity.js';

const SEQ = 6;
const W = 16;
const rng = new Rng(7);
const { keep, expectParity } = paritySuite('components');

/** Weights N(0, 0.5²): every parameter non-trivial, activations of the size training sees. */
function make<M extends Module<unknown>>(m: M): M {
  return randomise(keep(m), rng, 0.5);
}

const x = (b: number) => ({ x: randomFloats(rng, [b, SEQ, W]) });

describe('ONNX export parity with the tfjs forward (≤ 1e-4, batch 2 and 3 through one model)', () => {
  it('Linear', async () => {
    const m = make(new Linear({ inFeatures: W, outFeatures: 24 }));
    await expectParity('Linear', { component: m, feeds: x, forward: (i) => m.forward(i.x!) });
  });

  it('LayerNorm (affine; plain with eps 1e-3)', async () => {
    const affine = make(new LayerNorm({ width: W }));
    await expectParity('LayerNorm', { component: affine, feeds: x, forward: (i) => affine.forward(i.x!) });
    const plain = make(new LayerNorm({ width: W, eps: 1e-3, affine: false }));
    await expectParity('LayerNorm(plain)', { component: plain, feeds: x, forward: (i) => plain.forward(i.x!) });
  });

  it('Embedding', async () => {
    const m = make(new Embedding({ vocabSize: 50, width: W }));
    await expectParity('Embedding', { component: m, feeds: (b) => ({ ids: randomIds(rng, [b, SEQ], 50) }), forward: (i) => m.forward(i.ids as tf.Tensor2D) });
  });

  it('PositionalEncoding: every kind, sequence shorter than the table', async () => {
    const configs = [
      { kind: 'sinusoidal', length: 10, width: W },
      { kind: 'learned', length: 10, width: W },
      { kind: 'sincos2d', rows: 3, cols: 4, width: W },
      { kind: 'sincos3d', frames: 2, rows: 2, cols: 3, width: W, factorised: false },
      { kind: 'sincos3d', frames: 2, rows: 2, cols: 3, width: W, factorised: true },
    ] as const;
    for (const config of configs) {
      const m = make(new PositionalEncoding(config));
      const label = `Positional(${config.kind}${'factorised' in config ? (config.factorised ? ',factorised' : ',joint') : ''})`;
      await expectParity(label, { component: m, feeds: x, forward: (i) => m.forward(i.x as tf.Tensor3D) });
    }
  });

  it('MultiHeadAttention: self, causal, causal + padding mask, cross', async () => {
    const self = make(new MultiHeadAttention({ width: W, heads: 4 }));
    const fwd = (i: Record<string, tf.Tensor>, causal: boolean) => self.forward(i.x as tf.Tensor3D, { causal, ...(i.key_mask ? { keyMask: i.key_mask as tf.Tensor2D } : {}) });
    await expectParity('Attention(self)', { component: self, feeds: x, forward: (i) => fwd(i, false) });
    await expectParity('Attention(causal)', { component: self, options: { causal: true }, feeds: x, forward: (i) => fwd(i, true) });
    await expectParity('Attention(causal+keyMask)', {
      component: self,
      options: { causal: true, keyMask: true },
      feeds: (b) => ({ ...x(b), key_mask: paddingMask(b, SEQ) }),
      forward: (i) => fwd(i, true),
    });
    // Control: the comparison is sharp enough to see a missing mask.
    expect(await parity({ component: self, feeds: x, forward: (i) => fwd(i, true) })).toBeGreaterThan(1e-2);
    const cross = make(new MultiHeadAttention({ width: W, heads: 2, contextWidth: 12 }));
    await expectParity('Attention(cross)', {
      component: cross,
      feeds: (b) => ({ ...x(b), context: randomFloats(rng, [b, 5, 12]) }),
      forward: (i) => cross.forward(i.x as tf.Tensor3D, { context: i.context as tf.Tensor3D }),
    });
  });

  it('FeedForward: GELU (spelled out at opset 17, the Gelu operator at opset 20) and SwiGLU', async () => {
    const gelu = make(new FeedForward({ width: W, hidden: 32, activation: 'gelu' }));
    await expectParity('FeedForward(gelu)', { component: gelu, feeds: x, forward: (i) => gelu.forward(i.x!) });
    await expectParity('FeedForward(gelu,opset20)', { component: gelu, options: { opset: 20 }, feeds: x, forward: (i) => gelu.forward(i.x!) });
    expect(exportToOnnx(gelu, { opset: 20 }).summary.opTypes).toContain('Gelu');
    expect(exportToOnnx(gelu, { opset: 17 }).summary.opTypes).not.toContain('Gelu');
    // The spelled-out opset-17 form is the one ONNX Runtime fuses into its FastGelu kernel.
    const optimized = join(tmpdir(), `fw-gelu-${process.pid}.onnx`);
    const session = await ort.InferenceSession.create(exportToOnnx(gelu).bytes, { graphOptimizationLevel: 'extended', optimizedModelFilePath: optimized });
    await session.release();
    const fused = inspectOnnxModel(readFileSync(optimized), optimized).opTypes;
    rmSync(optimized, { force: true });
    expect(fused).toContain('FastGelu');
    expect(fused).not.toContain('Tanh');
    const swiglu = make(new FeedForward({ width: W, hidden: 32, activation: 'swiglu' }));
    await expectParity('FeedForward(swiglu)', { component: swiglu, feeds: x, forward: (i) => swiglu.forward(i.x!) });
  });

  it('TimestepEmbedding on diffusion timesteps 0–999', async () => {
    const m = make(new TimestepEmbedding({ frequencyDim: 32, width: W }));
    randomise(m, rng, 0.2);
    const t = (b: number) => ({ timestep: { data: Float32Array.from({ length: b }, () => rng.int(1000)), dims: [b] } });
    await expectParity('TimestepEmbedding', { component: m, feeds: t, forward: (i) => m.forward(i.timestep as tf.Tensor1D) });
  });

  it('AdaLNModulation (chunks stacked on axis 1)', async () => {
    const m = make(new AdaLNModulation({ condWidth: 12, width: W, chunks: 6 }));
    await expectParity('AdaLNModulation', {
      component: m,
      feeds: (b) => ({ cond: randomFloats(rng, [b, 12]) }),
      forward: (i) => tf.concat(m.forward(i.cond as tf.Tensor2D), 1),
    });
  });

  it('PatchEmbed on images and on video, PatchUnembed', async () => {
    const embed = make(new PatchEmbed({ patchSize: 2, channels: 3, width: W }));
    await expectParity('PatchEmbed(image)', { component: embed, feeds: (b) => ({ images: randomFloats(rng, [b, 4, 6, 3]) }), forward: (i) => embed.forward(i.images!) });
    await expectParity('PatchEmbed(video)', {
      component: embed,
      options: { video: true },
      feeds: (b) => ({ images: randomFloats(rng, [b, 3, 4, 2, 3]) }),
      forward: (i) => embed.forward(i.images!),
    });
    const unembed = make(new PatchUnembed({ patchSize: 2, channels: 3, width: W }));
    await expectParity('PatchUnembed', { component: unembed, feeds: x, forward: (i) => unembed.forward(i.x as tf.Tensor3D) });
  });
});
