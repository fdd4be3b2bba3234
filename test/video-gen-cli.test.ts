// `framewright video-gen` end to end in-process (main() with captured streams, real ffmpeg): the
// --json result contract for each mode, and bad input failing with one line, its exit code and
// nothing written.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../packages/core/src/cli/main.js';
import { captureIo } from './helpers/cli.js';
import { countFrames, tempDir } from './helpers/media.js';

const espeakMissing = spawnSync('espeak-ng', ['--version']).error !== undefined;
if (espeakMissing) console.warn('skipping the doctor speech test: espeak-ng is not installed (apt-get install espeak-ng)');

const run = promisify(execFile);
let dir: string;

async function picture(name: string, size: string, colour: string): Promise<string> {
  const path = join(dir, name);
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${colour}:s=${size},drawbox=x=10:y=10:w=20:h=20:color=white:t=fill`, '-frames:v', '1', path]);
  return path;
}

beforeAll(async () => {
  dir = tempDir('fw-cli-video-gen-');
  await picture('a.png', '160x90', 'navy');
  await picture('b.png', '160x90', 'teal');
  await picture('odd.png', '120x80', 'maroon');
});

async function videoGen(args: string[]) {
  const io = captureIo(dir);
  const code = await main(['video-gen', ...args], io);
  return { code, out: io.out, err: io.err };
}

describe('framewright video-gen --json', () => {
  it('interpolate: prints the result object; the MP4 has the frames it says', async () => {
    const { code, out, err } = await videoGen(['--mode', 'interpolate', '--keyframes', 'a.png,b.png', '--frames', '6', '--fps', '10', '--out', 'interp', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(out) as Record<string, unknown>;
    expect(result).toEqual({
      path: join(dir, 'interp', 'interpolate.mp4'), frames: 6, fps: 10, width: 160, height: 90, durationSeconds: 0.6, warnings: [],
      files: [join(dir, 'interp', 'interpolate.mp4')],
    });
    expect(await countFrames(result['path'] as string)).toBe(6);
  }, 60_000);

  it('image-to-video with ken-burns, tone audio and burned subtitles, as ProRes', async () => {
    const { code, out } = await videoGen([
      '--mode', 'image-to-video', '--image', 'a.png', '--motion', 'ken-burns', '--frames', '12', '--fps', '24', '--width', '128', '--height', '72',
      '--audio', 'tone', '--subtitles', 'Hello', '--burn-subtitles', '--format', 'prores', '--out', 'kb', '--json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ path: join(dir, 'kb', 'image-to-video.mov'), frames: 12, fps: 24, width: 128, height: 72, durationSeconds: 0.5 });
  }, 60_000);

  it('text-to-video on the built-in model prints the result object', async () => {
    const { code, out } = await videoGen([
      '--mode', 'text-to-video', '--prompt', 'a red circle moves from left to right on a blue background',
      '--frames', '16', '--fps', '8', '--width', '128', '--height', '128', '--seed', '3', '--out', 't2v', '--json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ path: join(dir, 't2v', 'text-to-video.mp4'), frames: 16, fps: 8, width: 128, height: 128, durationSeconds: 2 });
    expect(await countFrames(join(dir, 't2v', 'text-to-video.mp4'))).toBe(16);
  }, 60_000);
});

describe('framewright video-gen bad input: one line, its exit code, nothing written', () => {
  it.each([
    ['one keyframe', ['--mode', 'interpolate', '--keyframes', 'a.png'], 2, /--keyframes needs at least two pictures, comma-separated; got 1/],
    ['frames = 0', ['--mode', 'image-to-video', '--image', 'a.png', '--frames', '0'], 2, /^framewright: video-gen: --frames must be >= 1/],
    ['frames = 100000', ['--mode', 'image-to-video', '--image', 'a.png', '--frames', '100000'], 2, /^framewright: video-gen: --frames must be <= 10000/],
    ['fps = 0', ['--mode', 'image-to-video', '--image', 'a.png', '--fps', '0'], 2, /^framewright: video-gen: --fps must be > 0/],
    ['an odd width', ['--mode', 'image-to-video', '--image', 'a.png', '--width', '101'], 2, /--width must be multiple of 2/],
    ['a missing keyframe', ['--mode', 'interpolate', '--keyframes', 'a.png,nope.png'], 3, /input not found: .*nope\.png/],
    ['an unreadable audio file', ['--mode', 'image-to-video', '--image', 'a.png', '--audio', 'notes.wav'], 4, /not a readable audio file: .*notes\.wav/],
    ['an SRT with broken timings', ['--mode', 'image-to-video', '--image', 'a.png', '--subtitles', 'broken.srt'], 2, /broken\.srt line 2: cue ends \(00:00:01,000\) before or when it starts \(00:00:02,000\)/],
    ['no mode', ['--image', 'a.png'], 2, /--mode is required/],
  ])('%s', async (_what, args, exitCode, message) => {
    writeFileSync(join(dir, 'notes.wav'), 'not audio at all');
    writeFileSync(join(dir, 'broken.srt'), '1\n00:00:02,000 --> 00:00:01,000\nbackwards\n');
    const out = join(dir, `bad-${Math.random().toString(36).slice(2)}`);
    const { code, out: stdout, err } = await videoGen([...args, '--out', out, '--json']);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err).toMatch(message);
    expect(code).toBe(exitCode);
    expect(JSON.parse(stdout)).toMatchObject({ error: { code: expect.any(String) as unknown } });
    expect(existsSync(out)).toBe(false);
  }, 30_000);

  it('resizes a keyframe of another size to the first and prints the note', async () => {
    const { code, out } = await videoGen(['--mode', 'interpolate', '--keyframes', 'a.png,odd.png', '--frames', '3', '--interpolation', 'blend', '--out', 'sizes']);
    expect(code).toBe(0);
    expect(out).toBe(`interpolate.mp4: 3 frames at 24 fps, 160x90, 0.13 s\nnote: keyframe 2 (odd.png) is 120x80, not 160x90 like the first: resized to 160x90\n`);
  }, 60_000);
});

describe('framewright doctor', () => {
  // .ci/run installs espeak-ng (test/system-tools.test.ts fails under CI when it is missing).
  it.skipIf(espeakMissing)('says whether espeak-ng (narration) is installed, and which video-gen modes run', async () => {
    const found = captureIo(dir);
    await main(['doctor', '--json'], found);
    const report = JSON.parse(found.out) as { speech: unknown; operations: { op: string; modes?: unknown }[] };
    expect(report.speech).toMatchObject({ espeakNg: { installed: true, version: expect.stringMatching(/^\d+\.\d+/) as unknown } });
    expect(report.operations.find((o) => o.op === 'video-gen')?.modes).toContainEqual({ mode: 'text-to-video', available: true });
    const missing = captureIo(dir, { env: { ESPEAK_NG_PATH: join(dir, 'no-espeak-ng') } });
    await main(['doctor'], missing);
    expect(missing.out).toContain(`MISSING espeak-ng (${join(dir, 'no-espeak-ng')} not found): narration is unavailable`);
  }, 60_000);
});
