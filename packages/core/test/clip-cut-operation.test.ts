import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDecodedFrames, generateSampleVideo, probe, type SampleVideo } from '../src/media/index.js';
import { clipCutOperation } from '../src/ops/clip-cut/index.js';
import {
  ClipCutProgressSchema, ClipCutResultSchema, FramewrightError, findSchemaProblem,
  type ClipCutParams, type ClipCutProgress,
} from '../src/protocol/index.js';

const root = mkdtempSync(join(tmpdir(), 'fw-clip-cut-'));
let sample: SampleVideo;
let ntsc: SampleVideo;

beforeAll(async () => {
  [sample, ntsc] = await Promise.all([
    generateSampleVideo(join(root, 'sample.mp4'), { width: 192, height: 108, seconds: 8 }),
    generateSampleVideo(join(root, 'ntsc.mp4'), { width: 160, height: 90, seconds: 6, fps: { num: 30000, den: 1001 } }),
  ]);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function outDir(): string {
  return mkdtempSync(join(root, 'out-'));
}

async function runClipCut(params: ClipCutParams, outputDir = outDir(), signal = new AbortController().signal) {
  const progress: ClipCutProgress[] = [];
  const result = await clipCutOperation.run(params, { signal, onProgress: (p) => progress.push(p), outputDir });
  return { result, progress, outputDir };
}

async function failure(promise: Promise<unknown>): Promise<FramewrightError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(FramewrightError);
  return error as FramewrightError;
}

describe('clip-cut operation', () => {
  it('finds the shots of the sample and writes every export, listing each file', async () => {
    const { result, outputDir } = await runClipCut({ input: sample.path, exports: ['json', 'edl', 'fcp7', 'fcpxml', 'otio', 'clips'] });
    expect(findSchemaProblem(ClipCutResultSchema, result)).toBeUndefined();
    expect(result.cuts.map((c) => c.frame)).toEqual(sample.cutFrames);
    expect(result).toMatchObject({ fps: 25, fpsRational: { num: 25, den: 1 }, dropFrame: false, frameCount: sample.frameCount, width: 192, height: 108 });
    const bounds = result.clips.map((c) => [c.startFrame, c.endFrame]);
    expect(bounds).toEqual([0, ...sample.cutFrames].map((s, i) => [s, sample.cutFrames[i] ?? sample.frameCount]));
    expect(result.clips[1]).toMatchObject({ startSeconds: sample.cutFrames[0]! / 25, startTimecode: '00:00:02:00' });
    const expected = ['sample.json', 'sample.edl', 'sample.xml', 'sample.fcpxml', 'sample.otio',
      ...result.clips.flatMap((c) => [`sample-clip-00${c.index + 1}.mp4`, `sample-clip-00${c.index + 1}.jpg`])];
    expect(readdirSync(outputDir).sort()).toEqual(expected.sort());
    expect(result.files.map((f) => f.slice(outputDir.length + 1)).sort()).toEqual(expected.sort());
    expect(result.files.every((f) => isAbsolute(f))).toBe(true);
    expect(JSON.parse(readFileSync(result.outputs.json!, 'utf8'))).toEqual(result);
    for (const thumb of result.outputs.thumbnails!) expect(readFileSync(thumb).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('writes clip files with exactly the cut-list frame counts by default (smart) and in accurate mode', async () => {
    for (const clipMode of [undefined, 'accurate'] as const) {
      const { result } = await runClipCut({ input: sample.path, exports: ['clips'], ...(clipMode === undefined ? {} : { clipMode }) });
      for (const clip of result.clips) {
        expect(await countDecodedFrames(clip.file!)).toBe(clip.frames);
        expect(clip.fileFrames).toMatchObject({ startFrame: clip.startFrame, endFrame: clip.endFrame, mode: clipMode ?? 'smart' });
      }
    }
  });

  it('writes copy clip files that cover the cut list and says which frames each holds', async () => {
    const { result } = await runClipCut({ input: sample.path, exports: ['clips'], clipMode: 'copy' });
    for (const clip of result.clips) {
      // Stream copy starts on the keyframe at or before the clip, so it may be longer, never shorter.
      const held = clip.fileFrames!;
      expect(held).toMatchObject({ mode: 'copy', reencodedFrames: 0 });
      expect(held.startFrame).toBeLessThanOrEqual(clip.startFrame);
      expect(held.endFrame).toBeGreaterThanOrEqual(clip.endFrame);
      expect(await countDecodedFrames(clip.file!)).toBe(held.endFrame - held.startFrame);
      expect((await probe(clip.file!)).durationSeconds).toBeGreaterThanOrEqual(clip.endSeconds - clip.startSeconds - 0.02);
    }
  });

  it('finds the cuts with each picture detector on its own', async () => {
    for (const detector of ['content', 'adaptive', 'histogram', 'hash'] as const) {
      const { result } = await runClipCut({ input: sample.path, detectors: [detector], thresholds: { hash: 0.3 } });
      expect(result.cuts.map((c) => c.frame), detector).toEqual(sample.cutFrames);
      expect(result.cuts.every((c) => c.detectors.includes(detector) && c.score >= 1)).toBe(true);
    }
  });

  it('uses drop-frame timecode at 29.97 fps', async () => {
    const { result } = await runClipCut({ input: ntsc.path });
    expect(result).toMatchObject({ fpsRational: { num: 30000, den: 1001 }, dropFrame: true });
    expect(result.cuts.map((c) => c.frame)).toEqual(ntsc.cutFrames);
    expect(result.clips[1]!.startTimecode).toMatch(/^\d\d:\d\d:\d\d;\d\d$/);
  });

  it('reports silences and cuts inside them when the silence detector is on', async () => {
    const { result } = await runClipCut({ input: sample.path, detectors: ['content', 'adaptive', 'fade', 'silence'] });
    expect(result.silences).toHaveLength(1);
    expect(result.silences![0]!.startSeconds).toBeCloseTo(sample.silence.startSeconds, 1);
    const silenceCut = result.cuts.find((c) => c.detectors.includes('silence'));
    expect(silenceCut).toBeDefined();
    expect(silenceCut!.seconds).toBeGreaterThan(sample.silence.startSeconds);
    expect(silenceCut!.seconds).toBeLessThan(sample.silence.endSeconds);
  });

  it('reports progress through probe, analyse, clips and export, valid and in order', async () => {
    const { progress } = await runClipCut({ input: sample.path, exports: ['json', 'thumbnails'] });
    for (const p of progress) expect(findSchemaProblem(ClipCutProgressSchema, p)).toBeUndefined();
    const stages = progress.map((p) => p.stage).filter((s, i, all) => all[i - 1] !== s);
    expect(stages).toEqual(['probe', 'analyse', 'clips', 'export']);
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions[fractions.length - 1]).toBe(1);
    const analyse = progress.filter((p) => p.stage === 'analyse');
    expect(analyse[0]).toMatchObject({ totalFrames: sample.frameCount });
    // Throttled: far fewer events than frames.
    expect(analyse.length).toBeLessThan(sample.frameCount / 4);
  });

  it('names outputs after params.name, made safe for file systems', async () => {
    const { result, outputDir } = await runClipCut({ input: sample.path, name: 'take: 1*?', exports: ['json', 'edl'] });
    expect(readdirSync(outputDir).sort()).toEqual(['take_ 1__.edl', 'take_ 1__.json']);
    expect(result.outputs.edl).toBe(join(outputDir, 'take_ 1__.edl'));
  });

  it('leaves nothing behind when cancelled', async () => {
    const controller = new AbortController();
    const outputDir = outDir();
    const run = clipCutOperation.run(
      { input: sample.path, exports: ['json', 'clips'] },
      { signal: controller.signal, outputDir, onProgress: (p) => p.stage === 'clips' && controller.abort() },
    );
    const error = await failure(run);
    expect(error.code).toBe('CANCELLED');
    expect(readdirSync(outputDir)).toEqual([]);
  });

  it('refuses, before any work, names that exist, and leaves them alone', async () => {
    const outputDir = outDir();
    mkdirSync(join(outputDir, 'sample.edl')); // in the way of the EDL
    writeFileSync(join(outputDir, 'sample-clip-007.mp4'), 'a clip of an earlier run');
    const progress: ClipCutProgress[] = [];
    const run = (exports: ClipCutParams['exports']) =>
      failure(clipCutOperation.run({ input: sample.path, exports }, { signal: new AbortController().signal, onProgress: (p) => progress.push(p), outputDir }));
    const edl = await run(['clips', 'edl', 'json']);
    expect(edl).toMatchObject({ code: 'OUTPUT_EXISTS', message: `${join(outputDir, 'sample.edl')} already exists: pass overwrite: true (--overwrite) to replace it, or choose another name or output folder` });
    // Clip files are numbered once the cuts are known, but one of the name is there already.
    expect(await run(['clips'])).toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringContaining('sample-clip-007.mp4 already exists') });
    expect(progress.map((p) => p.stage)).not.toContain('analyse');
    expect(readdirSync(outputDir).sort()).toEqual(['sample-clip-007.mp4', 'sample.edl']);
    expect(readFileSync(join(outputDir, 'sample-clip-007.mp4'), 'utf8')).toBe('a clip of an earlier run');
  });

  it('fails when a name is taken while it writes, and removes only its own files', async () => {
    const outputDir = outDir();
    const theirs = join(outputDir, 'sample.json');
    // Another run writes sample.json after this one checked the names, just before it commits.
    const onProgress = (p: ClipCutProgress) => p.stage === 'export' && p.fraction === 1 && writeFileSync(theirs, 'another run');
    const error = await failure(clipCutOperation.run({ input: sample.path, exports: ['clips', 'edl', 'json'] }, { signal: new AbortController().signal, onProgress, outputDir }));
    expect(error).toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringContaining('sample.json already exists') });
    expect(readdirSync(outputDir)).toEqual(['sample.json']);
    expect(readFileSync(theirs, 'utf8')).toBe('another run');
  });

  it('fails with one clear line and writes nothing for bad input', async () => {
    const outputDir = outDir();
    const missing = await failure(runClipCut({ input: join(root, 'missing.mp4') }, outputDir));
    expect(missing.code).toBe('INPUT_NOT_FOUND');
    const text = join(root, 'text.mp4');
    writeFileSync(text, 'not a video');
    const notVideo = await failure(runClipCut({ input: text, exports: ['json', 'clips'] }, outputDir));
    expect(notVideo.code).toBe('UNSUPPORTED_MEDIA');
    expect(notVideo.message).toContain(text);
    expect(readdirSync(outputDir)).toEqual([]);
    expect(existsSync(join(outputDir, 'text.json'))).toBe(false);
  });
});
