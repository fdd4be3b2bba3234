// The memory budget's parts: sizes as people write them, the default from the machine, picture
// headers read without decoding, the operations' estimates, and `serve --memory-budget`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, EXIT } from '../src/cli/main.js';
import type { CliIo } from '../src/cli/io.js';
import { defaultMemoryBudget, formatBytes, parseByteSize } from '../src/engine/index.js';
import { readPictureSize } from '../src/image/header.js';
import { imageGenOperation } from '../src/ops/image-gen/index.js';
import { videoGenOperation } from '../src/ops/video-gen/index.js';
import type { ImageGenParams, VideoGenParams } from '../src/protocol/index.js';
import { writeTinyBuiltinPack } from './helpers/tiny-packs.js';
import { drawBox } from './helpers/video-gen.js';

const GiB = 2 ** 30;
let dir: string;
let png: string;
let jpeg: string;
const previousModels = process.env['FRAMEWRIGHT_MODELS_DIR'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-memory-'));
  png = await drawBox(dir, 'wide', { width: 320, height: 200, x: 10, y: 10, box: 20 });
  jpeg = await drawBox(dir, 'photo', { width: 1000, height: 750, x: 10, y: 10, box: 20 }, 'jpg');
  await writeTinyBuiltinPack(join(dir, 'packs', 'tiny-builtin'));
  process.env['FRAMEWRIGHT_MODELS_DIR'] = join(dir, 'packs');
});
afterAll(() => {
  if (previousModels === undefined) delete process.env['FRAMEWRIGHT_MODELS_DIR'];
  else process.env['FRAMEWRIGHT_MODELS_DIR'] = previousModels;
  rmSync(dir, { recursive: true, force: true });
});

describe('sizes', () => {
  it('parses sizes as people write them, in binary units', () => {
    expect(parseByteSize('2GB')).toBe(2 * GiB);
    expect(parseByteSize('2G')).toBe(2 * GiB);
    expect(parseByteSize('2 GiB')).toBe(2 * GiB);
    expect(parseByteSize('1.5g')).toBe(1.5 * GiB);
    expect(parseByteSize('512M')).toBe(512 * 2 ** 20);
    expect(parseByteSize('1073741824')).toBe(GiB);
    for (const bad of ['lots', '', '0', '-1G', '2iB', '2 PB', '1e9']) expect(parseByteSize(bad), bad).toBeUndefined();
  });

  it('formats bytes with one decimal at most', () => {
    expect(formatBytes(1.6 * GiB)).toBe('1.6 GiB');
    expect(formatBytes(GiB)).toBe('1 GiB');
    expect(formatBytes(512 * 2 ** 20)).toBe('512 MiB');
    expect(formatBytes(900)).toBe('900 bytes');
  });

  it('defaults to half the machine, at least 1 GiB and at most 32 GiB', () => {
    expect(defaultMemoryBudget(16 * GiB)).toBe(8 * GiB);
    expect(defaultMemoryBudget(1 * GiB)).toBe(GiB);
    expect(defaultMemoryBudget(512 * GiB)).toBe(32 * GiB);
  });
});

describe('picture headers', () => {
  it('reads PNG and JPEG sizes without decoding', async () => {
    expect(await readPictureSize(png)).toEqual({ width: 320, height: 200 });
    expect(await readPictureSize(jpeg)).toEqual({ width: 1000, height: 750 });
  });

  it('gives undefined for other files, missing files and cut-off headers', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a picture at all, but long enough to fill a header');
    const cut = join(dir, 'cut.png');
    writeFileSync(cut, readFileSync(png).subarray(0, 20));
    const cutJpeg = join(dir, 'cut.jpg');
    writeFileSync(cutJpeg, readFileSync(jpeg).subarray(0, 30));
    for (const path of [text, cut, cutJpeg, join(dir, 'missing.png'), dir]) expect(await readPictureSize(path), path).toBeUndefined();
  });
});

describe('estimates', () => {
  const video = (params: Partial<VideoGenParams>) => videoGenOperation.check!({ mode: 'interpolate', ...params } as VideoGenParams);

  it('video-gen counts every decoded keyframe at the video size, from the first keyframe header or the asked size', async () => {
    const two = (await video({ keyframes: [png, png] })).memory!;
    const twelve = (await video({ keyframes: new Array<string>(12).fill(png) })).memory!;
    expect(two).toMatchObject({ what: '2 keyframes of 320×200', pointer: '/keyframes' });
    expect(twelve.bytes - two.bytes).toBe(10 * 320 * 200 * 3);
    const asked = (await video({ keyframes: [png, png], width: 640, height: 400 })).memory!;
    expect(asked.what).toBe('2 keyframes of 640×400');
    expect(asked.bytes).toBeGreaterThan(3.9 * two.bytes);
    // The motion filter holds frames of its own; blending does not.
    expect((await video({ keyframes: [png, png], interpolation: 'blend' })).memory!.bytes).toBeLessThan(two.bytes);
  });

  it('video-gen image-to-video counts the still and the frames; a missing picture is left to the run', async () => {
    expect((await video({ mode: 'image-to-video', image: jpeg })).memory).toMatchObject({ what: '48 frames of 1000×750 from a 1000×750 picture', pointer: '/image' });
    expect(await video({ keyframes: [join(dir, 'missing.png'), png] })).toEqual({});
  });

  it('image-gen holds one picture at a time, so the count does not multiply it', async () => {
    const image = (params: Partial<ImageGenParams>) => imageGenOperation.check!({ prompt: 'a red circle', model: 'tiny-builtin', ...params } as ImageGenParams);
    const one = (await image({ width: 512, height: 512 })).memory!;
    const four = (await image({ width: 512, height: 512, count: 4 })).memory!;
    expect(four.bytes).toBe(one.bytes);
    expect(four.what).toBe('4 pictures, one at a time, of 512×512 with tiny-builtin');
    expect((await image({ width: 1024, height: 1024 })).memory!.bytes).toBeGreaterThan(one.bytes);
    await expect(image({ width: 2048, height: 256 })).rejects.toMatchObject({ code: 'INVALID_PARAMS', pointer: '/width', message: expect.stringContaining('up to 1024 px') });
    await expect(image({ steps: 80 })).rejects.toMatchObject({ code: 'INVALID_PARAMS', pointer: '/steps' });
    await expect(image({ model: 'no-such-pack' })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });
});

describe('framewright serve --memory-budget', () => {
  async function run(argv: string[]) {
    let out = '';
    let err = '';
    const io: CliIo = {
      stdout: { write: (t) => void (out += t), isTTY: false },
      stderr: { write: (t) => void (err += t), isTTY: false, columns: 80 },
      env: {},
      cwd: dir,
      onInterrupt: () => () => undefined,
    };
    const code = await main(argv, io);
    return { code, out, err };
  }

  it('is listed in the help with the default of this machine', async () => {
    const { code, out } = await run(['serve', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('--memory-budget SIZE');
    expect(out).toContain(`here ${formatBytes(defaultMemoryBudget())}`);
  });

  it('refuses a size it cannot read as a usage error', async () => {
    const { code, err } = await run(['serve', '--memory-budget', 'lots']);
    expect(code).toBe(EXIT.usage);
    expect(err).toMatch(/^framewright: serve: --memory-budget must be a size like 4GB or 512M, got "lots"/);
  });
});
