// Clip files you can trust: the default (smart) mode writes exactly the frames of the cut list on
// footage encoded as cameras and OBS do (a keyframe every 250 frames, B-frames, keyframes not at
// the cuts), re-encoding only next to the cuts, with the audio starting on the first frame; copy
// mode says which frames its keyframe-aligned files really hold; a codec smart cut cannot match
// falls back to re-encoding with a warning. All media is made here with ffmpeg.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDecodedFrames, CutLayout, FrameTimeline, type VideoPackets } from '../src/media/index.js';
import { clipCutOperation } from '../src/ops/clip-cut/index.js';
import { ClipCutResultSchema, findSchemaProblem, type ClipCutParams, type ClipCutResult } from '../src/protocol/index.js';
import {
  beepAfter, difference, firstBeep, grayFrames, keyframesOf, makeLongGop, reencodeLongGop, streamStarts, type LongGopVideo,
} from './helpers/long-gop-media.js';
import { makeRateShots, probeFrameTimes, type VfrVideo } from './helpers/vfr-media.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'fw-clip-cut-smart-'));
const LIFE = 'life=mold=10:ratio=0.2:seed=7:death_color=#203040:life_color=#e0c080';
let long: LongGopVideo;
let mpeg4: LongGopVideo;
let ts: LongGopVideo;
let vfr: VfrVideo;
let vfrPath: string;

beforeAll(async () => {
  vfrPath = join(root, 'vfr long gop.mp4');
  [long, mpeg4, ts, vfr] = await Promise.all([
    // Keyframes at 0, 250, 500, 750, 1000, 1250; the clips are re-encoded whole (A, B, E), copied
    // then re-encoded (C), re-encoded, copied, re-encoded (D), copied whole (F).
    makeLongGop(join(root, 'long gop.mp4'), [
      { source: 'testsrc2', frames: 90 },
      { source: 'smptehdbars', frames: 160 },
      { source: 'mandelbrot', frames: 450 },
      { source: 'testsrc', frames: 420 },
      { source: 'rgbtestsrc', frames: 130 },
      { source: LIFE, frames: 250 },
    ]),
    makeLongGop(join(root, 'mpeg4.mp4'), [{ source: 'testsrc2', frames: 70 }, { source: 'mandelbrot', frames: 130 }], { codec: 'mpeg4', gop: 50, bframes: 0 }),
    // MPEG-TS has no keyframe index: a seek by time lands on any packet.
    makeLongGop(join(root, 'capture.ts'), [{ source: 'testsrc2', frames: 70 }, { source: 'mandelbrot', frames: 160 }, { source: 'rgbtestsrc', frames: 70 }], { gop: 100 }),
    // 2.5 s at 24 fps, 2.5 s at 60 fps, 3 s at 30 fps; re-encoded below with a keyframe every 40 frames.
    makeRateShots(join(root, 'vfr.mp4'), [
      { source: 'testsrc2', fps: 24, frames: 60 },
      { source: 'smptebars', fps: 60, frames: 150 },
      { source: 'mandelbrot', fps: 30, frames: 90 },
    ], { audio: true }),
  ]);
  await reencodeLongGop(vfr.path, vfrPath, 40);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

let runs = 0;
async function clipCut(params: ClipCutParams): Promise<{ result: ClipCutResult; outputDir: string; seconds: number }> {
  const outputDir = mkdtempSync(join(root, `out-${runs++}-`));
  const started = performance.now();
  // The content detector alone finds these hard cuts; the clip files are what is tested here.
  const result = await clipCutOperation.run({ exports: ['json', 'clips'], detectors: ['content'], ...params }, { signal: new AbortController().signal, onProgress: () => undefined, outputDir });
  expect(findSchemaProblem(ClipCutResultSchema, result)).toBeUndefined();
  return { result, outputDir, seconds: (performance.now() - started) / 1000 };
}

/**
 * Per-frame MD5s of `file` decoded as it is, and decoded with the SPS and PPS inside its frames
 * removed: what players that take the parameter sets from the MP4 header's avcC alone (QuickTime,
 * hardware decoders) see. And the parameter sets that header lists, as ffmpeg's trace names them.
 */
async function headerOnlyDecode(file: string): Promise<{ asIs: string[]; headerOnly: string[]; headerSets: string[] }> {
  const stripped = `${file}.header-only.mp4`;
  try {
    await run('ffmpeg', ['-v', 'error', '-y', '-i', file, '-map', '0:v:0', '-c', 'copy', '-bsf:v', 'filter_units=remove_types=7|8', stripped]);
    const md5s = async (path: string) => {
      const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v:0', '-f', 'framemd5', '-'], { maxBuffer: 1 << 24 });
      return stdout.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(',').pop()!.trim());
    };
    // trace_headers prints the extradata's units first, then each packet's.
    const { stderr } = await run('ffmpeg', ['-v', 'info', '-i', stripped, '-map', '0:v:0', '-c', 'copy', '-bsf:v', 'trace_headers', '-frames:v', '1', '-f', 'null', '-'], { maxBuffer: 1 << 24 });
    const trace = stderr.split('\n').map((l) => l.replace(/^\[trace_headers @ [^\]]*\] /, ''));
    const headerSets = trace.slice(trace.indexOf('Extradata') + 1, trace.findIndex((l) => l.startsWith('Packet:'))).filter((l) => l.endsWith('Parameter Set'));
    const [asIs, headerOnly] = await Promise.all([md5s(file), md5s(stripped)]);
    return { asIs, headerOnly, headerSets };
  } finally {
    rmSync(stripped, { force: true });
  }
}

