import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runOperation } from '../src/engine/index.js';
import type { VideoGenParams } from '../src/protocol/index.js';
import { createVideoGenOperation, type VideoGenerator } from '../src/ops/video-gen/index.js';
import { OPERATION_REGISTRY } from '../src/ops/index.js';
import type { VideoGenProgress } from '../src/protocol/index.js';
import { countDecodedFrames } from '../src/media/index.js';
import { easeInOut } from '../src/ops/video-gen/frames.js';
import { decodeRgbFrames, drawBox, liveFfmpegChildren, makeTone, probeStreams, redCentre, tempDir } from './helpers/video-gen.js';

const espeakMissing = spawnSync('espeak-ng', ['--version']).error !== undefined;
if (espeakMissing) console.warn('skipping the narration test: espeak-ng is not installed (apt-get install espeak-ng)');

let dir: string;
let still: string;

beforeAll(async () => {
  dir = tempDir('fw-video-gen-out-');
  still = await drawBox(dir, 'still', { width: 640, height: 360, x: 300, y: 160, box: 40 });
});

// Loosely typed on purpose: the tests vary one field at a time; the engine validates at run time.
const i2v = (extra: Record<string, unknown>): VideoGenParams => ({ mode: 'image-to-video', image: still, frames: 12, fps: 12, width: 128, height: 72, ...extra }) as VideoGenParams;

describe('video-gen image-to-video and output formats', () => {
  it.each([
    ['mp4', 'h264', 'yuv420p', '.mp4'],
    ['prores', 'prores', 'yuv422p10le', '.mov'],
  ] as const)('%s: exact frame count, rate and size, checked by ffprobe', async (format, codec, pixFmt, ext) => {
    const result = await runOperation('video-gen', { ...i2v({ format, fps: 29.97 }), outputDir: join(dir, format) });
    expect(result).toMatchObject({ path: join(dir, format, `image-to-video${ext}`), frames: 12, width: 128, height: 72, warnings: [] });
    expect(result.fps).toBeCloseTo(30000 / 1001, 9);
    expect(result.durationSeconds).toBeCloseTo((12 * 1001) / 30000, 9);
    expect(await countDecodedFrames(result.path)).toBe(12);
    const [video] = await probeStreams(result.path);
    expect(video).toMatchObject({ codec_name: codec, pix_fmt: pixFmt, width: 128, height: 72, r_frame_rate: '30000/1001' });
  }, 60_000);

  it('png-sequence: a folder with one PNG per frame, numbered from 1', async () => {
    const result = await runOperation('video-gen', { ...i2v({ format: 'png-sequence', frames: 7 }), outputDir: join(dir, 'png') });
    expect(result.path).toBe(join(dir, 'png', 'image-to-video'));
    expect(await readdir(result.path)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `frame-0000${n}.png`));
    expect(result.files).toEqual((await readdir(result.path)).map((n) => join(result.path, n)));
    const frames = await decodeRgbFrames(join(result.path, 'frame-%05d.png'), 128, 72);
    expect(frames).toHaveLength(7);
  }, 60_000);

  it('pan-right slides the picture left along the eased path, without jitter', async () => {
    const count = 15;
    const result = await runOperation('video-gen', { ...i2v({ motion: 'pan-right', frames: count, format: 'png-sequence' }), outputDir: join(dir, 'pan') });
    const xs = (await decodeRgbFrames(join(result.path, 'frame-%05d.png'), 128, 72)).map((f) => redCentre(f, 128).x);
    const steps = xs.slice(1).map((x, i) => x - xs[i]!);
    expect(steps.every((s) => s < 0), `steps ${steps.map((s) => s.toFixed(2)).join(' ')}`).toBe(true);
    // The box must sit on a + b·ease(t): fit a and b by least squares; what is left is jitter.
    const e = xs.map((_, i) => easeInOut(i / (count - 1)));
    const mean = (v: number[]) => v.reduce((p, q) => p + q, 0) / v.length;
    const [me, mx] = [mean(e), mean(xs)];
    const b = e.reduce((p, ei, i) => p + (ei - me) * (xs[i]! - mx), 0) / e.reduce((p, ei) => p + (ei - me) ** 2, 0);
    const residuals = xs.map((x, i) => Math.abs(x - (mx + b * (e[i]! - me))));
    console.info(`pan-right: travel ${(-b).toFixed(1)} px over ${count} frames, largest deviation from the eased path ${Math.max(...residuals).toFixed(3)} px`);
    expect(Math.max(...residuals)).toBeLessThan(0.3);
  }, 60_000);

  it('sends a progress event per batch of encoded frames, ending at all of them', async () => {
    const events: VideoGenProgress[] = [];
    await runOperation('video-gen', { ...i2v({ frames: 48 }), outputDir: join(dir, 'progress') }, { onProgress: (p) => events.push(p) });
    const encode = events.filter((e) => e.stage === 'encode');
    expect(encode.length).toBeGreaterThan(0);
    expect(encode.at(-1)).toMatchObject({ frame: 48, totalFrames: 48 });
    expect(events.at(-1)).toMatchObject({ stage: 'write', fraction: 1 });
    const fractions = events.map((e) => e.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  }, 60_000);
});

