import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runOperation } from '../src/engine/index.js';
import { OPERATION_REGISTRY } from '../src/ops/index.js';
import { createVideoGenOperation, videoGenOperation } from '../src/ops/video-gen/index.js';
import type { Operation } from '../src/ops/types.js';
import { checkClip } from './helpers/video-checker.js';
import { builtinVideoModelDir, loadBuiltinVideoModel, readBuiltinVideoModelInfo } from '../src/builtin/video/model.js';
import { builtinTextToVideo } from '../src/ops/video-gen/text-to-video.js';
import { countDecodedFrames } from '../src/media/index.js';
import { closeOnnxSessions } from '../src/runtime/onnx-session.js';
import { decodeRgbFrames, probeStreams, tempDir } from './helpers/video-gen.js';

afterAll(async () => {
  await closeOnnxSessions();
});

describe('built-in text-to-video model (shipped ONNX)', () => {
  it('ships a small, valid model', async () => {
    const dir = builtinVideoModelDir();
    const info = await readBuiltinVideoModelInfo(dir);
    expect(info).toMatchObject({ id: 'framewright-motion-32', frames: 8, nativeSize: 32 });
    expect((info.training as { trainingSeconds: number }).trainingSeconds).toBeGreaterThan(0);
  });

  const PROMPTS = [
    ['a red circle moves from left to right on a blue background', 'red', 'blue', 'right'],
    ['a green square moves up on a white background', 'green', 'white', 'up'],
    ['a small yellow triangle moves left against black', 'yellow', 'black', 'left'],
    ['a large purple circle falls downwards on orange', 'purple', 'orange', 'down'],
  ] as const;

  it('draws the prompted colour on the prompted background, moving in the prompted direction, on its own (no sampling aid)', async () => {
    const model = await loadBuiltinVideoModel();
    let coloured = 0;
    let moved = 0;
    for (const [prompt, colour, background, direction] of PROMPTS) {
      const { frames, warnings } = await model.generate({ prompt, seed: 1 });
      expect(warnings).toEqual([]);
      expect(frames).toHaveLength(8);
      expect(frames.every((f) => f.width === 32 && f.height === 32 && f.rgb.length === 32 * 32 * 3)).toBe(true);
      const read = checkClip(frames);
      if (read.colour === colour && read.background === background) coloured++;
      if (read.direction === direction) moved++;
    }
    expect(coloured).toBeGreaterThanOrEqual(MIN_COLOURED);
    expect(moved).toBeGreaterThanOrEqual(MIN_MOVED);
  }, 60_000);

  it('with the pinColours sampling aid, the named colours are the prompt\'s', async () => {
    const model = await loadBuiltinVideoModel();
    for (const [prompt, colour, background] of PROMPTS) {
      const read = checkClip((await model.generate({ prompt, seed: 1, pinColours: true })).frames);
      expect(read).toMatchObject({ colour, background });
    }
  }, 60_000);

  it('is deterministic in the seed, and stops with CANCELLED when aborted', async () => {
    const model = await loadBuiltinVideoModel();
    const req = { prompt: 'a blue square moves right on yellow', seed: 7, steps: 4 };
    const [a, b] = [await model.generate(req), await model.generate(req)];
    expect(a.frames.map((f) => Buffer.from(f.rgb).toString('base64'))).toEqual(b.frames.map((f) => Buffer.from(f.rgb).toString('base64')));
    const abort = new AbortController();
    const steps: number[] = [];
    const run = model.generate({ ...req, steps: 6 }, (step) => {
      steps.push(step);
      if (step === 2) abort.abort();
    }, abort.signal);
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(steps).toEqual([1, 2]);
    await expect(model.generate({ ...req, seed: -1 })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
  }, 60_000);

  it('runs video-gen text-to-video end to end: exact frame count and size in the MP4', async () => {
    const registry = { ...OPERATION_REGISTRY, 'video-gen': createVideoGenOperation({ textToVideo: builtinTextToVideo() }) };
    const out = join(tempDir('fw-video-builtin-'), 't2v');
    const result = await runOperation('video-gen', { mode: 'text-to-video', prompt: 'a white circle moves down on red', frames: 12, fps: 12, width: 128, height: 128, seed: 2, outputDir: out }, { registry });
    expect(result).toMatchObject({ frames: 12, width: 128, height: 128 });
    const [video] = await probeStreams(result.path);
    expect(video).toMatchObject({ width: 128, height: 128 });
    expect(await countDecodedFrames(result.path)).toBe(12);
  }, 60_000);

  it('passes the model\'s warnings to the result: prompt words it does not know are named, not dropped silently', async () => {
    const out = join(tempDir('fw-video-builtin-'), 'unknown');
    const result = await runOperation('video-gen', { mode: 'text-to-video', prompt: 'a white circle moves down on red zorblax', frames: 8, width: 32, height: 32, seed: 2, format: 'png-sequence', outputDir: out });
    expect(result.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/does not know "zorblax"/)]));
  }, 60_000);

  it('gives as many distinct frames as asked: the 8-frame clip is retimed by optical flow, no frame held for several', async () => {
    const out = join(tempDir('fw-video-builtin-'), 'distinct');
    const result = await runOperation('video-gen', { mode: 'text-to-video', prompt: 'a white circle moves right on red', frames: 16, width: 32, height: 32, seed: 2, format: 'png-sequence', outputDir: out });
    const frames = await decodeRgbFrames(join(result.path, 'frame-%05d.png'), 32, 32);
    expect(frames).toHaveLength(16);
    expect(new Set(frames.map((f) => Buffer.from(f).toString('base64'))).size).toBe(16);
    for (let i = 1; i < 16; i++) expect(Buffer.from(frames[i]!).equals(Buffer.from(frames[i - 1]!))).toBe(false);
  }, 60_000);

  it('makes a 256-px video when no size is asked for (the model\'s 32-px frames scaled up)', async () => {
    const out = join(tempDir('fw-video-builtin-'), 'default-size');
    const result = await runOperation('video-gen', { mode: 'text-to-video', prompt: 'a white circle moves right on red', frames: 4, seed: 2, outputDir: out });
    expect(result).toMatchObject({ width: 256, height: 256, frames: 4 });
    const [video] = await probeStreams(result.path);
    expect(video).toMatchObject({ width: 256, height: 256 });
  }, 60_000);

  it('loads again after closeOnnxSessions and draws the same clip (the model cache is emptied with the sessions)', async () => {
    const req = { prompt: 'a red square moves left on green', seed: 3, steps: 4 };
    const first = await loadBuiltinVideoModel();
    const before = await first.generate(req);
    await closeOnnxSessions();
    const second = await loadBuiltinVideoModel();
    expect(second).not.toBe(first);
    const after = await second.generate(req);
    expect(after.frames.map((f) => Buffer.from(f.rgb).toString('base64'))).toEqual(before.frames.map((f) => Buffer.from(f.rgb).toString('base64')));
  }, 60_000);
});

