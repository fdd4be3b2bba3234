import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { TransformerBlock } from '../src/transformer/block.js';
import { TransformerModel, type TransformerModelConfig } from '../src/transformer/model.js';
import { Module } from '../src/transformer/module.js';
import { Rng } from '../src/transformer/random.js';
import { PromptEncoder, PromptTokenizer } from '../src/transformer/text.js';
import { exportToOnnx } from '../src/transformer/onnx/export.js';
import { FramewrightError } from '../src/protocol/errors.js';
import { TRAIN_PRESETS } from '../src/train/config.js';
import { paddingMask, paritySuite, randomFloats, randomIds, randomise } from './helpers/onnx-parity.js';

const rng = new Rng(11);
const { keep, expectParity } = paritySuite('blocks and models');

/** The benchmark reference model (width 128, 4 heads, FFN 512, 4 blocks, sequence 64) over 256 tokens. */
const REFERENCE: TransformerModelConfig = { ...TRAIN_PRESETS['reverse-reference']!.model, input: { kind: 'tokens', vocabSize: 256 }, outputSize: 256 };

describe('ONNX export parity of blocks and whole models (≤ 1e-4)', () => {
  it('TransformerBlock: plain pre-norm with causal attention and a padding mask', async () => {
    const block = keep(randomise(new TransformerBlock({ width: 32, heads: 4, ffnHidden: 64, activation: 'gelu' }), rng, 0.3));
    await expectParity('Block(causal+mask)', {
      component: block,
      options: { causal: true, keyMask: true },
      feeds: (b) => ({ x: randomFloats(rng, [b, 7, 32]), mask: paddingMask(b, 7) }),
      forward: (i) => block.forward(i.x as tf.Tensor3D, { causal: true, mask: i.mask as tf.Tensor2D }),
    });
  });

  it('TransformerBlock: adaLN-Zero conditioned, SwiGLU, cross-attention with a context mask', async () => {
    const block = keep(randomise(new TransformerBlock({ width: 32, heads: 2, ffnHidden: 48, activation: 'swiglu', condWidth: 32, contextWidth: 24, eps: 1e-6 }), rng, 0.2));
    await expectParity('Block(adaLN+cross)', {
      component: block,
      options: { contextMask: true },
      feeds: (b) => ({ x: randomFloats(rng, [b, 5, 32]), cond: randomFloats(rng, [b, 32]), context: randomFloats(rng, [b, 4, 24]), context_mask: paddingMask(b, 4) }),
      forward: (i) => block.forward(i.x as tf.Tensor3D, { cond: i.cond as tf.Tensor2D, context: i.context as tf.Tensor3D, contextMask: i.context_mask as tf.Tensor2D }),
    });
  });

  it('TransformerModel at the reference config (batch 8 × seq 64, then batch 3 × seq 17), as initialised', async () => {
    const model = keep(new TransformerModel(REFERENCE, new Rng(1)));
    let call = 0;
    await expectParity('Model(reference)', {
      component: model,
      batches: [8, 3],
      feeds: (b) => ({ ids: randomIds(rng, [b, call++ === 0 ? 64 : 17], 256) }),
      forward: (i) => model.forward(i.ids!),
    });
  });

  it('TransformerModel: causal decoder with a padding mask, learned positions, SwiGLU', async () => {
    const config: TransformerModelConfig = { ...REFERENCE, positions: { kind: 'learned', length: 16 }, width: 32, ffnHidden: 64, blocks: 2, activation: 'swiglu', causal: true };
    const model = keep(randomise(new TransformerModel(config, new Rng(2)), rng, 0.2));
    await expectParity('Model(causal+mask)', {
      component: model,
      options: { keyMask: true },
      feeds: (b) => ({ ids: randomIds(rng, [b, 12], 256), mask: paddingMask(b, 12) }),
      forward: (i) => model.forward(i.ids!, { mask: i.mask as tf.Tensor2D }),
    });
  });

  it('TransformerModel: image diffusion (patches, 2-D positions, timestep adaLN-Zero, cross-attention)', async () => {
    const config: TransformerModelConfig = {
      input: { kind: 'patches', patchSize: 2, channels: 3 },
      positions: { kind: 'sincos2d', rows: 4, cols: 4 },
      width: 32,
      heads: 4,
      ffnHidden: 64,
      activation: 'gelu',
      blocks: 2,
      outputSize: 12,
      timestep: { frequencyDim: 32 },
      context: { width: 24 },
    };
    const model = keep(randomise(new TransformerModel(config, new Rng(3)), rng, 0.15));
    await expectParity('Model(diffusion)', {
      component: model,
      options: { contextMask: true },
      feeds: (b) => ({
        images: randomFloats(rng, [b, 8, 8, 3]),
        timestep: { data: Float32Array.from({ length: b }, () => rng.int(1000)), dims: [b] },
        context: randomFloats(rng, [b, 5, 24]),
        context_mask: paddingMask(b, 5),
      }),
      forward: (i) => model.forward(i.images!, { timestep: i.timestep as tf.Tensor1D, context: i.context as tf.Tensor3D, contextMask: i.context_mask as tf.Tensor2D }),
    });
  });

  it('TransformerModel: video (5-D patches, factorised 3-D positions)', async () => {
    const config: TransformerModelConfig = {
      input: { kind: 'patches', patchSize: 2, channels: 3 },
      positions: { kind: 'sincos3d', frames: 3, rows: 2, cols: 2, factorised: true },
      width: 24,
      heads: 2,
      ffnHidden: 32,
      activation: 'gelu',
      blocks: 1,
      outputSize: 12,
    };
    const model = keep(randomise(new TransformerModel(config, new Rng(4)), rng, 0.2));
    await expectParity('Model(video)', { component: model, feeds: (b) => ({ images: randomFloats(rng, [b, 3, 4, 4, 3]) }), forward: (i) => model.forward(i.images!) });
  });

  it('PromptEncoder (ids + padding mask → token vectors)', async () => {
    const tokenizer = PromptTokenizer.fromCorpus(['a red circle on blue', 'a green square at the top'], 'word');
    const encoder = keep(randomise(new PromptEncoder({ tokenizer: tokenizer.config, maxLength: 8, width: 32, heads: 4, ffnHidden: 64, blocks: 2 }), rng, 0.2));
    await expectParity('PromptEncoder', {
      component: encoder,
      feeds: (b) => ({ ids: randomIds(rng, [b, 8], tokenizer.size), mask: paddingMask(b, 8) }),
      forward: (i) => encoder.forward(i.ids as tf.Tensor2D, i.mask as tf.Tensor2D),
    });
  });
});