let longFrames: Promise<Uint8Array[]> | undefined;
const sourceFrames = () => (longFrames ??= grayFrames(long.path));

/** Each frame of `file` is the source's frame `from + i`: close to it, and far from the shots around. */
function expectSourceFrames(file: Uint8Array[], source: Uint8Array[], from: number, label: string): void {
  file.forEach((frame, i) => expect(difference(frame, source[from + i]!), `${label} frame ${i} (source ${from + i})`).toBeLessThan(3));
  const last = from + file.length - 1;
  // Across a cut the neighbours are other shots: an off-by-one file would match them instead.
  if (from > 0) expect(difference(file[0]!, source[from - 1]!), `${label} first frame against the frame before`).toBeGreaterThan(10);
  if (last + 1 < source.length) expect(difference(file[file.length - 1]!, source[last + 1]!), `${label} last frame against the frame after`).toBeGreaterThan(10);
}

describe('smart clip files (the default)', () => {
  it('holds exactly the cut list\'s frames on long GOPs with B-frames, re-encoding only around the cuts, audio in sync', async () => {
    expect(await keyframesOf(long.path)).toEqual([0, 250, 500, 750, 1000, 1250]);
    const { result, outputDir, seconds } = await clipCut({ input: long.path });
    expect(result.cuts.map((c) => c.frame)).toEqual(long.cuts);
    expect(result.warnings).toBeUndefined();
    const source = await sourceFrames();
    const lines: string[] = [];
    for (const clip of result.clips) {
      const file = clip.file!;
      const decoded = await countDecodedFrames(file);
      const starts = await streamStarts(file);
      const beep = await firstBeep(file);
      const expectedBeep = beepAfter(clip.startSeconds) - clip.startSeconds;
      lines.push(`clip ${clip.index + 1} [${clip.startFrame}, ${clip.endFrame}): JSON ${clip.frames} frames, ffprobe ${decoded}, re-encoded ${clip.fileFrames!.reencodedFrames}; ` +
        `first audio sample ${((starts.audio! - starts.video) * 1000).toFixed(1)} ms after the first frame; first beep at ${(beep! * 1000).toFixed(1)} ms (source: ${(expectedBeep * 1000).toFixed(1)} ms)`);
      expect(decoded).toBe(clip.frames);
      expect(clip.fileFrames).toMatchObject({ startFrame: clip.startFrame, endFrame: clip.endFrame, mode: 'smart' });
      expectSourceFrames(await grayFrames(file), source, clip.startFrame, `clip ${clip.index + 1}`);
      expect(Math.abs(starts.audio! - starts.video)).toBeLessThan(1 / long.fps);
      expect(Math.abs(beep! - expectedBeep)).toBeLessThan(1 / long.fps);
      const reencoded = clip.fileFrames!.reencodedFrames;
      if (reencoded > 0 && reencoded < clip.frames) {
        // The source's GOPs and libx264's frames in one file: a player that reads the parameter
        // sets from the MP4 header alone decodes every frame as ffmpeg does with those in the frames.
        const decoded = await headerOnlyDecode(file);
        expect(decoded.headerSets, `clip ${clip.index + 1}: the header lists both encoders' sets`).toEqual(['Sequence Parameter Set', 'Sequence Parameter Set', 'Picture Parameter Set', 'Picture Parameter Set']);
        expect(decoded.headerOnly, `clip ${clip.index + 1} decoded from its header's SPS/PPS`).toEqual(decoded.asIs);
        lines.push(`  its header lists ${decoded.headerSets.length} parameter sets; decoded from them alone, all ${decoded.asIs.length} frames match`);
      }
    }
    console.log(`smart, ${seconds.toFixed(2)} s in all:\n  ${lines.join('\n  ')}`);
    // Only the frames between a cut and the nearest keyframe are re-encoded.
    expect(result.clips.map((c) => c.fileFrames!.reencodedFrames)).toEqual([90, 160, 200, 170, 130, 0]);
    // Nothing of the work is left beside the clips.
    expect(readdirSync(outputDir).filter((n) => n.startsWith('.'))).toEqual([]);
  }, 120_000);

  it('keeps every frame\'s time in variable-frame-rate video with keyframes away from the cuts', async () => {
    const { result } = await clipCut({ input: vfrPath });
    expect(result.cuts.map((c) => c.frame)).toEqual(vfr.cutFrames);
    expect(result.variableFrameRate).toBeDefined();
    const { timeBase, pts } = await probeFrameTimes(vfrPath);
    const sourceTimes = pts.map((p) => (p - pts[0]!) * (timeBase.num / timeBase.den));
    const source = await grayFrames(vfrPath);
    for (const clip of result.clips) {
      const file = clip.file!;
      expect(clip.fileFrames!.reencodedFrames).toBeGreaterThan(0);
      expect(clip.fileFrames!.reencodedFrames).toBeLessThan(clip.frames);
      expect(await countDecodedFrames(file)).toBe(clip.frames);
      const own = await probeFrameTimes(file);
      const times = own.pts.map((p) => (p - own.pts[0]!) * (own.timeBase.num / own.timeBase.den));
      times.forEach((t, i) => expect(Math.abs(t - (sourceTimes[clip.startFrame + i]! - sourceTimes[clip.startFrame]!)), `clip ${clip.index + 1} frame ${i}`).toBeLessThan(0.002));
      expectSourceFrames(await grayFrames(file), source, clip.startFrame, `clip ${clip.index + 1}`);
      const starts = await streamStarts(file);
      expect(Math.abs(starts.audio! - starts.video)).toBeLessThan(1 / 60);
    }
  }, 120_000);

  it('starts and ends MPEG-TS clips on their frames (smart and accurate), audio in sync', async () => {
    const source = await grayFrames(ts.path);
    for (const clipMode of ['smart', 'accurate'] as const) {
      const { result } = await clipCut({ input: ts.path, clipMode });
      expect(result.cuts.map((c) => c.frame)).toEqual(ts.cuts);
      for (const clip of result.clips) {
        expect(await countDecodedFrames(clip.file!)).toBe(clip.frames);
        expectSourceFrames(await grayFrames(clip.file!), source, clip.startFrame, `${clipMode} clip ${clip.index + 1}`);
        const expectedBeep = beepAfter(clip.startSeconds) - clip.startSeconds;
        expect(Math.abs((await firstBeep(clip.file!))! - expectedBeep), `${clipMode} clip ${clip.index + 1} beep`).toBeLessThan(1 / ts.fps);
      }
      if (clipMode === 'smart') expect(result.clips.map((c) => c.fileFrames!.reencodedFrames)).toEqual([70, 60, 70]);
    }
  }, 60_000);

  it('falls back to re-encoding, with one warning, for a codec it cannot match (MPEG-4 part 2)', async () => {
    const { result } = await clipCut({ input: mpeg4.path });
    expect(result.cuts.map((c) => c.frame)).toEqual(mpeg4.cuts);
    expect(result.warnings).toEqual([expect.stringMatching(/^clipMode smart could not be used for clip 1 .*H\.264 only, and this video is mpeg4.*re-encoded whole \(clipMode accurate\)$/)]);
    for (const clip of result.clips) {
      expect(clip.fileFrames).toEqual({ startFrame: clip.startFrame, endFrame: clip.endFrame, reencodedFrames: clip.frames, mode: 'accurate' });
      expect(await countDecodedFrames(clip.file!)).toBe(clip.frames);
    }
  }, 60_000);
});

