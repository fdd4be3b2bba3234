import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { runOperation } from '../src/engine/index.js';
import { countDecodedFrames } from '../src/media/index.js';
import { decodeRgbFrames, drawBox, probeStreams, psnr, redCentre, tempDir, type BoxPicture } from './helpers/video-gen.js';

// A 24-px red box moves K pixels right between two keyframes; with N in-betweens the truth of
// in-between j is the box moved j·K/(N+1) pixels.
const W = 192;
const H = 108;
const K = 16;
const N = 3;
const at = (dx: number): BoxPicture => ({ width: W, height: H, x: 48 + dx, y: 40, box: 24 });

let dir: string;
let keyframes: string[];
/** The truth: the picture with the box moved `dx` pixels, drawn and decoded like the keyframes. */
const truth = new Map<number, Uint8Array>();

beforeAll(async () => {
  dir = tempDir('fw-video-gen-');
  keyframes = [await drawBox(dir, 'a', at(0)), await drawBox(dir, 'b', at(K))];
  for (let j = 0; j <= N + 1; j++) {
    const dx = (j * K) / (N + 1);
    truth.set(dx, (await decodeRgbFrames(await drawBox(dir, `truth-${j}`, at(dx)), W, H))[0]!);
  }
});

async function interpolate(interpolation: 'motion' | 'blend', format: 'png-sequence' | 'mp4', out: string) {
  return runOperation('video-gen', { mode: 'interpolate', keyframes, frames: N + 2, fps: 8, interpolation, format, outputDir: join(dir, out) });
}

