// clip-cut's remove silence: auto-editor's default edit on a recording with known loud and quiet
// parts, checked frame for frame against a plain reference of the algorithm written here (peaks of
// 1600-sample chunks of s16 audio, margins as a dilation, smoothing over runs), and through the CLI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { ChunkBoundaries, readChunkLoudness } from '../src/media/index.js';
import { clipCutOperation } from '../src/ops/clip-cut/index.js';
import { applyMargin, isLoud, keptRanges, parseMargin, parseThreshold, secondsToFrames, smoothMask, toUnorm16 } from '../src/ops/clip-cut/remove.js';
import { ClipCutResultSchema, findSchemaProblem, type ClipCutParams, type ClipCutResult } from '../src/protocol/index.js';
import { captureIo } from './helpers/captured-io.js';
import { ffmpeg, makeRecording, readPcm16, speak } from './helpers/speech-media.js';

const root = mkdtempSync(join(tmpdir(), 'fw-remove-'));
const FPS = 30;
const SECONDS = 10;
let recording: string;
let pcm: Int16Array;

// Stereo: tones at 0.5 with a 0.1 s gap, 1.5 s of silence, a one-frame blip, a tone at 0.035
// (-29.1 dBFS: quiet at 0.04 and at -28dB, loud at -30dB), speech at 6.5 s, a tone on the right only.
const tone = (from: number, to: number, amp: number) => `between(t,${from},${to})*${amp}*sin(2*PI*440*t)`;
const LEFT = [tone(0, 0.999, 0.5), tone(1.1, 1.999, 0.5), tone(3.5, 3.533, 0.5), tone(4.5, 5.5, 0.035)].join('+');
const RIGHT = [LEFT, tone(9.6, 9.9, 0.3)].join('+');

