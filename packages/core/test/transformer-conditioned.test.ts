// Dropout in training mode only (and never in an exported graph), weight decay that leaves
// embeddings, positions, norms and biases alone, and models with their own prompt encoder
// (cross-attention on its tokens, pooled prompt into adaLN) exported with parity.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdamW } from '../src/train/index.js';
import { TransformerModel, type TransformerModelConfig } from '../src/transformer/model.js';
import { Rng } from '../src/transformer/random.js';
import { PromptTokenizer } from '../src/transformer/text.js';
import { exportToOnnx } from '../src/transformer/onnx/export.js';
import { paddingMask, parity, paritySuite, randomFloats, randomIds, randomise } from './helpers/onnx-parity.js';

const rng = new Rng(21);
const { keep, expectParity } = paritySuite('conditioned models');

const tokenModel: TransformerModelConfig = {
  input: { kind: 'tokens', vocabSize: 10 },
  positions: { kind: 'learned', length: 6 },
  width: 16,
  heads: 2,
  ffnHidden: 32,
  activation: 'gelu',
  blocks: 2,
  outputSize: 10,
};
const tokenizer = PromptTokenizer.fromCorpus(['a red circle on a blue background', 'a green triangle at the top left'], 'word');
const encoder = { tokenizer: tokenizer.config, maxLength: 6, width: 16, heads: 2, ffnHidden: 32, blocks: 1 };

const ids = (): tf.Tensor2D => tf.tensor2d([[1, 2, 3, 4, 5, 6], [7, 8, 9, 0, 1, 2]], [2, 6], 'int32');

describe('dropout', () => {
  it('is off in evaluation mode (the default) and on in training mode, with masks drawn from the given rng', () => {
    const plain = keep(new TransformerModel(tokenModel, new Rng(5)));
    const dropped = keep(new TransformerModel({ ...tokenModel, dropout: { attention: 0.3, residual: 0.3 } }, new Rng(5)));
    const x = ids();
    const out = (m: TransformerModel): number[] => Array.from(tf.tidy(() => m.forward(x)).dataSync());
    expect(dropped.training).toBe(false);
    expect(out(dropped)).toEqual(out(plain));
    dropped.train(new Rng(9));
    expect(dropped.training).toBe(true);
    const a = out(dropped);
    expect(a).not.toEqual(out(plain));
    const second = out(dropped);
    expect(second).not.toEqual(a); // the rng moved on: a new mask
    dropped.train(new Rng(9));
    expect(out(dropped)).toEqual(a); // the same rng state: the same mask
    dropped.eval();
    expect(out(dropped)).toEqual(out(plain));
    // a model without rates is unchanged by training mode
    plain.train(new Rng(9));
    expect(plain.training).toBe(false);
    x.dispose();
  });

  it('rejects a rate outside [0, 1), naming the field', () => {
    expect(() => new TransformerModel({ ...tokenModel, dropout: { residual: 1 } })).toThrow('model config dropout.residual must be a number in [0, 1), got 1');
  });

  it('is absent from the exported graph, whose output matches evaluation mode within 1e-5', async () => {
    const model = keep(randomise(new TransformerModel({ ...tokenModel, dropout: { attention: 0.5, residual: 0.5 } }, new Rng(6)), rng, 0.3));
    model.train(new Rng(1));
    model.eval();
    const { summary } = exportToOnnx(model);
    expect(summary.opTypes.filter((op) => /Dropout|Random|Bernoulli/.test(op))).toEqual([]);
    const diff = await parity({ component: model, feeds: (b) => ({ ids: randomIds(rng, [b, 6], 10) }), forward: (i) => model.forward(i.ids as tf.Tensor2D) });
    expect(diff).toBeLessThanOrEqual(1e-5);
  });
});

describe('weight decay', () => {
  it('AdamW decays weight matrices only: embeddings, learned positions, norms and biases are untouched with zero gradient', () => {
    const model = keep(new TransformerModel({ ...tokenModel, blocks: 1 }, new Rng(7)));
    const vars = model.variables();
    const before = new Map([...vars].map(([n, v]) => [n, Array.from(v.dataSync())]));
    const zero = new Map([...vars].map(([n, v]) => [n, tf.zerosLike(v) as tf.Tensor]));
    const noDecay = model.noDecayVariables();
    expect([...noDecay].sort()).toEqual(expect.arrayContaining(['embed.weight', 'pos.weight', 'blocks.0.attnNorm.weight', 'blocks.0.attnNorm.bias', 'blocks.0.attn.q.bias', 'head.bias', 'norm.weight']));
    const opt = new AdamW({ kind: 'adamw', lr: 0.1, weightDecay: 0.5 }, noDecay);
    opt.apply(vars, zero, 0.1);
    for (const [name, v] of vars) {
      const now = Array.from(v.dataSync());
      if (noDecay.has(name)) expect(now, name).toEqual(before.get(name));
      else {
        expect(v.rank, name).toBe(2);
        // p ← p − lr·wd·p with a zero Adam step
        now.forEach((p, i) => expect(p, name).toBeCloseTo(before.get(name)![i]! * (1 - 0.1 * 0.5), 6));
      }
    }
    expect(noDecay.has('blocks.0.attn.q.weight')).toBe(false);
    opt.dispose();
    tf.dispose([...zero.values()]);
  });
});