describe('video-gen tracks', () => {
  it('a tone audio track lasts as long as the video; soft subtitles are a mov_text stream and an SRT beside it', async () => {
    const result = await runOperation('video-gen', { ...i2v({ frames: 24, audio: { kind: 'tone', frequency: 880 }, subtitles: { text: 'A red box' } }), outputDir: join(dir, 'tone') });
    const streams = await probeStreams(result.path);
    expect(streams.map((s) => s.codec_type)).toEqual(['video', 'audio', 'subtitle']);
    expect(Math.abs(Number(streams[1]!.duration) - 2)).toBeLessThan(0.03);
    expect(streams[2]).toMatchObject({ codec_name: 'mov_text' });
    const srt = join(dir, 'tone', 'image-to-video.srt');
    expect(result.files).toEqual([result.path, srt]);
    expect(await readFile(srt, 'utf8')).toBe('1\n00:00:00,000 --> 00:00:02,000\nA red box\n');
  }, 60_000);

  it('a short interpolation with a tone keeps its exact frame count (no last-frame duplicates to fill the audio)', async () => {
    const other = await drawBox(dir, 'still-moved', { width: 640, height: 360, x: 340, y: 160, box: 40 });
    const result = await runOperation('video-gen', {
      mode: 'interpolate', keyframes: [still, other], frames: 9, fps: 24, audio: { kind: 'tone' }, outputDir: join(dir, 'short-tone'),
    });
    expect(result.frames).toBe(9);
    expect(await countDecodedFrames(result.path)).toBe(9);
    const streams = await probeStreams(result.path);
    expect(Math.abs(Number(streams[1]!.duration) - 9 / 24)).toBeLessThan(0.03);
  }, 60_000);

  it('burned subtitles change the picture and add no subtitle stream', async () => {
    const size = { motion: 'zoom-in', format: 'png-sequence', frames: 2, width: 256, height: 144 };
    const plain = await runOperation('video-gen', { ...i2v(size), outputDir: join(dir, 'plain') });
    const burned = await runOperation('video-gen', { ...i2v({ ...size, subtitles: { text: 'HELLO', burn: true } }), outputDir: join(dir, 'burned') });
    const [a] = await decodeRgbFrames(join(plain.path, 'frame-%05d.png'), 256, 144);
    const [b] = await decodeRgbFrames(join(burned.path, 'frame-%05d.png'), 256, 144);
    let changed = 0;
    for (let i = 0; i < a!.length; i += 3) if (Math.abs(a![i]! - b![i]!) + Math.abs(a![i + 1]! - b![i + 1]!) > 60) changed++;
    // The lower part carries the text; the rest of the picture is untouched.
    expect(changed).toBeGreaterThan(100);
    expect(Buffer.from(a!.subarray(0, 256 * 3 * 72)).equals(Buffer.from(b!.subarray(0, 256 * 3 * 72)))).toBe(true);
    expect(burned.files.every((f) => f.endsWith('.png'))).toBe(true);
  }, 60_000);

  it('a user audio file longer than the video is trimmed to it, with a note', async () => {
    const tone = await makeTone(dir, 'long.wav', 5);
    const trimmed = await runOperation('video-gen', { ...i2v({ audio: { kind: 'file', path: tone } }), outputDir: join(dir, 'file-audio') });
    expect(trimmed.warnings).toEqual([`audio file ${tone} is 5.00 s long: trimmed to the 1.00 s video`]);
    const [video, audio] = await probeStreams(trimmed.path);
    expect(Math.abs(Number(audio!.duration) - Number(video!.duration))).toBeLessThan(0.03);
  }, 60_000);

  // .ci/run installs espeak-ng (test/system-tools.test.ts fails under CI when it is missing).
  it.skipIf(espeakMissing)('narration is spoken by espeak-ng, as long as the video', async () => {
    const narrated = await runOperation('video-gen', { ...i2v({ frames: 36, audio: { kind: 'narration' }, subtitles: { text: 'Hello' } }), outputDir: join(dir, 'narration') });
    const [video, audio] = await probeStreams(narrated.path);
    expect(Math.abs(Number(audio!.duration) - Number(video!.duration))).toBeLessThan(0.03);
  }, 60_000);

  it('png-sequence keeps its audio as audio.wav in the folder', async () => {
    const result = await runOperation('video-gen', { ...i2v({ format: 'png-sequence', frames: 3, audio: { kind: 'silence' } }), outputDir: join(dir, 'png-audio') });
    expect(result.files.map((f) => f.slice(result.path.length + 1))).toEqual(['frame-00001.png', 'frame-00002.png', 'frame-00003.png', 'audio.wav']);
  }, 60_000);
});