describe('exported model structure', () => {
  it('declares opset 17, IR 8, named inputs/outputs with dynamic batch and sequence, and the config', () => {
    const model = keep(new TransformerModel({ ...REFERENCE, blocks: 1 }, new Rng(5)));
    const { summary } = exportToOnnx(model);
    expect(summary.irVersion).toBe(8);
    expect(summary.opsets).toEqual({ '': 17 });
    expect(summary.inputs).toEqual([{ name: 'ids', elemType: 6, dims: ['batch', 'seq'] }]);
    expect(summary.outputs).toEqual([{ name: 'output', elemType: 1, dims: ['batch', 'seq', 256] }]);
    expect(summary.initializerNames).toEqual(expect.arrayContaining([...model.variables().keys()]));
    expect(summary.initializerNames).toContain('blocks.0.attn.q.weight');
    const table = 64 * 128;
    expect(summary.parameterCount).toBeGreaterThanOrEqual(model.parameterCount() + table);
    expect(JSON.parse(summary.metadata['framewright.config']!)).toEqual(model.config);
    expect(summary.opTypes).toEqual(expect.arrayContaining(['LayerNormalization', 'MatMul', 'Softmax', 'Gather', 'Tanh']));
  });

  it('writes opset 20 and 21 with the matching IR versions', () => {
    const model = keep(new TransformerModel({ ...REFERENCE, blocks: 1 }, new Rng(5)));
    expect(exportToOnnx(model, { opset: 20 }).summary).toMatchObject({ irVersion: 9, opsets: { '': 20 } });
    expect(exportToOnnx(model, { opset: 21 }).summary).toMatchObject({ irVersion: 10, opsets: { '': 21 } });
  });

  it('refuses a component without an exporter and an opset it cannot write, naming them', () => {
    class Custom extends Module<{ n: number }> {
      constructor() {
        super({ n: 1 });
      }
    }
    expect(() => exportToOnnx(new Custom())).toThrow(FramewrightError);
    expect(() => exportToOnnx(new Custom())).toThrow(/no exporter for Custom; exportable: Linear, /);
    const model = keep(new TransformerModel({ ...REFERENCE, blocks: 1 }, new Rng(5)));
    expect(() => exportToOnnx(model, { opset: 13 })).toThrow(/unsupported ONNX opset 13; supported: 17, 18, 19, 20, 21/);
  });
});
