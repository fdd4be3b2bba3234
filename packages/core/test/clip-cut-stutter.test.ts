// Stuttering captures: a recorder that falls behind shows each frame 2-4 times and drops some.
// The analysis must see the repeats for what they are, even when the encoder makes them differ
// slightly, so that the first new frame after a repeat is motion and not a cut.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../src/media/index.js';
import { analyseFrames, type FrameScores } from '../src/ops/clip-cut/analyse.js';
import { clipCutOperation } from '../src/ops/clip-cut/index.js';
import { makeRealVideo, type RealVideo } from './helpers/real-corpus.js';

const root = mkdtempSync(join(tmpdir(), 'fw-stutter-'));
const shots = [
  { look: 'testsrc2', frames: 45 },
  { look: 'life', frames: 45 },
  { look: 'shake', frames: 45 },
] as const;
let cfr: RealVideo;
let reencoded: RealVideo;
let vfr: RealVideo;

beforeAll(async () => {
  [cfr, reencoded, vfr] = await Promise.all([
    makeRealVideo(root, 'cfr', { shots, stutter: { seed: 11, timing: 'cfr' } }),
    // Repeats that differ: grain added after the repeats, and a codec that keeps it.
    makeRealVideo(root, 'noisy', { shots, codec: 'mpeg4', stutter: { seed: 12, timing: 'cfr', noise: 4 } }),
    makeRealVideo(root, 'vfr', { shots, stutter: { seed: 11, timing: 'vfr' } }),
  ]);
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function scoresOf(video: RealVideo): Promise<FrameScores> {
  return analyseFrames(await probe(video.path), { width: 96 });
}

async function cutsOf(video: RealVideo) {
  const outputDir = mkdtempSync(join(root, 'out-'));
  return clipCutOperation.run({ input: video.path }, { signal: new AbortController().signal, onProgress: () => undefined, outputDir });
}

describe('repeated frames', () => {
  it('are marked as repeats, exact or re-encoded, and distinct frames are not', async () => {
    for (const video of [cfr, reencoded]) {
      const scores = await scoresOf(video);
      const truth = video.repeats!;
      let repeatsFound = 0;
      let distinctMarked = 0;
      truth.forEach((repeat, i) => {
        if (repeat && scores.repeat[i] === 1) repeatsFound++;
        if (!repeat && scores.repeat[i] === 1) distinctMarked++;
      });
      const repeats = truth.filter(Boolean).length;
      console.log(`${video.path.split('/').pop()}: ${repeats} repeats of ${truth.length} frames, ${repeatsFound} marked; ${distinctMarked} distinct frames marked`);
      expect(repeats).toBeGreaterThan(truth.length / 2);
      expect(repeatsFound / repeats).toBeGreaterThanOrEqual(0.95);
      expect(distinctMarked / (truth.length - repeats)).toBeLessThanOrEqual(0.05);
    }
  });

  it('would look like cuts next to their zero differences, which is why they are skipped', async () => {
    // Measured against the raw neighbours (repeats included), many new frames stand out three
    // times: the over-cutting the repeat detection prevents.
    const scores = await scoresOf(cfr);
    let spikes = 0;
    for (let i = 3; i < scores.frameCount - 3; i++) {
      if (scores.repeat[i] === 1 || scores.content[i]! < 10) continue;
      const around = [i - 2, i - 1, i + 1, i + 2].map((j) => scores.content[j]!);
      if (scores.content[i]! >= 3 * (around.reduce((a, b) => a + b, 0) / around.length)) spikes++;
    }
    console.log(`frames that stand out 3x against raw neighbours: ${spikes}`);
    expect(spikes).toBeGreaterThanOrEqual(10);
  });
});

describe('clip-cut on a stuttering capture', () => {
  it('gives exactly the real cuts at 30 fps CFR, with exact and with re-encoded repeats', async () => {
    for (const video of [cfr, reencoded]) {
      const result = await cutsOf(video);
      expect(result.cuts.map((c) => c.frame)).toEqual(video.hardCuts);
      expect(result.transitions).toEqual([]);
    }
  });

  it('gives the same cuts at the same seconds when the capture is variable-rate', async () => {
    const [a, b] = await Promise.all([cutsOf(cfr), cutsOf(vfr)]);
    expect(b.variableFrameRate).toBeDefined();
    expect(b.cuts.map((c) => c.frame)).toEqual(vfr.hardCuts);
    b.cuts.forEach((cut, i) => expect(Math.abs(cut.seconds - vfr.hardCutSeconds[i]!)).toBeLessThan(0.5 / 30));
    expect(b.cuts).toHaveLength(a.cuts.length);
    b.cuts.forEach((cut, i) => expect(cut.seconds).toBeCloseTo(a.cuts[i]!.seconds, 6));
  });
});
