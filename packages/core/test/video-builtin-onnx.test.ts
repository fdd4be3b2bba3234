import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../src/runtime/tfjs-backend.js';
import { TransformerModel, type TransformerModelConfig } from '../src/transformer/model.js';
import { Rng } from '../src/transformer/random.js';
import { PARITY_TOLERANCE, parity, randomFloats, randomIds, randomise } from './helpers/onnx-parity.js';

// The built-in video model is a space-time transformer; its ONNX export must compute what tfjs does.
describe('ONNX export of space-time models', () => {
  const created: TransformerModel[] = [];
  beforeAll(async () => {
    await initTfjsBackend();
  });
  afterAll(() => created.forEach((m) => m.dispose()));

  it('matches tfjs for a factorised space-time token model at two batch sizes', async () => {
    const rng = new Rng(21);
    const config: TransformerModelConfig = { input: { kind: 'tokens', vocabSize: 30 }, positions: { kind: 'sincos3d', frames: 3, rows: 2, cols: 3, factorised: true }, width: 16, heads: 2, ffnHidden: 24, activation: 'gelu', blocks: 2, outputSize: 30, spaceTime: { frames: 3 } };
    const model = randomise(new TransformerModel(config, rng), rng, 0.3);
    created.push(model);
    const diff = await parity({ component: model, feeds: (b) => ({ ids: randomIds(rng, [b, 18], 30) }), forward: (i) => model.forward(i.ids!) });
    expect(diff).toBeLessThanOrEqual(PARITY_TOLERANCE);
  });

  it('matches tfjs for a timestep-conditioned space-time model with causal time attention', async () => {
    const rng = new Rng(22);
    const config: TransformerModelConfig = { input: { kind: 'features', features: 5 }, positions: { kind: 'sincos3d', frames: 4, rows: 1, cols: 3, factorised: false }, width: 12, heads: 2, ffnHidden: 16, activation: 'swiglu', blocks: 1, outputSize: 5, timestep: { frequencyDim: 8 }, spaceTime: { frames: 4, causalTime: true } };
    const model = randomise(new TransformerModel(config, rng), rng, 0.3);
    created.push(model);
    const diff = await parity({
      component: model,
      feeds: (b) => ({ features: randomFloats(rng, [b, 12, 5]), timestep: randomFloats(rng, [b]) }),
      forward: (i) => model.forward(i.features!, { timestep: i.timestep as tf.Tensor1D }),
    });
    expect(diff).toBeLessThanOrEqual(PARITY_TOLERANCE);
  });
});
