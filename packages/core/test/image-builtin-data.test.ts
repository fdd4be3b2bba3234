import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../src/runtime/tfjs-backend.js';
import { checkImage } from './helpers/image-checker.js';
import { allLayouts, isHeldOut, renderScene, sampleScene } from '../src/builtin/image/scene.js';
import { ATTRIBUTE_SLOTS, SEQUENCE, ShapesVocabulary, buildMaskCodebook } from '../src/builtin/image/tokens.js';
import { COLOUR_NAMES, COLOURS, type Colour } from '../src/builtin/image/prompt.js';
import { BUILTIN_TASKS } from '../src/builtin/index.js';
import { train } from '../src/train/trainer.js';
import { shapesVocabulary } from '../src/builtin/image/task.js';
import { sampleExample } from '../src/builtin/image/dataset.js';
import { Rng } from '../src/transformer/random.js';
import type { TransformerModelConfig } from '../src/transformer/model.js';

const vocab = shapesVocabulary();

beforeAll(async () => {
  await initTfjsBackend();
});

describe('built-in image data: scenes, factored patch code, checker', () => {
  it('encodes and decodes every layout of the dataset exactly (mask codebook + palette)', () => {
    const colours = COLOUR_NAMES;
    allLayouts().forEach((layout, i) => {
      const colour = colours[i % colours.length]!;
      const background = colours[(i + 3) % colours.length]!;
      const scene = { ...layout, colour, background };
      const tokens = new Int32Array(SEQUENCE);
      tokens.set(vocab.encodePrompt({}), 0);
      tokens.set(vocab.encodeScene(scene), ATTRIBUTE_SLOTS);
      const decoded = vocab.decode(tokens);
      expect(decoded.colour).toBe(colour);
      expect(decoded.background).toBe(background);
      expect(Buffer.from(decoded.rgb).equals(Buffer.from(renderScene(scene)))).toBe(true);
    });
  });

  it('refuses to decode a masked or out-of-range token', () => {
    const tokens = new Int32Array(SEQUENCE);
    tokens.set(vocab.encodePrompt({}), 0);
    tokens.set(vocab.encodeScene(sampleScene(new Rng(1), 'train')), ATTRIBUTE_SLOTS);
    tokens[40] = vocab.maskId(40);
    expect(() => vocab.decode(tokens)).toThrow(/token \d+ at position 40 is outside its range/);
  });

  it('reads every attribute of every clean render back (checker accuracy 100 %)', () => {
    const pairs: [Colour, Colour][] = [['red', 'white'], ['purple', 'orange']];
    for (const [colour, background] of pairs) {
      for (const layout of allLayouts()) {
        const scene = { ...layout, colour, background };
        const read = checkImage(renderScene(scene), 32, 32);
        expect(read).toMatchObject({ background, colour, shape: scene.shape, position: scene.position, size: scene.size, count: scene.count });
      }
    }
  });

  it('reads a picture scaled up 4× (nearest neighbour) the same way', () => {
    const scene = { ...allLayouts()[100]!, colour: 'green' as const, background: 'blue' as const };
    const small = renderScene(scene);
    const big = new Uint8Array(128 * 128 * 3);
    for (let y = 0; y < 128; y++) for (let x = 0; x < 128; x++) big.set(small.subarray(((y >> 2) * 32 + (x >> 2)) * 3, ((y >> 2) * 32 + (x >> 2)) * 3 + 3), (y * 128 + x) * 3);
    const { objectPixels, ...read } = checkImage(small, 32, 32);
    expect(checkImage(big, 128, 128)).toEqual({ ...read, objectPixels: objectPixels * 16 });
  });

  it('reads an empty picture as background only, and rejects a buffer of the wrong size', () => {
    const plain = new Uint8Array(32 * 32 * 3);
    for (let i = 0; i < 32 * 32; i++) plain.set(COLOURS.orange, i * 3);
    expect(checkImage(plain, 32, 32)).toMatchObject({ background: 'orange', colour: undefined, shape: undefined, count: 0 });
    expect(() => checkImage(plain, 31, 32)).toThrow(/is not a 31×32 RGB picture/);
  });

  it('keeps the held-out combinations out of training batches and in the held-out split', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 2000; i++) {
      const example = sampleExample(rng, vocab);
      expect(isHeldOut(example.scene)).toBe(false);
      expect(example.scene.colour).not.toBe(example.scene.background);
    }
    for (let i = 0; i < 200; i++) expect(isHeldOut(sampleScene(rng, 'held-out'))).toBe(true);
  });

  it('makes the same batches from the same seed, masking only picture tokens', async () => {
    const config: TransformerModelConfig = {
      input: { kind: 'tokens', vocabSize: vocab.size }, positions: { kind: 'sincos2d', rows: 9, cols: 8 },
      width: 16, heads: 2, ffnHidden: 32, activation: 'gelu', blocks: 1, outputSize: vocab.size,
    };
    const task = BUILTIN_TASKS['shapes-maskgit']!;
    const first = async (start: number) => (await task.dataset(config).batches({ seed: 5, batchSize: 4, start })[Symbol.asyncIterator]().next()).value!;
    const [a, b] = [await first(7), await first(7)];
    expect(a['inputs']!.data).toEqual(b['inputs']!.data);
    const mask = a['mask']!.data;
    for (let i = 0; i < mask.length; i++) if (i % SEQUENCE < ATTRIBUTE_SLOTS) expect(mask[i]).toBe(0);
    expect(Array.from(mask as Float32Array).reduce((s, v) => s + v, 0)).toBeGreaterThan(0);
    expect(() => task.checkModel({ ...config, outputSize: 10 })).toThrow(`task shapes-maskgit needs model.outputSize ${vocab.size}`);
  });

  it('trains through the trainer: the masked-token loss of a tiny model falls by more than half in 30 steps', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'fw-shapes-train-'));
    try {
      const { model, losses } = await train({
        outDir,
        tasks: BUILTIN_TASKS,
        config: {
          task: 'shapes-maskgit-centred',
          model: {
            input: { kind: 'tokens', vocabSize: vocab.size }, positions: { kind: 'sincos2d', rows: 9, cols: 8 },
            width: 16, heads: 2, ffnHidden: 32, activation: 'gelu', blocks: 1, outputSize: vocab.size,
          },
          batchSize: 8,
          steps: 30,
          seed: 1,
          optimizer: { kind: 'adamw', lr: 1e-2 },
        },
      });
      model.dispose();
      expect(losses[29]!).toBeLessThan(losses[0]! / 2);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('builds the codebook the vocabulary was sized for', () => {
    expect(new ShapesVocabulary(buildMaskCodebook()).size).toBe(vocab.size);
  });
});
