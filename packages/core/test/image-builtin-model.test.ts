import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinImageModelDir, loadBuiltinImageModel, readBuiltinModelInfo } from '../src/builtin/image/model.js';
import { checkerShapeBaseline, independentPromptCases, promptFollowingCases, scoreIoU, scorePromptFollowing } from './helpers/image-prompt-following.js';
import { buildMaskCodebook } from '../src/builtin/image/tokens.js';
import { FramewrightError } from '../src/protocol/errors.js';
import { cachedOnnxSessionCount, closeOnnxSessions } from '../src/runtime/onnx-session.js';
import { parsePrompt } from '../src/builtin/image/prompt.js';
import { checkImage } from './helpers/image-checker.js';
import { upscaleTo } from '../src/ops/image-gen/upscale.js';

const temp = mkdtempSync(join(tmpdir(), 'fw-builtin-image-'));
afterAll(async () => {
  rmSync(temp, { recursive: true, force: true });
  await closeOnnxSessions();
});

async function codeOf(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(FramewrightError);
    return (error as FramewrightError).code;
  }
  return 'no error';
}

describe('the shipped built-in image model', () => {
  it('is small and carries the codebook the renderer produces', async () => {
    const dir = builtinImageModelDir();
    const bytes = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(10 * 2 ** 20);
    expect((await readBuiltinModelInfo(dir)).codebook).toEqual(buildMaskCodebook());
  });

  it('draws held-out prompts (shape/colour pairs never trained on) as asked', async () => {
    const model = await loadBuiltinImageModel();
    const score = await scorePromptFollowing(model, promptFollowingCases('held-out', 12, 77));
    // 12 prompts: thresholds sit below the 100-prompt benchmark figures to absorb sampling noise
    expect(score.accuracy.background).toBeGreaterThanOrEqual(11 / 12);
    expect(score.accuracy.colour).toBeGreaterThanOrEqual(10 / 12);
    expect(score.accuracy.position).toBeGreaterThanOrEqual(10 / 12);
    expect(score.accuracy.shape).toBeGreaterThanOrEqual(6 / 12);
  });

  it('gives the same pixels for the same seed and different pictures for other seeds', async () => {
    const model = await loadBuiltinImageModel();
    const a = await model.generate({ prompt: 'a shape', seed: 5 });
    const b = await model.generate({ prompt: 'a shape', seed: 5 });
    expect(Buffer.from(a.rgb).equals(Buffer.from(b.rgb))).toBe(true);
    expect(a).toMatchObject({ width: 32, height: 32, warnings: [] });
    expect(a.rgb.length).toBe(32 * 32 * 3);
    const others = await Promise.all([6, 7, 8].map((seed) => model.generate({ prompt: 'a shape', seed })));
    expect(others.some((o) => !Buffer.from(o.rgb).equals(Buffer.from(a.rgb)))).toBe(true);
  });

  it('chooses what a prompt leaves out from the seed: one clean object of the asked colours in at least 90 % of 40 seeds', async () => {
    const model = await loadBuiltinImageModel();
    const figures: Record<string, number> = {};
    for (const prompt of ['triangle', 'a green triangle', 'a red circle on a blue background']) {
      const asked = parsePrompt(prompt);
      let clean = 0;
      for (let seed = 0; seed < 40; seed++) {
        const image = await model.generate({ prompt, seed });
        const seen = checkImage(image.rgb, image.width, image.height);
        const asAsked = (asked.colour === undefined || seen.colour === asked.colour) && (asked.background === undefined || seen.background === asked.background);
        if (seen.count === 1 && asAsked) clean++;
      }
      figures[prompt] = clean;
    }
    console.log(`one clean object of the asked colours, of 40 seeds: ${JSON.stringify(figures)}`);
    for (const n of Object.values(figures)) expect(n).toBeGreaterThanOrEqual(36);
  });

  it('follows prompts written independently of the caption generator, and its objects overlap the ideal render', async () => {
    const model = await loadBuiltinImageModel();
    const cases = independentPromptCases();
    const score = await scorePromptFollowing(model, cases);
    const iou = await scoreIoU(model, cases);
    console.log(`hand-written prompts: ${JSON.stringify(score.accuracy)}; IoU mean ${iou.mean.toFixed(3)}, ${(iou.atLeast08 * 100).toFixed(0)} % ≥ 0.8`);
    for (const k of ['background', 'colour', 'position'] as const) expect(score.accuracy[k], k).toBeGreaterThanOrEqual(22 / 24);
    // measured 0.868 (0.756 with the first release's sampling); the issue asks for 0.85
    expect(iou.mean).toBeGreaterThanOrEqual(0.85);
  });

  it("the checker's shape reading is at chance on shapeless blobs (its baseline)", () => {
    const { accuracy } = checkerShapeBaseline(300);
    expect(accuracy).toBeGreaterThan(0.2);
    expect(accuracy).toBeLessThan(0.45);
  });

  it('lays the scene out on a non-square canvas instead of cropping it: 512×192 keeps a top square whole', async () => {
    const model = await loadBuiltinImageModel();
    const square = await model.generate({ prompt: 'a large red square at the top on blue', seed: 4 });
    const wide = await model.generate({ prompt: 'a large red square at the top on blue', seed: 4, width: 512, height: 192 });
    expect([wide.width, wide.height]).toEqual([85, 32]);
    const tile = checkImage(square.rgb, 32, 32);
    const read = checkImage(wide.rgb, wide.width, wide.height);
    expect(read).toMatchObject({ background: 'blue', colour: 'red', position: 'top', count: 1, objectPixels: tile.objectPixels });
    const final = await upscaleTo(wide, 512, 192);
    expect(checkImage(final.rgb, 512, 192)).toMatchObject({ background: 'blue', colour: 'red', position: 'top', count: 1 });
    // a portrait canvas puts a bottom-right object at the bottom
    const tall = await model.generate({ prompt: 'a large green circle bottom right on white', seed: 4, width: 192, height: 512 });
    expect([tall.width, tall.height]).toEqual([32, 85]);
    expect(checkImage(tall.rgb, tall.width, tall.height)).toMatchObject({ position: 'bottom right', count: 1 });
  });

  it('warns about contradictions and still draws a visible object', async () => {
    const model = await loadBuiltinImageModel();
    const image = await model.generate({ prompt: 'a red circle on a red background', seed: 3 });
    expect(image.warnings).toEqual(['the prompt contradicts itself (the object and the background are both red; the background is drawn in another colour)']);
    const seen = checkImage(image.rgb, image.width, image.height);
    expect(seen.colour).toBe('red');
    expect(seen.background).not.toBe('red');
    const two = await model.generate({ prompt: 'a big small circle at the top bottom', seed: 3 });
    expect(two.warnings).toEqual([
      'the prompt contradicts itself (size: large, then small; drawing large)',
      'the prompt contradicts itself (position: top, then bottom; drawing top)',
    ]);
  });

  it('reports each step, lists unknown words as a warning and stops when cancelled', async () => {
    const model = await loadBuiltinImageModel();
    const steps: number[] = [];
    const image = await model.generate({ prompt: 'a fluffy red dog on blue', seed: 1, steps: 5 }, (step, total) => steps.push(step * 10 + total));
    expect(steps).toEqual([15, 25, 35, 45, 55]);
    expect(image.warnings).toEqual(['the built-in model does not know "fluffy", "dog"; ignored']);
    const controller = new AbortController();
    const cancelled = codeOf(() => model.generate({ prompt: 'red circle', seed: 1 }, (step) => step === 2 && controller.abort(), controller.signal));
    expect(await cancelled).toBe('CANCELLED');
  });

  it('rejects bad requests with INVALID_PARAMS', async () => {
    const model = await loadBuiltinImageModel();
    expect(await codeOf(() => model.generate({ prompt: '', seed: 1 }))).toBe('INVALID_PARAMS');
    expect(await codeOf(() => model.generate({ prompt: 'x'.repeat(10_000), seed: 1 }))).toBe('INVALID_PARAMS');
    expect(await codeOf(() => model.generate({ prompt: 'red circle', seed: -1 }))).toBe('INVALID_PARAMS');
    expect(await codeOf(() => model.generate({ prompt: 'red circle', seed: 1, steps: 0 }))).toBe('INVALID_PARAMS');
  });

  it('loads again after closeOnnxSessions and draws the same pixels (the model cache is emptied with the sessions)', async () => {
    const request = { prompt: 'a green square at the top left on white', seed: 11, steps: 4 };
    const first = await loadBuiltinImageModel();
    const before = await first.generate(request);
    await closeOnnxSessions();
    expect(cachedOnnxSessionCount()).toBe(0);
    const second = await loadBuiltinImageModel();
    expect(second).not.toBe(first);
    expect(Buffer.from((await second.generate(request)).rgb).equals(Buffer.from(before.rgb))).toBe(true);
    expect(await loadBuiltinImageModel()).toBe(second);
  });

  it('names a missing or broken model folder', async () => {
    expect(await codeOf(() => loadBuiltinImageModel(join(temp, 'nowhere')))).toBe('MODEL_NOT_FOUND');
    const broken = join(temp, 'broken');
    mkdirSync(broken);
    copyFileSync(join(builtinImageModelDir(), 'model.onnx'), join(broken, 'model.onnx'));
    writeFileSync(join(broken, 'model.json'), JSON.stringify({ id: 'framewright-shapes-32', nativeSize: 64 }));
    expect(await codeOf(() => loadBuiltinImageModel(broken))).toBe('MODEL_INVALID');
  });
});