describe('text-to-video availability', () => {
  const modeOf = async (op: Operation<'video-gen'>) => (await op.availability()).modes?.find((m) => m.mode === 'text-to-video');

  it('is checked when asked: a model folder filled after the operation was made is found', async () => {
    const folder = join(tempDir('fw-video-t2v-late-'), 'model');
    const op = createVideoGenOperation({ textToVideo: builtinTextToVideo(folder) });
    const registry = { ...OPERATION_REGISTRY, 'video-gen': op };
    const params = { mode: 'text-to-video', prompt: 'a blue circle moves up on white', frames: 8, fps: 8, width: 64, height: 64, seed: 1 } as const;
    expect(await modeOf(op)).toEqual({ mode: 'text-to-video', available: false, reason: `text-to-video needs the built-in video model, which is not in ${folder}` });
    await expect(runOperation('video-gen', { ...params, outputDir: join(folder, '..', 'before') }, { registry })).rejects.toMatchObject({ code: 'OPERATION_UNAVAILABLE' });

    await cp(builtinVideoModelDir(), folder, { recursive: true });
    expect(await modeOf(op)).toEqual({ mode: 'text-to-video', available: true });
    const result = await runOperation('video-gen', { ...params, outputDir: join(folder, '..', 'after') }, { registry });
    expect(result).toMatchObject({ frames: 8, width: 64, height: 64 });
  }, 60_000);

  it('is available in this build, whose shipped model is present', async () => {
    expect(await modeOf(videoGenOperation)).toEqual({ mode: 'text-to-video', available: true });
  });
});

/** Of the 4 prompts above, how many must have the prompt's object and background colour without the aid (bench:video-quality, model's own: colour 100 %, background 98 % of 50 held-out prompts). */
const MIN_COLOURED = 4;
/** Of the 4 prompts above, how many must move the right way (bench:video-quality, model's own: 100 % of 50 held-out prompts, no stage tokens). */
const MIN_MOVED = 4;
