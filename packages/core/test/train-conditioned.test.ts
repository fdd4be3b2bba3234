// The conditioned generators' tasks end to end on a tiny folder of captioned PNGs: a text-to-token
// model (cross-attention on its own prompt encoder) and a text-conditioned diffusion model
// (timestep + pooled prompt in adaLN, cross-attention, dropout) each train to a clear drop in
// loss, export to ONNX and match in ONNX Runtime; bad folders are one-line errors.
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUILTIN_TASKS,
  CAPTIONS_FILE,
  PIXEL_VOCABULARY,
  captionTokenizer,
  describeScene,
  readCaptionedImages,
  renderScene,
  sampleDiffusion,
  sampleScene,
} from '../src/builtin/index.js';
import { encodePng } from '../src/image/index.js';
import { createOnnxSession } from '../src/runtime/onnx-session.js';
import { initTfjsBackend } from '../src/runtime/tfjs-backend.js';
import { type TrainConfig, type TrainResult, train } from '../src/train/index.js';
import { Rng, type TextEncoderConfig, type TransformerModelConfig } from '../src/transformer/index.js';
import { exportToOnnx, maxAbsDiffVsTfjs, sampleModelFeeds } from '../src/transformer/onnx/index.js';

let root: string;
let data: string;
let encoder: TextEncoderConfig;
beforeAll(async () => {
  await initTfjsBackend();
  root = await mkdtemp(join(tmpdir(), 'fw-train-cond-'));
  data = join(root, 'pictures');
  await mkdir(join(data, 'img'), { recursive: true });
  const rng = new Rng(3);
  const lines: string[] = [];
  for (let i = 0; i < 12; i++) {
    const scene = { ...sampleScene(rng, 'train'), size: 'large' as const, count: 1 as const, jitter: [0, 0] as const };
    await writeFile(join(data, 'img', `${i}.png`), encodePng({ width: 32, height: 32, rgb: renderScene(scene) }));
    lines.push(JSON.stringify({ image: `img/${i}.png`, caption: describeScene(scene, rng) }));
  }
  await writeFile(join(data, CAPTIONS_FILE), `${lines.join('\n')}\n`);
  encoder = { tokenizer: (await captionTokenizer(data)).config, maxLength: 16, width: 32, heads: 2, ffnHidden: 64, blocks: 1 };
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

async function trainAndExport(task: string, model: TransformerModelConfig, steps: number): Promise<{ result: TrainResult; diff: number }> {
  const config: TrainConfig = { task, data, model, batchSize: 8, steps, seed: 1, optimizer: { kind: 'adamw', lr: 3e-3, weightDecay: 0.01 }, schedule: { warmupSteps: 5 }, clipNorm: 1, checkpointEvery: steps };
  const result = await train({ config, outDir: join(root, task), tasks: BUILTIN_TASKS });
  const { bytes } = exportToOnnx(result.model);
  const session = await createOnnxSession(bytes, { intraOpThreads: 1 });
  try {
    const diff = await maxAbsDiffVsTfjs(result.model, session, sampleModelFeeds(model, 3, new Rng(5)));
    return { result, diff };
  } finally {
    await session.release();
  }
}

describe('conditioned training tasks over a folder of captioned images', () => {
  it('captioned-maskgit: a text-to-token model with cross-attention on its prompt encoder learns, and exports with parity ≤ 1e-4', async () => {
    const model: TransformerModelConfig = {
      input: { kind: 'tokens', vocabSize: PIXEL_VOCABULARY },
      positions: { kind: 'sincos2d', rows: 8, cols: 8 },
      width: 32, heads: 2, ffnHidden: 64, activation: 'gelu', blocks: 2, outputSize: PIXEL_VOCABULARY,
      text: { encoder }, context: { width: 32 }, dropout: { attention: 0.1 },
    };
    const { result, diff } = await trainAndExport('captioned-maskgit', model, 40);
    const { losses } = result;
    result.model.dispose();
    console.log(`captioned-maskgit loss ${mean(losses.slice(0, 5)).toFixed(3)} → ${mean(losses.slice(-5)).toFixed(3)}, ONNX parity ${diff.toExponential(2)}`);
    expect(mean(losses.slice(-5))).toBeLessThan(0.5 * mean(losses.slice(0, 5)));
    expect(diff).toBeLessThanOrEqual(1e-4);
  });

  it('captioned-diffusion: a timestep- and prompt-conditioned v-prediction model learns, exports with parity ≤ 1e-4 and samples pictures', async () => {
    const model: TransformerModelConfig = {
      input: { kind: 'patches', patchSize: 2, channels: 3 },
      positions: { kind: 'sincos2d', rows: 4, cols: 4 },
      width: 32, heads: 2, ffnHidden: 64, activation: 'gelu', blocks: 2, outputSize: 12,
      timestep: { frequencyDim: 32 }, text: { encoder, pooled: true }, context: { width: 32 }, dropout: { residual: 0.05 },
    };
    const { result, diff } = await trainAndExport('captioned-diffusion', model, 60);
    const { losses } = result;
    console.log(`captioned-diffusion loss ${mean(losses.slice(0, 5)).toFixed(3)} → ${mean(losses.slice(-5)).toFixed(3)}, ONNX parity ${diff.toExponential(2)}`);
    expect(mean(losses.slice(-5))).toBeLessThan(0.7 * mean(losses.slice(0, 5)));
    expect(diff).toBeLessThanOrEqual(1e-4);
    const pictures = sampleDiffusion(result.model, ['a red circle', 'a blue square'], new Rng(2), { steps: 4, guidance: 2 });
    expect(pictures.map((p) => [p.width, p.height, p.rgb.length])).toEqual([[8, 8, 192], [8, 8, 192]]);
    const again = sampleDiffusion(result.model, ['a red circle', 'a blue square'], new Rng(2), { steps: 4, guidance: 2 });
    expect(again[0]!.rgb).toEqual(pictures[0]!.rgb);
    result.model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(1000);
  });

  it('bad folders and a missing data folder are one-line errors naming the problem', async () => {
    await expect(readCaptionedImages(join(root, 'nowhere'), 8, 8)).rejects.toThrow(`captioned-images folder ${join(root, 'nowhere')} has no captions.jsonl`);
    const bad = join(root, 'bad');
    await mkdir(bad);
    await writeFile(join(bad, CAPTIONS_FILE), '{"image": "a.png", "caption": "x"}\n');
    await expect(readCaptionedImages(bad, 8, 8)).rejects.toThrow(`${join(bad, CAPTIONS_FILE)} line 1: image a.png not found`);
    await writeFile(join(bad, CAPTIONS_FILE), '\n{"image": "a.png"}\n');
    await expect(readCaptionedImages(bad, 8, 8)).rejects.toThrow('line 2 needs "caption": a string');
    await writeFile(join(bad, CAPTIONS_FILE), '{"image": "a.png", "caption": "x"\n');
    await expect(readCaptionedImages(bad, 8, 8)).rejects.toThrow(/line 1 is not valid JSON/);
    const model: TransformerModelConfig = {
      input: { kind: 'patches', patchSize: 2, channels: 3 }, positions: { kind: 'sincos2d', rows: 2, cols: 2 },
      width: 32, heads: 2, ffnHidden: 32, activation: 'gelu', blocks: 1, outputSize: 12, timestep: { frequencyDim: 8 }, text: { encoder, pooled: true },
    };
    const config: TrainConfig = { task: 'captioned-diffusion', model, batchSize: 2, steps: 2, seed: 1, optimizer: { kind: 'adamw', lr: 1e-3 } };
    await expect(train({ config, outDir: join(root, 'nodata'), tasks: BUILTIN_TASKS })).rejects.toThrow('task captioned-diffusion needs data: a folder of PNG images with a captions.jsonl');
    await expect(train({ config: { ...config, model: { ...model, timestep: undefined } }, outDir: join(root, 'notime'), tasks: BUILTIN_TASKS })).rejects.toThrow('task captioned-diffusion needs model.timestep');
  });
});