beforeAll(() => {
  const wav = speak(root, 'speech', 'Remove the silences and keep the speech.');
  recording = makeRecording(join(root, 'talk.mkv'), { seconds: SECONDS, left: LEFT, right: RIGHT, speech: [{ wav, at: 6.5 }] });
  pcm = readPcm16(recording, 2);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Reference {
  threshold: number;
  before: number;
  after: number;
  minSilence: number;
  minKept: number;
}
const DEFAULTS: Reference = { threshold: 0.04, before: 0.2, after: 0.2, minSilence: 0.2, minKept: 0.1 };

/** The edit, written out plainly: 48000 / 30 = 1600 samples a frame, so no rounding is involved. */
function referenceKept(frameCount: number, s: Reference): Array<[number, number]> {
  const chunk = 48000 / FPS;
  const chunks = Math.floor(pcm.length / 2 / chunk);
  const loud: boolean[] = [];
  // auto-editor keeps loudness as 16-bit unsigned normalised values (rounded in float32) and compares those.
  const unorm = (v: number) => Math.floor(Math.fround(Math.fround(Math.min(1, Math.fround(v))) * 65535) + 0.5);
  for (let k = 0; k < frameCount; k++) {
    let peak = 0;
    for (let i = k * chunk * 2; k < chunks && i < (k + 1) * chunk * 2; i++) peak = Math.max(peak, Math.min(32767, Math.abs(pcm[i]!)));
    loud.push(k < chunks && unorm(peak / 32767) >= unorm(s.threshold));
  }
  const frames = (seconds: number) => Math.round(seconds * FPS);
  const [before, after] = [frames(s.before), frames(s.after)];
  // A frame is kept when a loud frame lies at most `before` frames after it or `after` frames before it.
  let mask = loud.map((_, j) => loud.slice(Math.max(0, j - after), j + before + 1).some(Boolean));
  const [minSilence, minKept] = [frames(s.minSilence), frames(s.minKept)];
  for (;;) {
    const runs: Array<{ on: boolean; start: number; length: number }> = [];
    mask.forEach((on, j) => {
      const last = runs[runs.length - 1];
      if (last !== undefined && last.on === on) last.length++;
      else runs.push({ on, start: j, length: 1 });
    });
    const next = mask.slice();
    for (const run of runs) {
      const limit = run.on ? minKept : minSilence;
      // auto-editor also flips a run at the very end that is exactly the limit long.
      const atEnd = run.start + run.length === mask.length;
      if (run.length < limit || (atEnd && run.length <= limit)) next.fill(!run.on, run.start, run.start + run.length);
    }
    if (next.every((v, j) => v === mask[j])) break;
    mask = next;
  }
  const out: Array<[number, number]> = [];
  mask.forEach((on, j) => {
    if (on && (j === 0 || !mask[j - 1])) out.push([j, j + 1]);
    else if (on) out[out.length - 1]![1] = j + 1;
  });
  return out;
}

async function removeSilence(removeOptions?: ClipCutParams['removeOptions']): Promise<ClipCutResult> {
  const outputDir = mkdtempSync(join(root, 'out-'));
  return clipCutOperation.run(
    { input: recording, detectors: ['content'], remove: ['silence'], exports: [], ...(removeOptions === undefined ? {} : { removeOptions }) },
    { signal: new AbortController().signal, onProgress: () => undefined, outputDir },
  );
}

const ranges = (result: ClipCutResult) => result.kept!.map((k) => [k.startFrame, k.endFrame]);

describe('remove silence, the algorithm', () => {
  it('reads thresholds as ratios, percentages and dB, margins as one or two seconds values', () => {
    expect(parseThreshold('0.04')).toBe(0.04);
    expect(parseThreshold('4%')).toBe(0.04);
    expect(parseThreshold('-28dB')).toBeCloseTo(0.0398, 4);
    expect(parseThreshold('0dB')).toBe(1);
    expect(() => parseThreshold('loud')).toThrow(/not a ratio/);
    expect(() => parseThreshold('3dB')).toThrow(/outside 0 to 1/);
    expect(parseMargin('0.2s')).toEqual({ before: 0.2, after: 0.2 });
    expect(parseMargin('0.1s,0.3sec')).toEqual({ before: 0.1, after: 0.3 });
    expect(parseMargin('-0.1,0')).toEqual({ before: -0.1, after: 0 });
    expect(() => parseMargin('1,2,3')).toThrow(/more than two/);
    expect(() => parseMargin('soon')).toThrow(/not seconds/);
  });

  it('counts seconds in frames as auto-editor does: milliseconds times fps, truncated', () => {
    expect(secondsToFrames(0.2, { num: 30, den: 1 })).toBe(6);
    expect(secondsToFrames(0.1, { num: 30, den: 1 })).toBe(3);
    expect(secondsToFrames(0.2, { num: 30000, den: 1001 })).toBe(5);
    expect(secondsToFrames(-0.2, { num: 25, den: 1 })).toBe(-5);
  });

  it('compares loudness as auto-editor stores it, in 16-bit steps of full scale', () => {
    expect([toUnorm16(0), toUnorm16(0.04), toUnorm16(1), toUnorm16(1.5)]).toEqual([0, 2621, 65535, 65535]);
    expect(isLoud(0.04, 0.04)).toBe(true);
    // Within the same 1/65535 step as the threshold is loud; one step below is not.
    expect(isLoud(0.04 - 0.4 / 65535, 0.04)).toBe(true);
    expect(isLoud(0.04 - 1 / 65535, 0.04)).toBe(false);
  });

  it('adds margins before and after each loud stretch, and negative margins trim it', () => {
    const mask = Uint8Array.from([0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0]);
    applyMargin(mask, 2, 1);
    expect([...mask]).toEqual([0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0]);
    const trimmed = Uint8Array.from([0, 1, 1, 1, 1, 0]);
    applyMargin(trimmed, -1, -1);
    expect([...trimmed]).toEqual([0, 0, 1, 1, 0, 0]);
  });

  it('smooths until nothing changes: short silences kept, short loud stretches dropped', () => {
    const mask = Uint8Array.from([1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    smoothMask(mask, 2, 2);
    expect(keptRanges(mask)).toEqual([{ startFrame: 0, endFrame: 9 }]);
  });

  it('cuts audio into frame-long chunks that never drift, as auto-editor rounds them', () => {
    const fps = { num: 30000, den: 1001 };
    const boundaries = new ChunkBoundaries(44100, fps);
    let at = 0;
    let drift = 0;
    const sizes = new Set<number>();
    for (let k = 1; k <= 30000; k++) {
      const size = boundaries.next();
      sizes.add(size);
      at += size;
      drift = Math.max(drift, Math.abs(at - (k * 44100 * 1001) / 30000));
    }
    expect([...sizes].sort()).toEqual([1471, 1472]);
    expect(drift).toBeLessThanOrEqual(0.5);
    expect(at).toBe(44100 * 1001);
    expect(boundaries.minimumLeft).toBe(1472);
  });
});

describe('remove silence on a recording', () => {
  it('measures each frame\'s loudness as the s16 peak over both channels ÷ 32767', async () => {
    const loudness = await readChunkLoudness(recording, { fps: { num: FPS, den: 1 }, sampleRate: 48000, channels: 2 });
    expect(loudness.levels.length).toBe(SECONDS * FPS);
    expect(loudness.levels[15]).toBeCloseTo(0.5, 2);
    expect(loudness.levels[75]).toBe(0);
    expect(loudness.levels[150]).toBeCloseTo(0.035, 3);
    expect(loudness.levels[Math.round(9.75 * FPS)]).toBeCloseTo(0.3, 2);
  });

  it('keeps exactly the reference edit with auto-editor\'s defaults, and the tones as designed', async () => {
    const result = await removeSilence();
    expect(findSchemaProblem(ClipCutResultSchema, result)).toBeUndefined();
    expect(ranges(result)).toEqual(referenceKept(result.frameCount, DEFAULTS));
    // Tones 0-2 s with their 0.1 s gap, then 0.2 s after; the blip at 3.5 s with 0.2 s on each side.
    expect(ranges(result).slice(0, 2)).toEqual([[0, 66], [99, 112]]);
    const total = result.kept!.reduce((sum, k) => sum + k.endSeconds - k.startSeconds, 0);
    expect(result.keptSeconds).toBeCloseTo(total, 5);
    expect(result.removedSeconds).toBeCloseTo(result.durationSeconds - total, 5);
    // The tone at -29.1 dBFS is below 0.04: frames 135-165 are removed.
    expect(result.kept!.some((k) => k.startFrame < 165 && k.endFrame > 135)).toBe(false);
  });

  it('takes the threshold as a ratio or in dB with the same result', async () => {
    const db = await removeSilence({ silenceThreshold: parseThreshold('-30dB') });
    const ratio = await removeSilence({ silenceThreshold: 0.0316227766 });
    expect(ranges(db)).toEqual(ranges(ratio));
    expect(ranges(db)).toEqual(referenceKept(db.frameCount, { ...DEFAULTS, threshold: 10 ** (-30 / 20) }));
    expect(ranges(db)).toContainEqual([129, 171]);
    const db28 = await removeSilence({ silenceThreshold: parseThreshold('-28dB') });
    expect(ranges(db28)).toEqual(ranges(await removeSilence()));
  });

  it('changes the edit with the margins as asked, asymmetric too', async () => {
    const asymmetric = await removeSilence({ marginBeforeSeconds: 0.1, marginAfterSeconds: 0.3 });
    expect(ranges(asymmetric)).toEqual(referenceKept(asymmetric.frameCount, { ...DEFAULTS, before: 0.1, after: 0.3 }));
    expect(ranges(asymmetric).slice(0, 2)).toEqual([[0, 69], [102, 115]]);
  });

  it('smoothing keeps the short gap and drops the blip; without it both stay as they are', async () => {
    const smoothed = await removeSilence({ marginBeforeSeconds: 0, marginAfterSeconds: 0 });
    expect(ranges(smoothed)).toEqual(referenceKept(smoothed.frameCount, { ...DEFAULTS, before: 0, after: 0 }));
    expect(ranges(smoothed)[0]).toEqual([0, 60]);
    expect(smoothed.kept!.some((k) => k.startFrame <= 105 && k.endFrame > 105)).toBe(false);
    const raw = await removeSilence({ marginBeforeSeconds: 0, marginAfterSeconds: 0, minSilenceSeconds: 0, minKeptSeconds: 0 });
    expect(ranges(raw)).toEqual(referenceKept(raw.frameCount, { ...DEFAULTS, before: 0, after: 0, minSilence: 0, minKept: 0 }));
    expect(ranges(raw).slice(0, 3)).toEqual([[0, 30], [33, 60], [105, 106]]);
  });

  it('hears every audio stream, as auto-editor\'s stream=all: a frame is loud when any track is', async () => {
    // Two tracks, as OBS records them: the first loud for 0-1 s, the second for 2-3 s.
    const tracks = join(root, 'tracks.mkv');
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=gray:s=64x48:r=30:d=4',
      '-f', 'lavfi', '-i', `aevalsrc='${tone(0, 0.999, 0.5)}':s=48000:d=4`, '-f', 'lavfi', '-i', `aevalsrc='${tone(2, 2.999, 0.5)}':s=44100:d=4`,
      '-map', '0:v', '-map', '1:a', '-map', '2:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'pcm_s16le', '-t', '4', tracks]);
    const result = await clipCutOperation.run(
      { input: tracks, detectors: ['content'], remove: ['silence'], exports: [] },
      { signal: new AbortController().signal, onProgress: () => undefined, outputDir: mkdtempSync(join(root, 'out-')) },
    );
    expect(ranges(result)).toEqual([[0, 36], [54, 96]]);
  });

  it('is asked for on the command line, and --json prints the kept ranges', async () => {
    const io = captureIo(root);
    const code = await main(['clip-cut', recording, '--out', mkdtempSync(join(root, 'cli-')), '--export', 'json', '--detectors', 'content',
      '--remove', 'silence', '--silence-threshold', '-30dB', '--margin', '0.1s,0.3s', '--smooth', '0.2s,0.1s', '--json'], io);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    const printed = JSON.parse(io.out) as ClipCutResult;
    expect(ranges(printed)).toEqual(referenceKept(printed.frameCount, { ...DEFAULTS, threshold: 10 ** (-30 / 20), before: 0.1, after: 0.3 }));
    const bad = captureIo(root);
    expect(await main(['clip-cut', recording, '--remove', 'silence', '--silence-threshold', 'quiet'], bad)).toBe(2);
    expect(bad.err).toMatch(/--silence-threshold: threshold "quiet" is not a ratio/);
  });

  it('refuses a video without audio, and render without remove, in one line', async () => {
    const silent = join(root, 'mute.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=gray:s=64x48:r=30:d=1', '-c:v', 'libx264', '-preset', 'ultrafast', silent]);
    const context = { signal: new AbortController().signal, onProgress: () => undefined, outputDir: mkdtempSync(join(root, 'out-')) };
    await expect(clipCutOperation.run({ input: silent, remove: ['silence'], exports: [] }, context)).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA', message: expect.stringMatching(/needs audio/) });
    await expect(clipCutOperation.check!({ input: recording, exports: ['render'] })).rejects.toMatchObject({ code: 'INVALID_PARAMS', pointer: '/exports' });
  });
});