describe('models with their own prompt encoder', () => {
  it('validate the text conditioning, naming the field', () => {
    expect(() => new TransformerModel({ ...tokenModel, text: { encoder } })).toThrow('model config text is unused: set model.context');
    expect(() => new TransformerModel({ ...tokenModel, text: { encoder }, context: { width: 24 } })).toThrow('model config context.width must equal model.text.encoder.width (16)');
    expect(() => new TransformerModel({ ...tokenModel, text: { encoder: { ...encoder, tokenizer: { kind: 'word', vocabulary: ['a'] } } }, context: { width: 16 } })).toThrow(
      'model config text.encoder.tokenizer.vocabulary must be a list of tokens starting with <pad>, <unk>',
    );
  });

  it('the pooled prompt changes the adaLN conditioning: different prompts, different outputs, even without cross-attention', () => {
    const model = keep(randomise(new TransformerModel({ ...tokenModel, text: { encoder, pooled: true } }, new Rng(8)), rng, 0.3));
    const x = ids();
    const run = (prompts: string[]): number[] => {
      const e = tokenizer.encode(prompts, 6);
      return Array.from(tf.tidy(() => model.forward(x, { promptIds: tf.tensor2d(e.ids, e.shape, 'int32'), promptMask: tf.tensor2d(e.mask, e.shape) })).dataSync());
    };
    expect(run(['a red circle', 'a red circle'])).not.toEqual(run(['a green triangle', 'a green triangle']));
    expect(() => tf.tidy(() => model.forward(x))).toThrow('this model encodes a prompt and needs promptIds and promptMask');
    x.dispose();
  });

  it('a text-to-token model (cross-attention on the prompt encoder) exports with parity', async () => {
    const model = keep(randomise(new TransformerModel({ ...tokenModel, text: { encoder }, context: { width: 16 } }, new Rng(9)), rng, 0.3));
    const { summary } = exportToOnnx(model);
    expect(summary.inputs.map((i) => i.name)).toEqual(['ids', 'prompt_ids', 'prompt_mask']);
    await expectParity('Model(text-to-token)', {
      component: model,
      feeds: (b) => ({ ids: randomIds(rng, [b, 6], 10), prompt_ids: randomIds(rng, [b, 6], tokenizer.size), prompt_mask: paddingMask(b, 6) }),
      forward: (i) => model.forward(i.ids as tf.Tensor2D, { promptIds: i.prompt_ids as tf.Tensor2D, promptMask: i.prompt_mask as tf.Tensor2D }),
    });
  });

  it('a diffusion model (patches, timestep + pooled prompt in adaLN, cross-attention) exports with parity', async () => {
    const config: TransformerModelConfig = {
      input: { kind: 'patches', patchSize: 2, channels: 3 },
      positions: { kind: 'sincos2d', rows: 3, cols: 4 },
      width: 16,
      heads: 2,
      ffnHidden: 32,
      activation: 'gelu',
      blocks: 2,
      outputSize: 12,
      timestep: { frequencyDim: 16 },
      text: { encoder, pooled: true },
      context: { width: 16 },
      dropout: { residual: 0.1 },
    };
    const model = keep(randomise(new TransformerModel(config, new Rng(10)), rng, 0.2));
    await expectParity('Model(text diffusion)', {
      component: model,
      feeds: (b) => ({
        images: randomFloats(rng, [b, 6, 8, 3]),
        timestep: { data: Float32Array.from({ length: b }, () => rng.float()), dims: [b] },
        prompt_ids: randomIds(rng, [b, 6], tokenizer.size),
        prompt_mask: paddingMask(b, 6),
      }),
      forward: (i) =>
        model.forward(i.images!, { timestep: i.timestep as tf.Tensor1D, promptIds: i.prompt_ids as tf.Tensor2D, promptMask: i.prompt_mask as tf.Tensor2D }),
    });
  });
});
