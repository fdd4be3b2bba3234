import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  countDecodedFrames, cutSegment, findSilences, generateSampleVideo, probe, readAudioLevels, readFrames, resetTools,
  resolveTools, writeThumbnail, type SampleVideo,
} from '../src/media/index.js';
import { FramewrightError } from '../src/protocol/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fw-media-'));
let sample: SampleVideo;

beforeAll(async () => {
  sample = await generateSampleVideo(join(dir, 'sample.mp4'), { width: 192, height: 108, seconds: 6 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function failure(promise: Promise<unknown>): Promise<FramewrightError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(FramewrightError);
  return error as FramewrightError;
}

/** A 1-second mono WAV: a real media file without a video stream. */
function writeWav(path: string): void {
  const samples = 8000;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples * 2, 40);
  writeFileSync(path, Buffer.concat([header, Buffer.alloc(samples * 2)]));
}

/** The absolute path of a tool on PATH (what the system's `which` prints). */
function onPath(tool: string): string {
  const dirs = (process.env['PATH'] ?? '').split(delimiter);
  const found = dirs.map((d) => join(d, tool)).find((p) => existsSync(p));
  if (found === undefined) throw new Error(`${tool} is not on PATH`);
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('tool resolution', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetTools();
  });

  it('prefers FFMPEG_PATH / FFPROBE_PATH over PATH', async () => {
    const links = mkdtempSync(join(dir, 'links-'));
    symlinkSync(onPath('ffmpeg'), join(links, 'my-ffmpeg'));
    symlinkSync(onPath('ffprobe'), join(links, 'my-ffprobe'));
    process.env['FFMPEG_PATH'] = join(links, 'my-ffmpeg');
    process.env['FFPROBE_PATH'] = join(links, 'my-ffprobe');
    resetTools();
    const tools = await resolveTools();
    expect(tools.ffmpeg).toMatchObject({ path: join(links, 'my-ffmpeg'), source: 'env' });
    expect(tools.ffprobe).toMatchObject({ path: join(links, 'my-ffprobe'), source: 'env' });
    expect(tools.ffmpeg.version).toMatch(/\d/);
  });

  it('finds the ffprobe beside FFMPEG_PATH when FFPROBE_PATH is not set', async () => {
    const links = mkdtempSync(join(dir, 'pair-'));
    symlinkSync(onPath('ffmpeg'), join(links, 'ffmpeg'));
    symlinkSync(onPath('ffprobe'), join(links, 'ffprobe'));
    process.env['FFMPEG_PATH'] = join(links, 'ffmpeg');
    delete process.env['FFPROBE_PATH'];
    resetTools();
    const tools = await resolveTools();
    expect(tools.ffprobe).toMatchObject({ path: join(links, 'ffprobe'), source: 'env' });
  });

  it('uses PATH when no variable is set', async () => {
    delete process.env['FFMPEG_PATH'];
    delete process.env['FFPROBE_PATH'];
    resetTools();
    const tools = await resolveTools();
    expect(tools.ffmpeg).toMatchObject({ path: 'ffmpeg', source: 'path' });
  });

  it('falls back to the bundled binaries when PATH has none', async () => {
    delete process.env['FFMPEG_PATH'];
    delete process.env['FFPROBE_PATH'];
    process.env['PATH'] = mkdtempSync(join(dir, 'empty-path-'));
    resetTools();
    const tools = await resolveTools();
    expect(tools.ffmpeg.source).toBe('bundled');
    expect(tools.ffprobe.source).toBe('bundled');
    expect(tools.ffmpeg.path).toContain('@ffmpeg-installer');
  });

  it('reports a bogus FFMPEG_PATH in one line instead of silently using another ffmpeg', async () => {
    process.env['FFMPEG_PATH'] = '/nonexistent/ffmpeg';
    resetTools();
    const error = await failure(resolveTools());
    expect(error.code).toBe('FFMPEG_NOT_FOUND');
    expect(error.message).toContain('FFMPEG_PATH=/nonexistent/ffmpeg');
    expect(error.message).not.toContain('\n');
  });
});