describe('video-gen interpolate', () => {
  it('motion-compensated in-betweens put the box within 1 px of its true place; PSNR against the truth is reported', async () => {
    const result = await interpolate('motion', 'png-sequence', 'motion');
    expect(result).toMatchObject({ frames: 5, fps: 8, width: W, height: H, durationSeconds: 5 / 8, warnings: [] });
    const frames = await decodeRgbFrames(join(result.path, 'frame-%05d.png'), W, H);
    expect(frames).toHaveLength(5);
    const truthCentre = (j: number) => 48 + 12 + (j * K) / (N + 1) - 0.5;
    const scores: string[] = [];
    for (let j = 1; j <= N; j++) {
      const centre = redCentre(frames[j]!, W);
      expect(Math.abs(centre.x - truthCentre(j)), `in-between ${j}: centre ${centre.x}`).toBeLessThanOrEqual(1);
      expect(Math.abs(centre.y - (40 + 11.5))).toBeLessThanOrEqual(1);
      scores.push(`${psnr(frames[j]!, truth.get((j * K) / (N + 1))!).toFixed(2)} dB (centre error ${Math.abs(centre.x - truthCentre(j)).toFixed(2)} px)`);
    }
    console.info(`motion interpolation, ${K} px move, ${N} in-betweens: PSNR vs truth ${scores.join(', ')}`);
    expect(psnr(frames[2]!, truth.get(K / 2)!)).toBeGreaterThan(30);
  }, 60_000);

  it('blend in-betweens are exactly (1-t)·A + t·B, rounded; PSNR against the moved box is reported', async () => {
    const result = await interpolate('blend', 'png-sequence', 'blend');
    const frames = await decodeRgbFrames(join(result.path, 'frame-%05d.png'), W, H);
    const a = frames[0]!;
    const b = frames[4]!;
    expect(psnr(a, truth.get(0)!)).toBe(Number.POSITIVE_INFINITY);
    expect(psnr(b, truth.get(K)!)).toBe(Number.POSITIVE_INFINITY);
    const scores: string[] = [];
    for (let j = 1; j <= N; j++) {
      const t = j / (N + 1);
      const expected = a.map((v, i) => Math.round(v + (b[i]! - v) * t));
      expect(Buffer.from(frames[j]!).equals(Buffer.from(expected)), `in-between ${j}`).toBe(true);
      scores.push(`${psnr(frames[j]!, truth.get((j * K) / (N + 1))!).toFixed(2)} dB`);
    }
    console.info(`blend interpolation, ${K} px move, ${N} in-betweens: PSNR vs truth ${scores.join(', ')}`);
  }, 60_000);

  it('writes an H.264 yuv420p MP4 with exactly the frames, rate and size asked for, and the moved box in the middle', async () => {
    const result = await interpolate('motion', 'mp4', 'mp4');
    expect(result.path).toBe(join(dir, 'mp4', 'interpolate.mp4'));
    expect(result.files).toEqual([result.path]);
    expect(await countDecodedFrames(result.path)).toBe(5);
    const [video] = await probeStreams(result.path);
    expect(video).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', width: W, height: H, r_frame_rate: '8/1' });
    const frames = await decodeRgbFrames(result.path, W, H);
    expect(Math.abs(redCentre(frames[2]!, W).x - (48 + 12 + K / 2 - 0.5))).toBeLessThanOrEqual(1);
  }, 60_000);

  it('interpolates across three keyframes with the in-betweens of every gap', async () => {
    const third = await drawBox(dir, 'c', at(2 * K));
    const result = await runOperation('video-gen', { mode: 'interpolate', keyframes: [...keyframes, third], frames: 5, fps: 25, interpolation: 'blend', outputDir: join(dir, 'three') });
    expect(result.frames).toBe(5);
    expect(await countDecodedFrames(result.path)).toBe(5);
  }, 60_000);

  it('frames is the video\'s frame count: keyframes spread evenly, keyframe i at round(i·(frames−1)/(keyframes−1)), uneven gaps differ by one', async () => {
    const third = await drawBox(dir, 'c2', at(2 * K));
    const three = [...keyframes, third];
    for (const interpolation of ['flow', 'blend'] as const) {
      const result = await runOperation('video-gen', { mode: 'interpolate', keyframes: three, frames: 6, interpolation, format: 'png-sequence', outputDir: join(dir, `spread-${interpolation}`) });
      expect(result.frames).toBe(6);
      const frames = await decodeRgbFrames(join(result.path, 'frame-%05d.png'), W, H);
      expect(frames).toHaveLength(6);
      // Keyframes at 0, round(2.5) = 3 and 5: gaps of 3 and 2 frames.
      expect(psnr(frames[0]!, truth.get(0)!)).toBe(Number.POSITIVE_INFINITY);
      expect(psnr(frames[3]!, truth.get(K)!)).toBe(Number.POSITIVE_INFINITY);
      expect(Math.abs(redCentre(frames[5]!, W).x - (48 + 12 + 2 * K - 0.5))).toBeLessThanOrEqual(0.5);
      if (interpolation === 'blend') {
        const a = frames[0]!;
        const b = frames[3]!;
        expect(Buffer.from(frames[1]!).equals(Buffer.from(a.map((v, i) => Math.round(v + (b[i]! - v) / 3))))).toBe(true);
      }
    }
  }, 60_000);

  it('refuses fewer frames than keyframes, and counts minterpolate cannot spread evenly, in one line naming frames', async () => {
    const three = [keyframes[0]!, keyframes[1]!, keyframes[0]!];
    await expect(runOperation('video-gen', { mode: 'interpolate', keyframes: three, frames: 2, outputDir: join(dir, 'few') })).rejects.toMatchObject({
      code: 'INVALID_PARAMS', pointer: '/frames', message: 'interpolate with 3 keyframes needs at least 3 frames (one per keyframe), got 2',
    });
    await expect(runOperation('video-gen', { mode: 'interpolate', keyframes: three, frames: 6, interpolation: 'motion', outputDir: join(dir, 'uneven') })).rejects.toMatchObject({
      code: 'INVALID_PARAMS', pointer: '/frames',
      message: 'interpolation "motion" (minterpolate) needs equal gaps: frames − 1 must be a multiple of 2 with 3 keyframes (e.g. 5 or 7, not 6); flow, blend and model take any count',
    });
    const motion = await runOperation('video-gen', { mode: 'interpolate', keyframes: three, frames: 7, interpolation: 'motion', outputDir: join(dir, 'even') });
    expect(motion.frames).toBe(7);
    expect(await countDecodedFrames(motion.path)).toBe(7);
  }, 60_000);

  it('resizes keyframes of another size to the first one and says so', async () => {
    const small = await drawBox(dir, 'small', { width: 96, height: 54, x: 30, y: 20, box: 12 });
    const result = await runOperation('video-gen', { mode: 'interpolate', keyframes: [keyframes[0]!, small], frames: 4, fps: 10, interpolation: 'blend', outputDir: join(dir, 'sizes') });
    expect(result).toMatchObject({ width: W, height: H, frames: 4 });
    expect(result.warnings).toEqual([`keyframe 2 (small.png) is 96x54, not ${W}x${H} like the first: resized to ${W}x${H}`]);
    const [video] = await probeStreams(result.path);
    expect(video).toMatchObject({ width: W, height: H });
  }, 60_000);

  it('bridges two clips: from the last frame of the first to the first frame of the second, and says so', async () => {
    const clip = async (name: string, first: string, last: string) => {
      const path = join(dir, `${name}.mp4`);
      await promisify(execFile)('ffmpeg', [
        '-hide_banner', '-loglevel', 'error', '-y',
        '-f', 'lavfi', '-i', `color=c=${first}:s=${W}x${H}:r=10:d=1`, '-f', 'lavfi', '-i', `color=c=${last}:s=${W}x${H}:r=10:d=1`,
        '-filter_complex', '[0][1]concat=n=2:v=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', path,
      ]);
      return path;
    };
    const a = await clip('clip-a', 'blue', 'red');
    const b = await clip('clip-b', 'lime', 'yellow');
    const result = await runOperation('video-gen', { mode: 'interpolate', keyframes: [a, b], frames: 3, interpolation: 'blend', format: 'png-sequence', outputDir: join(dir, 'clips') });
    expect(result.warnings).toEqual(['keyframe 1 (clip-a.mp4) is a video: its last frame is used', 'keyframe 2 (clip-b.mp4) is a video: its first frame is used']);
    const mean = (f: Uint8Array, c: number) => f.filter((_, i) => i % 3 === c).reduce((p, v) => p + v, 0) / (f.length / 3);
    const [first, middle, last] = await decodeRgbFrames(join(result.path, 'frame-%05d.png'), W, H);
    expect(mean(first!, 0)).toBeGreaterThan(230);
    expect(mean(first!, 1)).toBeLessThan(25);
    expect(mean(last!, 1)).toBeGreaterThan(230);
    expect(mean(last!, 0)).toBeLessThan(25);
    expect(Math.abs(mean(middle!, 0) - 128)).toBeLessThan(10);
  }, 60_000);

  it('refuses one keyframe, and more frames than a video may have, before writing anything', async () => {
    const out = join(dir, 'refused');
    await expect(runOperation('video-gen', { mode: 'interpolate', keyframes: [keyframes[0]!], outputDir: out })).rejects.toMatchObject({ code: 'INVALID_PARAMS', pointer: '/keyframes' });
    // More frames than a video may have is the schema's to refuse (frames ≤ 10000), before the op runs.
    await expect(runOperation('video-gen', { mode: 'interpolate', keyframes, frames: 10001, outputDir: out })).rejects.toMatchObject({ code: 'INVALID_PARAMS', pointer: '/frames' });
    // Not even the output folder: the run made it, so it went with the rest.
    expect(existsSync(out)).toBe(false);
  });
});
