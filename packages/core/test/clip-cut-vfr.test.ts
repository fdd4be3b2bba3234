// Variable frame rate end to end: frame timestamps from the decoder, cut seconds from them, clip
// files cut at those seconds, and editor cut lists written at a stated constant rate. The media is
// made here with ffmpeg, with the true cut times known.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { CliIo } from '../src/cli/io.js';
import { countDecodedFrames, FrameTimeline, generateSampleVideo, probe, readFrames } from '../src/media/index.js';
import { rangesAtRate } from '../src/ops/clip-cut/exports/cut-list.js';
import { clipCutOperation } from '../src/ops/clip-cut/index.js';
import { nominalFrameRate, timecodeRateFor } from '../src/ops/clip-cut/timecode.js';
import { ClipCutResultSchema, findSchemaProblem, type ClipCutParams } from '../src/protocol/index.js';
import { parseEdl, parseFcp7Xml, parseFcpXml, parseOtio } from './helpers/cut-list-readers.js';
import { makeDroppedFrames, makeRateShots, makeSpeedRamp, probeFrameTimes, type VfrVideo } from './helpers/vfr-media.js';

const execFileAsync = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'fw-clip-cut-vfr-'));
let shots: VfrVideo;
let dropped: VfrVideo;

beforeAll(async () => {
  [shots, dropped] = await Promise.all([
    // 2 s at 24 fps, 3.5 s at 60 fps, 2 s at 15 fps: cuts at 2.0 s and 5.5 s.
    makeRateShots(join(root, 'three rates.mp4'), [
      { source: 'testsrc2', fps: 24, frames: 48 },
      { source: 'smptebars', fps: 60, frames: 210 },
      { source: 'mandelbrot', fps: 15, frames: 30 },
    ], { audio: true }),
    makeDroppedFrames(join(root, 'obs.mp4'), { seconds: 5.9, cutSecond: 3, stallAt: 250, stallFrames: 13 }),
  ]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let runs = 0;
async function clipCut(params: ClipCutParams) {
  const outputDir = mkdtempSync(join(root, `out-${runs++}-`));
  return clipCutOperation.run(params, { signal: new AbortController().signal, onProgress: () => undefined, outputDir });
}

/** The decoded frames of a file, downscaled to 32 px wide (copies). */
async function framesOf(path: string): Promise<Uint8Array[]> {
  const info = await probe(path);
  const frames: Uint8Array[] = [];
  for await (const frame of readFrames(path, { width: 32, sourceWidth: info.width, sourceHeight: info.height })) frames.push(frame.slice());
  return frames;
}

let shotFrames: Promise<Uint8Array[]> | undefined;
/** The frames of the three-rate video, decoded once for the tests that compare clips with it. */
const sourceFrames = () => (shotFrames ??= framesOf(shots.path));

const difference = (a: Uint8Array, b: Uint8Array) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;

async function frameTimesOf(path: string): Promise<number[]> {
  const { stdout } = await execFileAsync(process.env['FFPROBE_PATH'] ?? 'ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', path]);
  // Frames with side data add a field and a blank line.
  return stdout.split('\n').filter((line) => line.trim() !== '').map((line) => Number.parseFloat(line));
}

describe('frame timestamps', () => {
  it('readFrames reports every frame\'s timestamp exactly as ffprobe decodes it (B-frames, non-linear times)', async () => {
    const path = join(root, 'ramp.mp4');
    await makeSpeedRamp(path, 90);
    const info = await probe(path);
    const frames = readFrames(path, { width: 32, sourceWidth: info.width, sourceHeight: info.height });
    let n = 0;
    for await (const _ of frames) n++;
    const truth = await probeFrameTimes(path);
    expect(frames.timestamps()?.timeBase).toEqual(truth.timeBase);
    expect(Array.from(frames.timestamps()!.pts)).toEqual(truth.pts);
    expect(n).toBe(90);
    const timeline = FrameTimeline.fromTimestamps(frames.timestamps(), info.fps, n);
    expect(timeline.variable).toBe(true);
    // Frame N is at N/30 + N²/3000 s (give or take the tick ffmpeg rounds it to).
    for (const frame of [0, 1, 45, 89]) expect(timeline.secondsOf(frame)).toBeCloseTo(frame / 30 + (frame * frame) / 3000, 4);
    expect(timeline.frameSeconds(89) / timeline.frameSeconds(0)).toBeGreaterThan(2.5);
  });

  it('keeps a constant-rate file on frame ÷ fps exactly, and knows where its first frame starts', async () => {
    const sample = await generateSampleVideo(join(root, 'cfr.mp4'), { width: 96, height: 54, seconds: 2 });
    const info = await probe(sample.path);
    const frames = readFrames(sample.path, { width: 32, sourceWidth: info.width, sourceHeight: info.height });
    let n = 0;
    for await (const _ of frames) n++;
    const timeline = FrameTimeline.fromTimestamps(frames.timestamps(), info.fps, n);
    expect(timeline).toMatchObject({ variable: false, problem: undefined, frameCount: 50, startSeconds: 0 });
    expect(timeline.secondsOf(37)).toBe((37 * 1) / 25);
    expect(timeline.durationSeconds).toBe(2);
  });
});

describe('FrameTimeline', () => {
  const tb = { num: 1, den: 1000 };
  const fps = { num: 25, den: 1 };

  it('calls timestamps within a quarter frame of frame ÷ fps constant, and anything else variable', () => {
    const jittered = FrameTimeline.fromTimestamps({ timeBase: tb, pts: Float64Array.from([0, 40, 81, 120, 159]) }, fps, 5);
    expect(jittered.variable).toBe(false);
    expect(jittered.secondsOf(2)).toBe(0.08);
    const skipped = FrameTimeline.fromTimestamps({ timeBase: tb, pts: Float64Array.from([500, 540, 620, 660]) }, fps, 4);
    expect(skipped).toMatchObject({ variable: true, startSeconds: 0.5, frameCount: 4 });
    expect([0, 1, 2, 3, 4].map((f) => skipped.secondsOf(f))).toEqual([0, 0.04, 0.12, 0.16, 0.2]);
    [0.04, 0.08, 0.04, 0.04].forEach((length, f) => expect(skipped.frameSeconds(f)).toBeCloseTo(length, 12));
  });

  it('finds the frame nearest a time, or the one before or after it', () => {
    const timeline = FrameTimeline.fromTimestamps({ timeBase: tb, pts: Float64Array.from([0, 40, 120, 160]) }, fps, 4);
    expect(timeline.frameAt(0.07)).toBe(1);
    expect(timeline.frameAt(0.09)).toBe(2);
    expect(timeline.frameAt(0.09, 'floor')).toBe(1);
    expect(timeline.frameAt(0.05, 'ceil')).toBe(2);
    expect(timeline.frameAt(0.12, 'floor')).toBe(2);
    expect(timeline.frameAt(-1)).toBe(0);
    expect(timeline.frameAt(99, 'floor')).toBe(4);
  });

  it('falls back to the constant rate, saying why, when timestamps are missing or go backwards', () => {
    const repeated = FrameTimeline.fromTimestamps({ timeBase: tb, pts: Float64Array.from([0, 40, 40, 120]) }, fps, 4);
    expect(repeated).toMatchObject({ variable: false, problem: 'frame timestamps repeat or go backwards' });
    expect(repeated.secondsOf(3)).toBe(0.12);
    const missing = FrameTimeline.fromTimestamps({ timeBase: tb, pts: Float64Array.from([0, Number.NaN, 80]) }, fps, 3);
    expect(missing.problem).toBe('some frames have no timestamp');
    expect(FrameTimeline.fromTimestamps(undefined, fps, 3).problem).toBe('ffmpeg reported no timestamp for some frames');
  });
});

describe('the rate a variable-rate video is counted at', () => {
  const repeat = (length: number, count: number) => Array.from({ length: count }, () => length);

  it('is the rate of the most common frame length, whole or NTSC', () => {
    // A phone at 30 fps dropping to 15 in the dark, with timestamps jittering by a millisecond.
    const phone = [...repeat(1 / 30, 200).map((l, i) => l + (i % 2 === 0 ? 0.001 : -0.001)), ...repeat(1 / 15, 150)];
    expect(nominalFrameRate(phone)).toEqual({ num: 30, den: 1 });
    expect(nominalFrameRate([...repeat(1001 / 30000, 100), ...repeat(1001 / 15000, 20)])).toEqual({ num: 30000, den: 1001 });
    expect(nominalFrameRate([...repeat(1 / 24, 48), ...repeat(1 / 60, 210), ...repeat(1 / 15, 30)])).toEqual({ num: 60, den: 1 });
    // Ties go to the finer rate; nothing above 120; frames seconds apart still count at 1.
    expect(nominalFrameRate([...repeat(1 / 25, 10), ...repeat(1 / 50, 10)])).toEqual({ num: 50, den: 1 });
    expect(nominalFrameRate(repeat(1 / 1000, 10))).toEqual({ num: 120, den: 1 });
    expect(nominalFrameRate(repeat(5, 3))).toEqual({ num: 1, den: 1 });
  });

  it('keeps constant rates timecode counts, and otherwise takes a whole multiple or the nearest whole rate', () => {
    expect(timecodeRateFor({ num: 30000, den: 1001 })).toEqual({ num: 30000, den: 1001 });
    expect(timecodeRateFor({ num: 25, den: 1 })).toEqual({ num: 25, den: 1 });
    expect(timecodeRateFor({ num: 25, den: 2 })).toEqual({ num: 25, den: 1 });
    expect(timecodeRateFor({ num: 1000, den: 33 })).toEqual({ num: 30, den: 1 });
  });

  it('places clips given in seconds on the nearest frames, end to end, none empty', () => {
    const clips = [{ startSeconds: 0, endSeconds: 2 }, { startSeconds: 2, endSeconds: 2.004 }, { startSeconds: 2.004, endSeconds: 5.51 }];
    expect(rangesAtRate(clips, { num: 30, den: 1 })).toEqual([
      { startFrame: 0, endFrame: 60 }, { startFrame: 60, endFrame: 61 }, { startFrame: 61, endFrame: 165 },
    ]);
  });
});

describe('clip-cut on variable-frame-rate video', () => {
  it('places cuts at their true seconds and writes EDL, FCP7 XML, FCPXML and OTIO at a stated rate', async () => {
    const result = await clipCut({ input: shots.path, exports: ['json', 'edl', 'fcp7', 'fcpxml', 'otio'] });
    expect(findSchemaProblem(ClipCutResultSchema, result)).toBeUndefined();
    expect(result.cuts.map((c) => c.frame)).toEqual(shots.cutFrames);
    result.cuts.forEach((cut, i) => {
      // Within half the frame at the cut (the shorter of the two frames either side of it).
      const local = Math.min(shots.frameSeconds[cut.frame - 1]!, shots.frameSeconds[cut.frame]!);
      console.log(`cut ${i + 1}: true ${shots.cutSeconds[i]} s, found ${cut.seconds} s, frame ${cut.frame}, local frame ${local.toFixed(5)} s`);
      expect(Math.abs(cut.seconds - shots.cutSeconds[i]!)).toBeLessThanOrEqual(local / 2);
    });
    expect(result).toMatchObject({
      fps: 60, fpsRational: { num: 60, den: 1 }, dropFrame: false, frameCount: 288,
      variableFrameRate: { averageFps: 38.4, minFps: 15, maxFps: 60 },
    });
    expect(result.durationSeconds).toBeCloseTo(shots.durationSeconds, 9);
    expect(result.clips.map((c) => [c.startSeconds, c.endSeconds, c.frames])).toEqual([[0, 2, 48], [2, 5.5, 210], [5.5, result.durationSeconds, 30]]);
    expect(result.cuts.map((c) => c.timecode)).toEqual(['00:00:02:00', '00:00:05:30']);
    console.log(`warnings:\n  ${result.warnings!.join('\n  ')}`);
    expect(result.warnings).toEqual([
      'variable frame rate (15 to 60 fps, average 38.4): cut seconds come from frame timestamps; timecodes count at 60 fps, rounded to the nearest frame',
      'variable frame rate: EDL timecode uses 60 fps; cut times rounded to the nearest frame',
      'variable frame rate: FCP7 XML timecode uses 60 fps; cut times rounded to the nearest frame',
      'variable frame rate: FCPXML times use 60 fps; cut times rounded to the nearest frame',
      'variable frame rate: OTIO times use 60 fps; cut times rounded to the nearest frame',
    ]);
    // Every cut list reads back as the cut seconds at 60 fps: 0-2 s, 2-5.5 s, 5.5-7.5 s.
    const expected = [{ startFrame: 0, endFrame: 120 }, { startFrame: 120, endFrame: 330 }, { startFrame: 330, endFrame: 450 }];
    const text = (path: string | undefined) => readFileSync(path!, 'utf8');
    expect(parseEdl(text(result.outputs.edl), { num: 60, den: 1 }, false)).toEqual(expected);
    expect(text(result.outputs.edl)).toContain('002  AX       A/V   C        00:00:02:00 00:00:05:30 00:00:02:00 00:00:05:30');
    expect(parseFcp7Xml(text(result.outputs.fcp7))).toEqual(expected);
    expect(text(result.outputs.fcp7)).toContain('<timebase>60</timebase>');
    expect(parseFcpXml(text(result.outputs.fcpxml))).toEqual(expected);
    expect(parseOtio(text(result.outputs.otio))).toEqual(expected);
    expect(JSON.parse(text(result.outputs.json))).toEqual(result);
  });

  it('cuts accurate clip files at the cut seconds, keeping every frame\'s time', async () => {
    const result = await clipCut({ input: shots.path, exports: ['clips'], clipMode: 'accurate' });
    const source = await sourceFrames();
    const sourceTimes = await frameTimesOf(shots.path);
    for (const clip of result.clips) {
      const file = clip.file!;
      expect(await countDecodedFrames(file)).toBe(clip.frames);
      // The clip's frames are the source's, shown at the source's times from the clip's start.
      const times = await frameTimesOf(file);
      expect(times).toHaveLength(clip.frames);
      const expected = sourceTimes.slice(clip.startFrame, clip.endFrame).map((t) => t - sourceTimes[clip.startFrame]!);
      times.forEach((t, i) => expect(Math.abs(t - expected[i]!)).toBeLessThan(0.002));
      const [first] = await framesOf(file);
      expect(difference(first!, source[clip.startFrame]!)).toBeLessThan(4);
      if (clip.startFrame > 0) expect(difference(first!, source[clip.startFrame - 1]!)).toBeGreaterThan(20);
      const duration = (await probe(file)).durationSeconds;
      console.log(`clip ${clip.index + 1}: ${clip.startSeconds}-${clip.endSeconds} s, ${clip.frames} frames, file ${duration} s, first frame at source frame ${clip.startFrame}`);
    }
  });

  it('starts stream-copied clips on the cut when a keyframe is there, and copies them whole by default', async () => {
    const result = await clipCut({ input: shots.path, exports: ['clips'], clipMode: 'copy' });
    const source = await sourceFrames();
    for (const clip of result.clips) {
      const frames = await framesOf(clip.file!);
      expect(difference(frames[0]!, source[clip.startFrame]!)).toBeLessThan(4);
      // A copy runs to the clip's end, and past it only as far as B-frames make it decode ahead.
      expect(clip.fileFrames).toMatchObject({ startFrame: clip.startFrame, mode: 'copy' });
      expect(frames.length).toBe(clip.fileFrames!.endFrame - clip.startFrame);
      expect(frames.length).toBeGreaterThanOrEqual(clip.frames);
      const times = await frameTimesOf(clip.file!);
      expect(times[0]).toBeCloseTo(0, 3);
      expect(times[times.length - 1]!).toBeLessThan(clip.endSeconds - clip.startSeconds + 0.5);
    }
    // Keyframes on the cuts: the default smart cut re-encodes nothing and stops on the clip's end.
    const smart = await clipCut({ input: shots.path, exports: ['clips'] });
    for (const clip of smart.clips) {
      expect(clip.fileFrames).toEqual({ startFrame: clip.startFrame, endFrame: clip.endFrame, reencodedFrames: 0, mode: 'smart' });
      expect(await countDecodedFrames(clip.file!)).toBe(clip.frames);
    }
  });

  it('times cuts in a recording that dropped frames (OBS under load) by their timestamps', async () => {
    const result = await clipCut({ input: dropped.path });
    const [cut] = result.cuts;
    const local = Math.min(dropped.frameSeconds[cut!.frame - 1]!, dropped.frameSeconds[cut!.frame]!);
    console.log(`dropped frames: true ${dropped.cutSeconds[0]} s, found ${cut!.seconds} s at frame ${cut!.frame} (frame ÷ average fps would say ${(cut!.frame / result.variableFrameRate!.averageFps).toFixed(3)} s)`);
    expect(result.cuts.map((c) => c.frame)).toEqual(dropped.cutFrames);
    expect(Math.abs(cut!.seconds - dropped.cutSeconds[0]!)).toBeLessThanOrEqual(local / 2);
    expect(result).toMatchObject({ fps: 60, frameCount: dropped.frameSeconds.length, variableFrameRate: { maxFps: 60 } });
    expect(cut!.timecode).toBe('00:00:03:00');
  });

  it('ends every clip file where its last frame ends, in every mode, when frames were dropped just before a cut and just before the end', async () => {
    // Besides every fifth frame, 117-118 (before the cut at 120) and 236-237 (before the last
    // frame, 238) are lost. With B-frames an MP4 track ends at the last decode time, which runs a
    // frame or two behind: a drop there used to end the file early (the real-OBS watch test saw
    // 0.96 s for a 1.04 s clip), and the last frame was given the length of the drop before it.
    const video = await makeDroppedFrames(join(root, 'drops at the ends.mp4'), { seconds: 4, cutSecond: 2, stallAt: 170, stallFrames: 6, drop: [117, 118, 236, 237], keyint: 50 });
    const span = (from: number, to: number) => video.frameSeconds.slice(from, to).reduce((sum, s) => sum + s, 0);
    for (const clipMode of ['smart', 'copy', 'accurate'] as const) {
      const result = await clipCut({ input: video.path, exports: ['clips'], clipMode });
      expect(result.cuts.map((c) => c.frame)).toEqual(video.cutFrames);
      // The last frame lasts a 60th of a second, as the frames before the drop do.
      expect(result.durationSeconds).toBeCloseTo(video.durationSeconds, 6);
      const lines: string[] = [];
      for (const clip of result.clips) {
        const { startFrame, endFrame } = clip.fileFrames!;
        const file = clip.file!;
        expect(await countDecodedFrames(file)).toBe(endFrame - startFrame);
        const { stdout } = await execFileAsync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=duration', '-of', 'csv=p=0', file]);
        const seconds = Number(stdout.trim());
        lines.push(`clip ${clip.index + 1}: frames ${startFrame}-${endFrame}, ${span(startFrame, endFrame).toFixed(4)} s of source, file ${seconds} s`);
        expect(Math.abs(seconds - span(startFrame, endFrame)), `${clipMode} clip ${clip.index + 1}`).toBeLessThan(1e-4);
        if (clipMode !== 'copy') expect(Math.abs(seconds - (clip.endSeconds - clip.startSeconds))).toBeLessThan(1e-4);
      }
      console.log(`${clipMode}: ${lines.join('; ')}`);
    }
  });

  it('framewright clip-cut exits 0 for EDL and FCP7 exports and prints the conversion on stderr', async () => {
    let out = '';
    let err = '';
    const io: CliIo = {
      stdout: { write: (t) => void (out += t), isTTY: false },
      stderr: { write: (t) => void (err += t), isTTY: false },
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'] },
      cwd: root,
      onInterrupt: () => () => undefined,
    };
    const code = await main(['clip-cut', shots.path, '--out', mkdtempSync(join(root, 'cli-')), '--export', 'edl,fcp7', '--json'], io);
    expect(code).toBe(0);
    expect(JSON.parse(out).outputs).toMatchObject({ edl: expect.stringMatching(/\.edl$/), fcp7: expect.stringMatching(/\.xml$/) });
    expect(err).toContain('warning: variable frame rate: EDL timecode uses 60 fps; cut times rounded to the nearest frame\n');
    expect(err).toContain('warning: variable frame rate: FCP7 XML timecode uses 60 fps; cut times rounded to the nearest frame\n');
  });
});

describe('clip-cut on constant-rate video', () => {
  it('gives frame ÷ fps seconds and no warnings', async () => {
    const sample = await generateSampleVideo(join(root, 'sample.mp4'), { width: 96, height: 54, seconds: 6 });
    const result = await clipCut({ input: sample.path, exports: ['json', 'edl'] });
    expect(result.cuts.map((c) => c.frame)).toEqual(sample.cutFrames);
    expect(result.cuts.map((c) => c.seconds)).toEqual(sample.cutFrames.map((f) => f / 25));
    expect(result).not.toHaveProperty('warnings');
    expect(result).not.toHaveProperty('variableFrameRate');
  });

  it('writes a rate timecode cannot count (12.5 fps) at a whole multiple, with a warning, instead of refusing', async () => {
    const sample = await generateSampleVideo(join(root, 'half.mp4'), { width: 96, height: 54, seconds: 8, fps: { num: 25, den: 2 } });
    const result = await clipCut({ input: sample.path, exports: ['edl', 'fcp7', 'fcpxml'] });
    expect(result.fpsRational).toEqual({ num: 25, den: 2 });
    expect(result.warnings).toEqual([
      'EDL timecode uses 25 fps for this 12.5 fps video',
      'FCP7 XML timecode uses 25 fps for this 12.5 fps video',
    ]);
    const doubled = result.clips.map((c) => ({ startFrame: 2 * c.startFrame, endFrame: 2 * c.endFrame }));
    expect(parseEdl(readFileSync(result.outputs.edl!, 'utf8'), { num: 25, den: 1 }, false)).toEqual(doubled);
    expect(parseFcp7Xml(readFileSync(result.outputs.fcp7!, 'utf8'))).toEqual(doubled);
    // FCPXML states any rational frame duration, so it keeps the video's own frames.
    expect(parseFcpXml(readFileSync(result.outputs.fcpxml!, 'utf8'))).toEqual(result.clips.map((c) => ({ startFrame: c.startFrame, endFrame: c.endFrame })));
  });
});