describe('copy and accurate clip files', () => {
  it('copy: keyframe-aligned files, each reporting the frames it really holds', async () => {
    const { result } = await clipCut({ input: long.path, clipMode: 'copy' });
    const source = await sourceFrames();
    const keys = [0, 250, 500, 750, 1000, 1250];
    for (const clip of result.clips) {
      const held = clip.fileFrames!;
      expect(held.mode).toBe('copy');
      expect(held.reencodedFrames).toBe(0);
      expect(held.startFrame).toBe(Math.max(...keys.filter((k) => k <= clip.startFrame)));
      expect(held.endFrame).toBeGreaterThanOrEqual(clip.endFrame);
      // Past the end only as far as B-frames make the copy decode ahead (a few frames).
      expect(held.endFrame).toBeLessThan(clip.endFrame + 8);
      expect(await countDecodedFrames(clip.file!)).toBe(held.endFrame - held.startFrame);
      const frames = await grayFrames(clip.file!);
      frames.forEach((frame, i) => expect(difference(frame, source[held.startFrame + i]!), `clip ${clip.index + 1} frame ${i}`).toBeLessThan(3));
      const starts = await streamStarts(clip.file!);
      expect(Math.abs(starts.audio! - starts.video)).toBeLessThan(1 / long.fps);
      const expectedBeep = beepAfter(held.startFrame / long.fps) - held.startFrame / long.fps;
      expect(Math.abs((await firstBeep(clip.file!))! - expectedBeep)).toBeLessThan(1 / long.fps);
    }
    console.log(`copy: clips ${result.clips.map((c) => `[${c.startFrame}, ${c.endFrame}) in a file of [${c.fileFrames!.startFrame}, ${c.fileFrames!.endFrame})`).join(', ')}`);
  }, 120_000);

  it('accurate: every frame re-encoded, exactly the clip\'s', async () => {
    const { result } = await clipCut({ input: long.path, clipMode: 'accurate' });
    const source = await sourceFrames();
    for (const clip of result.clips.slice(2, 4)) {
      expect(clip.fileFrames).toEqual({ startFrame: clip.startFrame, endFrame: clip.endFrame, reencodedFrames: clip.frames, mode: 'accurate' });
      expect(await countDecodedFrames(clip.file!)).toBe(clip.frames);
      expectSourceFrames(await grayFrames(clip.file!), source, clip.startFrame, `clip ${clip.index + 1}`);
    }
  }, 120_000);
});

