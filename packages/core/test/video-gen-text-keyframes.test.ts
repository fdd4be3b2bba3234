// text-to-video through a text-to-image pack, end to end on the tiny random-weight SD-Turbo
// replica: keyframes drawn by image-gen's pipeline (one prompt per keyframe, keyframe i with seed
// + i) at the frames the plan puts them, optical flow between them, an optional camera move.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOperation } from '../src/engine/index.js';
import { decodePng } from '../src/image/index.js';
import { keyframeCount } from '../src/ops/video-gen/keyframe-video.js';
import { decodeRgbFrames } from './helpers/video-gen.js';
import { writeTinySdTurboPack } from './helpers/tiny-packs.js';

let root: string;
const previous = process.env['FRAMEWRIGHT_MODELS_DIR'];
const SIDE = 64;
const PROMPTS = ['a red cat', 'a blue dog', 'a green bird'];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fw-t2v-keys-'));
  writeTinySdTurboPack(join(root, 'packs', 'tiny'));
  process.env['FRAMEWRIGHT_MODELS_DIR'] = join(root, 'packs');
});
afterAll(() => {
  if (previous === undefined) delete process.env['FRAMEWRIGHT_MODELS_DIR'];
  else process.env['FRAMEWRIGHT_MODELS_DIR'] = previous;
  rmSync(root, { recursive: true, force: true });
});

/** What image-gen alone draws for `prompt` and `seed`, as RGB bytes. */
async function imageGenPicture(prompt: string, seed: number, out: string): Promise<Uint8Array> {
  const result = await runOperation('image-gen', { model: 'tiny-sd-turbo', prompt, seed, width: SIDE, height: SIDE, outputDir: join(root, out) });
  return decodePng(readFileSync(result.images[0]!.path)).rgb;
}

describe('text-to-video from a text-to-image pack', () => {
  it('makes the frames asked, with image-gen\'s own pictures as keyframes where the plan puts them (one prompt each, seeds travelling)', async () => {
    const result = await runOperation('video-gen', {
      mode: 'text-to-video', model: 'tiny-sd-turbo', prompts: PROMPTS, frames: 10, width: SIDE, height: SIDE, seed: 5, format: 'png-sequence', outputDir: join(root, 'video'),
    });
    expect(result).toMatchObject({ frames: 10, width: SIDE, height: SIDE });
    // Keyframes at round(i·9/2): 0, 5 (4.5 rounds up) and 9.
    expect(result.warnings[0]).toBe('keyframes drawn by tiny-sd-turbo at frames 0, 5, 9 (seeds 5–7), the frames between by optical flow');
    const frames = await decodeRgbFrames(join(result.path, 'frame-%05d.png'), SIDE, SIDE);
    expect(frames).toHaveLength(10);
    const at = [0, 5, 9];
    for (const [i, prompt] of PROMPTS.entries()) {
      const expected = await imageGenPicture(prompt, 5 + i, `key-${i}`);
      expect(Buffer.from(frames[at[i]!]!).equals(Buffer.from(expected)), `keyframe ${i + 1} at frame ${at[i]}`).toBe(true);
    }
    // In-betweens are new pictures, not copies of a keyframe.
    for (const j of [1, 2, 3, 4, 6, 7, 8]) {
      expect(at.some((k) => Buffer.from(frames[j]!).equals(Buffer.from(frames[k]!))), `frame ${j}`).toBe(false);
    }
  }, 120_000);

  it('draws one prompt at one keyframe per 16 frames, and moves the camera over the video when asked', async () => {
    expect(keyframeCount(17, undefined)).toBe(2);
    expect(keyframeCount(33, undefined)).toBe(3);
    expect(keyframeCount(2, undefined)).toBe(2);
    const result = await runOperation('video-gen', {
      mode: 'text-to-video', model: 'tiny-sd-turbo', prompt: 'a red cat', frames: 17, width: SIDE, height: SIDE, seed: 2, motion: 'zoom-in', format: 'png-sequence', outputDir: join(root, 'zoom'),
    });
    expect(result.frames).toBe(17);
    expect(result.warnings[0]).toBe('keyframes drawn by tiny-sd-turbo at frames 0, 16 (seeds 2–3), the frames between by optical flow');
    const frames = await decodeRgbFrames(join(result.path, 'frame-%05d.png'), SIDE, SIDE);
    expect(frames).toHaveLength(17);
    // The zoom starts at the full view: the first frame is the first keyframe; the last is zoomed in.
    expect(Buffer.from(frames[0]!).equals(Buffer.from(await imageGenPicture('a red cat', 2, 'zoom-key-0')))).toBe(true);
    expect(Buffer.from(frames[16]!).equals(Buffer.from(await imageGenPicture('a red cat', 3, 'zoom-key-1')))).toBe(false);
  }, 120_000);

  it('refuses what only the keyframe path takes without a model, and sides a text-to-image model cannot draw, in one line', async () => {
    const out = join(root, 'refused');
    await expect(runOperation('video-gen', { mode: 'text-to-video', prompt: 'a cat', prompts: ['a', 'b'], outputDir: out })).rejects.toMatchObject({ code: 'INVALID_PARAMS', pointer: '/prompts' });
    await expect(runOperation('video-gen', { mode: 'text-to-video', model: 'tiny-sd-turbo', prompt: 'a cat', width: 60, height: 64, outputDir: out })).rejects.toMatchObject({
      code: 'INVALID_PARAMS', pointer: '/width', message: 'a text-to-image model draws sides that are multiples of 8: width 60 is not',
    });
    await expect(runOperation('video-gen', { mode: 'text-to-video', model: 'tiny-sd-turbo', prompts: ['a', 'b', 'c'], frames: 2, width: SIDE, height: SIDE, outputDir: out })).rejects.toMatchObject({
      code: 'INVALID_PARAMS', pointer: '/frames', message: '3 prompts need at least 3 frames (one keyframe each), got 2',
    });
  }, 60_000);
});