describe('video-gen text-to-video', () => {
  it('fails clearly without a video model, and writes nothing', async () => {
    const out = join(dir, 'no-model');
    const registry = { ...OPERATION_REGISTRY, 'video-gen': createVideoGenOperation() }; // a build without the built-in video model
    await expect(runOperation('video-gen', { mode: 'text-to-video', prompt: 'a red circle moves right', outputDir: out }, { registry })).rejects.toMatchObject({
      code: 'OPERATION_UNAVAILABLE',
      message: 'text-to-video needs the built-in video model, which is not in this build',
    });
    // The run made the folder, so removing what it made removes the folder too.
    expect(existsSync(out)).toBe(false);
  });

  it('encodes what a plugged-in generator makes, resized to the size asked for', async () => {
    const seen: unknown[] = [];
    const generator: VideoGenerator = {
      name: 'solid colours',
      generate: async (request) => {
        seen.push({ prompt: request.prompt, frames: request.frames, seed: request.seed });
        request.onStep(1, 1);
        return { frames: Array.from({ length: request.frames }, (_, i) => ({ width: 32, height: 32, rgb: new Uint8Array(32 * 32 * 3).fill(i * 20) })), warnings: ['a note on the prompt'] };
      },
    };
    const registry = { ...OPERATION_REGISTRY, 'video-gen': createVideoGenOperation({ textToVideo: generator }) };
    const result = await runOperation('video-gen', { mode: 'text-to-video', prompt: 'grey ramp', frames: 8, seed: 3, width: 64, height: 48, outputDir: join(dir, 't2v') }, { registry });
    expect(seen).toEqual([{ prompt: 'grey ramp', frames: 8, seed: 3 }]);
    expect(result).toMatchObject({ frames: 8, width: 64, height: 48 });
    expect(result.warnings).toContain('a note on the prompt');
    const [video] = await probeStreams(result.path);
    expect(video).toMatchObject({ width: 64, height: 48 });
    expect(await countDecodedFrames(result.path)).toBe(8);
  }, 60_000);
});

describe('video-gen bad input', () => {
  const out = () => join(dir, 'bad');
  const fails = (params: Record<string, unknown>) => runOperation('video-gen', { ...params, outputDir: out() } as VideoGenParams);

  it.each([
    ['frames = 0', { frames: 0 }, '/frames'],
    ['frames = 100000', { frames: 100000 }, '/frames'],
    ['fps = 0', { fps: 0 }, '/fps'],
    ['fps < 0', { fps: -24 }, '/fps'],
  ])('%s is refused with INVALID_PARAMS naming the field', async (_name, extra, pointer) => {
    await expect(fails(i2v(extra))).rejects.toMatchObject({ code: 'INVALID_PARAMS', pointer });
  });

  it('an unreadable or missing audio file, and an SRT with broken timings, are clear errors; the output folder stays empty', async () => {
    const notAudio = join(dir, 'notes.mp3');
    await writeFile(notAudio, 'these are not sound waves');
    await expect(fails(i2v({ audio: { kind: 'file', path: notAudio } }))).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA', message: expect.stringContaining(`not a readable audio file: ${notAudio}`) as unknown });
    await expect(fails(i2v({ audio: { kind: 'file', path: join(dir, 'gone.wav') } }))).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
    const broken = join(dir, 'broken.srt');
    await writeFile(broken, '1\n00:00:00,000 --> 00:00:01,000\nfine\n\n2\n00:00:03,000 --> 00:00:02,000\nends before it starts\n');
    await expect(fails(i2v({ subtitles: { file: broken } }))).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      message: `subtitles file ${broken} line 6: cue ends (00:00:02,000) before or when it starts (00:00:03,000)`,
    });
    await writeFile(broken, '1\n00:00:0,000 --> 00:00:01,000\none-digit seconds\n');
    await expect(fails(i2v({ subtitles: { file: broken } }))).rejects.toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringMatching(/line 2: malformed timing/) as unknown });
    await expect(fails(i2v({ image: join(dir, 'missing.png') }))).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
    await expect(fails({ mode: 'image-to-video', image: notAudio })).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA' });
    expect(existsSync(out())).toBe(false);
  }, 60_000);

  it('cancelling mid-encode kills ffmpeg and leaves no partial file', async () => {
    const controller = new AbortController();
    const target = join(dir, 'cancel');
    let encoders: number[] = [];
    const run = runOperation('video-gen', { ...i2v({ frames: 2000, width: 640, height: 360 }), outputDir: target }, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'encode' && (p.frame ?? 0) > 0 && !controller.signal.aborted) {
          encoders = liveFfmpegChildren();
          controller.abort();
        }
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(encoders.length).toBeGreaterThan(0);
    expect(liveFfmpegChildren().filter((pid) => encoders.includes(pid))).toEqual([]);
    expect(existsSync(target)).toBe(false);
  }, 60_000);
});