describe('cut layout', () => {
  // Decode order: a closed GOP with B-pyramid (I0 P4 B2 B1 B3), an open-GOP I frame at 8 whose
  // leading B-frames 5-7 follow it (a copy cannot start there), P11 B10 B9, then an IDR at 12.
  const pts = [0, 4, 2, 1, 3, 8, 6, 5, 7, 11, 10, 9, 12, 13];
  const packets = (key: number[]): VideoPackets => ({
    timeBase: { num: 1, den: 25 },
    pts: Float64Array.from(pts),
    dts: Float64Array.from(pts.map((_, i) => i - 2)),
    key: Uint8Array.from(pts.map((_, i) => (key.includes(i) ? 1 : 0))),
  });

  it('starts copies only on keyframes nothing later refers past, and stops them on whole frames', () => {
    const layout = CutLayout.of(packets([0, 5, 12]), undefined);
    if (typeof layout === 'string') throw new Error(layout);
    expect(Array.from(layout.keyframes)).toEqual([0, 12]);
    expect(layout.reorderDelay).toBe(2);
    expect(layout.copyRange(1, 5)).toEqual({ startFrame: 0, endFrame: 5 });
    // Frame 5 is decoded after frame 8: a copy holding it holds 0-8.
    expect(layout.copyRange(1, 6)).toEqual({ startFrame: 0, endFrame: 9 });
    expect(layout.copyRange(12, 14)).toEqual({ startFrame: 12, endFrame: 14 });
    expect(layout.plan(3, 14)).toEqual({ head: [3, 12], copy: [12, 14] });
    expect(layout.plan(0, 13)).toEqual({ copy: [0, 12], tail: [12, 13] });
    expect(layout.plan(2, 11)).toEqual({ head: [2, 11] });
    expect(layout.seconds(12)).toBeCloseTo(0.48, 9);
    expect(layout.decodeSeconds(12)).toBeCloseTo(0.4, 9);
    expect(layout.decodeSeconds(5)).toBeNaN();
  });

  it('refuses packets that do not match the decoded frames', () => {
    expect(CutLayout.of(packets([0]), FrameTimeline.constant({ num: 25, den: 1 }, 20))).toBe('the stream has 14 packets for 20 decoded frames');
    // The decoded frames say 30 fps, the packets 25.
    expect(CutLayout.of(packets([0, 12]), FrameTimeline.constant({ num: 30, den: 1 }, 14))).toBe('keyframe 12 is at 0.480000 s in the packets and 0.400000 s in the decoded frames');
    const repeated = packets([0]);
    repeated.pts[3] = 2;
    expect(CutLayout.of(repeated, undefined)).toBe('two packets have the same timestamp');
  });
});