describe('probe', () => {
  it('reports size, exact frame rate, frame count, duration and audio', async () => {
    const info = await probe(sample.path);
    expect(info).toMatchObject({ width: 192, height: 108, fps: { num: 25, den: 1 }, frameCount: sample.frameCount, codec: 'h264' });
    expect(info.durationSeconds).toBeCloseTo(6, 1);
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 48000 });
    expect(await countDecodedFrames(sample.path)).toBe(sample.frameCount);
  });

  it('gives one-line errors naming the file for bad inputs', async () => {
    const text = join(dir, 'notes.mp4');
    writeFileSync(text, 'this is not a video\n'.repeat(50));
    const empty = join(dir, 'empty.mp4');
    writeFileSync(empty, '');
    const truncated = join(dir, 'truncated.mp4');
    writeFileSync(truncated, readFileSync(sample.path).subarray(0, 3000));
    const wav = join(dir, 'sound.wav');
    writeWav(wav);
    const folder = join(dir, 'folder.mp4');
    mkdirSync(folder);
    const cases: Array<[string, string]> = [
      [join(dir, 'missing.mp4'), 'INPUT_NOT_FOUND'],
      [folder, 'INPUT_UNREADABLE'],
      [text, 'UNSUPPORTED_MEDIA'],
      [empty, 'UNSUPPORTED_MEDIA'],
      [truncated, 'UNSUPPORTED_MEDIA'],
      [wav, 'UNSUPPORTED_MEDIA'],
    ];
    for (const [path, code] of cases) {
      const error = await failure(probe(path));
      expect(error.code, path).toBe(code);
      expect(error.message).toContain(path);
      expect(error.message).not.toContain('\n');
    }
  });

  it('reads files whose names start with "-" or hold spaces, quotes and unicode', async () => {
    const odd = mkdtempSync(join(dir, 'odd names '));
    const names = ['-i.mp4', "clip 'quoted' \"x\" é 東京.mp4", '-y %d;rm.mp4'];
    for (const name of names) {
      const path = join(odd, name);
      copyFileSync(sample.path, path);
      // A relative path as a user would type it: it must not be read as an ffmpeg option.
      const info = await probe(relative(process.cwd(), path));
      expect(info.frameCount).toBe(sample.frameCount);
      const out = join(odd, `out ${name}`);
      await cutSegment(path, out, { startFrame: 3, endFrame: 13, fps: info.fps, mode: 'accurate' });
      expect(await countDecodedFrames(out)).toBe(10);
      const jpg = join(odd, `${name}.jpg`);
      await writeThumbnail(path, jpg, { frame: 5, fps: info.fps });
      expect(readFileSync(jpg).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
  });
});

