import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOperation } from '../src/engine/index.js';
import { decodePng } from '../src/image/index.js';
import { IMAGE_GEN_SOFTWARE, promptStem } from '../src/ops/image-gen/index.js';
import { COLOURS } from '../src/builtin/image/prompt.js';
import type { ImageGenProgress } from '../src/protocol/index.js';
import { writeTinyBuiltinPack } from './helpers/tiny-packs.js';

// The built-in model's code path (MaskGIT decoding on ONNX Runtime, ESRGAN upscaling, PNG) on a
// random-weight framewright-builtin pack, so these tests do not depend on the shipped weights.
let root: string;
const previous = process.env['FRAMEWRIGHT_MODELS_DIR'];
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fw-igop-'));
  await writeTinyBuiltinPack(join(root, 'packs', 'tiny-builtin'));
  process.env['FRAMEWRIGHT_MODELS_DIR'] = join(root, 'packs');
});
afterAll(() => {
  if (previous === undefined) delete process.env['FRAMEWRIGHT_MODELS_DIR'];
  else process.env['FRAMEWRIGHT_MODELS_DIR'] = previous;
  rmSync(root, { recursive: true, force: true });
});

const generate = (params: Record<string, unknown>, out: string, events: ImageGenProgress[] = [], signal?: AbortSignal) =>
  runOperation('image-gen', { model: 'tiny-builtin', prompt: 'a red circle on a blue background', seed: 3, outputDir: join(root, out), ...params }, { onProgress: (p) => events.push(p), ...(signal === undefined ? {} : { signal }) });

describe('image-gen on a framewright-builtin pack', () => {
  it('draws at native size with one progress event per step and the parameters in PNG text chunks', async () => {
    const events: ImageGenProgress[] = [];
    const result = await generate({ width: 32, height: 32, steps: 4 }, 'native', events);
    expect(result).toMatchObject({ model: 'tiny-builtin', images: [{ path: join(root, 'native', 'a-red-circle-on-a-blue-3.png'), width: 32, height: 32, seed: 3 }] });
    expect(result.files).toEqual([result.images[0]!.path]);
    expect(events.filter((e) => e.stage === 'generate' && (e.step ?? 0) > 0).map((e) => `${e.step}/${e.steps}`)).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(events.some((e) => e.stage === 'upscale')).toBe(false);
    const png = decodePng(readFileSync(result.images[0]!.path));
    expect([png.width, png.height]).toEqual([32, 32]);
    expect(png.text).toEqual({ prompt: 'a red circle on a blue background', seed: '3', model: 'tiny-builtin', steps: '4', size: '32x32', Software: IMAGE_GEN_SOFTWARE });
  });

  it('upscales to the requested size (default 256) and gives byte-identical files for the same seed', async () => {
    const events: ImageGenProgress[] = [];
    const a = await generate({}, 'up-a', events);
    const b = await generate({}, 'up-b');
    const c = await generate({ seed: 4 }, 'up-c');
    expect(a.images[0]).toMatchObject({ width: 256, height: 256 });
    const bytes = (r: typeof a) => readFileSync(r.images[0]!.path);
    expect(bytes(a).equals(bytes(b))).toBe(true);
    expect(bytes(a).equals(bytes(c))).toBe(false);
    const upscale = events.find((e) => e.stage === 'upscale')!;
    expect(upscale.preview).toMatchObject({ width: 32, height: 32 });
    expect(decodePng(Buffer.from(upscale.preview!.pngBase64, 'base64')).width).toBe(32);
    const wide = await generate({ width: 320, height: 96, count: 2 }, 'wide');
    expect(wide.images.map((i) => [i.width, i.height, i.seed])).toEqual([
      [320, 96, 3],
      [320, 96, 4],
    ]);
  });

  it('lists prompt words the model does not know and an ignored negative prompt as warnings', async () => {
    const result = await generate({ prompt: 'a red circle with sparkly unicorns', negativePrompt: 'blurry', width: 32, height: 32 }, 'warn');
    expect(result.warnings.join('\n')).toMatch(/sparkly/);
    expect(result.warnings.join('\n')).toMatch(/no negative prompts/);
  });

  it('cancels between steps with CANCELLED and leaves nothing behind', async () => {
    const controller = new AbortController();
    const run = generate({ count: 3, steps: 8 }, 'cancel', [], controller.signal);
    const watcher = (async () => {
      // Abort as soon as the second picture starts (the first is already written by then).
      while (!controller.signal.aborted) {
        await new Promise((r) => setTimeout(r, 1));
        if (existsSync(join(root, 'cancel')) && readdirSync(join(root, 'cancel')).some((f) => f.endsWith('.png'))) controller.abort();
      }
    })();
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    controller.abort();
    await watcher;
    // The run made the folder, so removing what it made removes the folder too.
    expect(existsSync(join(root, 'cancel'))).toBe(false);
  });

  it('refuses sizes beyond what the model upscales to and more steps than it decodes, writing nothing', async () => {
    await expect(generate({ width: 2048, height: 256 }, 'big')).rejects.toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('up to 1024 px') });
    await expect(generate({ steps: 80 }, 'steps')).rejects.toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('1 to 64 steps') });
    await expect(generate({ width: 100 }, 'odd')).rejects.toMatchObject({ code: 'INVALID_PARAMS', pointer: '/width' });
    // Refused by the check before the run: not even the output folder is made.
    for (const dir of ['big', 'steps']) expect(existsSync(join(root, dir))).toBe(false);
  });
});

describe('image-gen on the shipped built-in model', () => {
  it('is the default model, draws at 256 px and gives byte-identical files for the same seed', async () => {
    const run = (out: string) => runOperation('image-gen', { prompt: 'a yellow square on a green background', seed: 11, outputDir: join(root, out) });
    const [a, b] = [await run('shipped-a'), await run('shipped-b')];
    expect(a.model).toBe('framewright-shapes-32');
    expect(a.images[0]).toMatchObject({ width: 256, height: 256, seed: 11 });
    expect(readFileSync(a.images[0]!.path).equals(readFileSync(b.images[0]!.path))).toBe(true);
    const png = decodePng(readFileSync(a.images[0]!.path));
    expect(png.text).toMatchObject({ model: 'framewright-shapes-32', seed: '11', size: '256x256' });
    // Most pixels are nearest to the background colour the prompt asks for, some to the object's.
    const nearest = new Map<string, number>();
    for (let i = 0; i < png.rgb.length; i += 3) {
      let best = '';
      let bestDistance = Infinity;
      for (const [name, rgb] of Object.entries(COLOURS)) {
        const d = (png.rgb[i]! - rgb[0]) ** 2 + (png.rgb[i + 1]! - rgb[1]) ** 2 + (png.rgb[i + 2]! - rgb[2]) ** 2;
        if (d < bestDistance) [best, bestDistance] = [name, d];
      }
      nearest.set(best, (nearest.get(best) ?? 0) + 1);
    }
    const pixels = 256 * 256;
    expect(nearest.get('green')! / pixels).toBeGreaterThan(0.5);
    expect(nearest.get('yellow')! / pixels).toBeGreaterThan(0.02);
  });
});

describe('promptStem', () => {
  it('makes short, safe file names from prompts', () => {
    expect(promptStem('Large GREEN triangle, bottom; white background!')).toBe('large-green-triangle-bottom-white-background');
    expect(promptStem('../../etc/passwd')).toBe('etc-passwd');
    expect(promptStem('日本語')).toBe('image');
  });
});