describe('frame reader', () => {
  it('yields exactly frameCount frames of the analysis size', async () => {
    const info = await probe(sample.path);
    const frames = readFrames(sample.path, { width: 64, sourceWidth: info.width, sourceHeight: info.height });
    expect([frames.width, frames.height]).toEqual([64, 36]);
    let count = 0;
    for await (const frame of frames) {
      expect(frame.length).toBe(64 * 36 * 3);
      count++;
    }
    expect(count).toBe(sample.frameCount);
  });

  it('holds ffmpeg back while the consumer is busy (bounded memory)', async () => {
    const info = await probe(sample.path);
    const frames = readFrames(sample.path, { width: 64, sourceWidth: info.width, sourceHeight: info.height });
    let seen = 0;
    for await (const _ of frames) {
      if (++seen === 2) {
        await new Promise((r) => setTimeout(r, 1500));
        // Unbounded buffering would have let ffmpeg decode all 150 frames and exit by now.
        const pid = frames.pid();
        expect(pid).toBeDefined();
        expect(isAlive(pid!)).toBe(true);
        expect(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0]).toBe('S');
      }
    }
    expect(seen).toBe(sample.frameCount);
  });

  it('rejects a file cut off after its index (probe passes, the data ends early)', async () => {
    const cut = join(dir, 'cut-after-moov.mp4');
    const bytes = readFileSync(sample.path);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const info = await probe(cut);
    expect(info.frameCount).toBe(sample.frameCount);
    const reading = (async () => {
      for await (const _ of readFrames(cut, { width: 64, sourceWidth: info.width, sourceHeight: info.height }));
    })();
    const error = await failure(reading);
    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(error.message).toContain('truncated');
  });

  it('kills ffmpeg and rejects with CANCELLED when aborted', async () => {
    const info = await probe(sample.path);
    const controller = new AbortController();
    const frames = readFrames(sample.path, { width: 64, sourceWidth: info.width, sourceHeight: info.height, signal: controller.signal });
    let pid: number | undefined;
    const consume = (async () => {
      for await (const _ of frames) {
        pid = frames.pid();
        controller.abort();
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const error = await failure(consume);
    expect(error.code).toBe('CANCELLED');
    expect(pid).toBeDefined();
    expect(isAlive(pid!)).toBe(false);
  });
});

describe('audio, segments and thumbnails', () => {
  it('finds the silent second of the sample', async () => {
    const levels = await readAudioLevels(sample.path);
    const silences = findSilences(levels, -50, 0.5);
    expect(silences).toHaveLength(1);
    expect(silences[0]!.startSeconds).toBeCloseTo(sample.silence.startSeconds, 1);
    expect(silences[0]!.endSeconds).toBeCloseTo(sample.silence.endSeconds, 1);
  });

  it('cuts frame-exact segments in smart and accurate mode and keyframe-aligned ones in copy mode', async () => {
    const info = await probe(sample.path);
    const accurate = join(dir, 'accurate.mp4');
    expect(await cutSegment(sample.path, accurate, { startFrame: 37, endFrame: 81, fps: info.fps, mode: 'accurate' }))
      .toEqual({ startFrame: 37, endFrame: 81, reencodedFrames: 44, mode: 'accurate' });
    expect(await countDecodedFrames(accurate)).toBe(44);
    const smart = join(dir, 'smart.mp4');
    expect(await cutSegment(sample.path, smart, { startFrame: 37, endFrame: 81, fps: info.fps, mode: 'smart' }))
      .toMatchObject({ startFrame: 37, endFrame: 81, mode: 'smart' });
    expect(await countDecodedFrames(smart)).toBe(44);
    const copy = join(dir, 'copy.mp4');
    const copied = await cutSegment(sample.path, copy, { startFrame: 37, endFrame: 81, fps: info.fps, mode: 'copy' });
    expect(copied).toMatchObject({ startFrame: 0, reencodedFrames: 0, mode: 'copy' });
    expect(copied.endFrame).toBeGreaterThanOrEqual(81);
    expect(await countDecodedFrames(copy)).toBe(copied.endFrame);
  });

  it('starts an accurate segment on exactly its first frame', async () => {
    const info = await probe(sample.path);
    const gray = async (path: string, count: number) => {
      const frames: Uint8Array[] = [];
      for await (const f of readFrames(path, { width: 64, sourceWidth: info.width, sourceHeight: info.height, pixelFormat: 'gray' })) {
        frames.push(f.slice());
        if (frames.length === count) break;
      }
      return frames;
    };
    const distance = (a: Uint8Array, b: Uint8Array) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0);
    const source = await gray(sample.path, 13);
    const out = join(dir, 'first-frame.mp4');
    await cutSegment(sample.path, out, { startFrame: 10, endFrame: 20, fps: info.fps, mode: 'accurate' });
    const [first] = await gray(out, 1);
    const distances = [9, 10, 11].map((i) => distance(first!, source[i]!));
    expect(distances.indexOf(Math.min(...distances))).toBe(1);
  });

  it('leaves nothing behind when a cut fails or is cancelled', async () => {
    const info = await probe(sample.path);
    const out = mkdtempSync(join(dir, 'atomic-'));
    const controller = new AbortController();
    controller.abort();
    const cancelled = await failure(cutSegment(sample.path, join(out, 'c.mp4'), { startFrame: 0, endFrame: 50, fps: info.fps, mode: 'accurate', signal: controller.signal }));
    expect(cancelled.code).toBe('CANCELLED');
    const bad = await failure(cutSegment(sample.path, join(out, 'c.unknownext'), { startFrame: 0, endFrame: 50, fps: info.fps, mode: 'accurate' }));
    expect(bad.code).toBe('FFMPEG_FAILED');
    expect(readdirSync(out)).toEqual([]);
  });
});
