// Shot-detection accuracy of clip-cut with its default settings on a synthetic corpus: videos made
// from ffmpeg's lavfi sources with known hard cuts, at several sizes and at 25, 29.97 and 60 fps,
// with camera flashes and fades as distractors. A detected cut counts when it is within one frame
// of a true cut (each true cut matches at most once).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipCutOperation } from '../packages/core/src/ops/clip-cut/index.js';
import { makeVideo, tempDir, type GeneratedVideo, type Segment, type VideoSpec } from './helpers/media.js';

/** A white flash covering frames [at, at + frames) of a shot. */
const flash = (at: number, frames: number) => `drawbox=c=white:t=fill:enable='between(n,${at},${at + frames - 1})'`;
/** A camera flash: a sharp brightening that decays over a few frames. */
const cameraFlash = (at: number) => `eq=brightness=0.55:enable='eq(n,${at})',eq=brightness=0.3:enable='eq(n,${at + 1})',eq=brightness=0.12:enable='eq(n,${at + 2})'`;
const fadeOut = (frames: number, n: number, colour = 'black') => `fade=t=out:s=${frames - n}:n=${n}:c=${colour}`;
const fadeIn = (n: number, colour = 'black') => `fade=t=in:s=0:n=${n}:c=${colour}`;
const noisy = (colour: string, strength = 25) => ({ source: `color=c=${colour}`, filter: `noise=alls=${strength}:allf=t` });
const shot = (source: string, frames: number, filter?: string): Segment => (filter === undefined ? { source, frames } : { source, frames, filter });

const CORPUS: Array<{ name: string; spec: VideoSpec }> = [
  { name: 'bars-and-patterns-25', spec: { fps: '25', width: 320, height: 180, segments: [
    shot('testsrc2', 40), shot('smptehdbars', 30), shot('mandelbrot=maxiter=200', 40), shot('rgbtestsrc', 30)] } },
  { name: 'automata-with-flash-2997', spec: { fps: '30000/1001', width: 256, height: 144, segments: [
    shot('life=mold=10:ratio=0.3:life_color=#c0e040:seed=1', 45), shot('cellauto=rule=30:random_seed=1', 35), shot('testsrc', 40, flash(15, 1))] } },
  { name: 'noisy-colours-60', spec: { fps: '60', width: 192, height: 108, segments: [
    { ...noisy('0x902020'), frames: 60, filter: `noise=alls=25:allf=t,${flash(30, 2)}` }, { ...noisy('0x203090'), frames: 60 }, { ...noisy('0x808030', 35), frames: 50 }] } },
  { name: 'fade-through-black-25', spec: { fps: '25', width: 320, height: 180, segments: [
    shot('testsrc2', 45, fadeOut(45, 10)), shot('smptehdbars', 40, fadeIn(10)), shot('mandelbrot=maxiter=200', 35)] } },
  { name: 'gradients-and-bars-2997', spec: { fps: '30000/1001', width: 320, height: 180, segments: [
    shot('cellauto=rule=110:random_seed=2', 30), shot('gradients=speed=0.03:seed=1', 45, flash(20, 3)), shot('yuvtestsrc', 30), shot('smptebars', 30)] } },
  { name: 'fade-through-white-60', spec: { fps: '60', width: 256, height: 144, segments: [
    shot('mandelbrot=maxiter=200', 50), shot('life=ratio=0.25:mold=5:seed=2', 60, fadeOut(60, 12, 'white')), shot('testsrc2', 50, fadeIn(12, 'white'))] } },
  { name: 'dark-noisy-greys-25', spec: { fps: '25', width: 160, height: 120, segments: [
    { ...noisy('0x303030', 20), frames: 35 }, { ...noisy('0x283858', 20), frames: 35 }, shot('testsrc', 30)] } },
  { name: 'five-short-shots-2997', spec: { fps: '30000/1001', width: 192, height: 108, segments: [
    shot('testsrc2', 25), shot('rgbtestsrc', 25), shot('smptehdbars', 25), shot('cellauto=rule=90:random_seed=3', 25), shot('testsrc', 25)] } },
  { name: 'camera-flash-60', spec: { fps: '60', width: 320, height: 180, segments: [
    shot('gradients=speed=0.02:seed=2', 50), shot('mandelbrot=maxiter=200', 60, cameraFlash(25)), { ...noisy('0x6090c0'), frames: 50 }] } },
  { name: 'life-and-bars-25', spec: { fps: '25', width: 256, height: 144, segments: [
    shot('life=ratio=0.2:mold=8:life_color=#40c0ff:seed=3', 35), shot('smptehdbars', 30), shot('life=ratio=0.5:death_color=#402000:seed=4', 35), shot('testsrc', 30)] } },
  { name: 'fade-out-hard-in-2997', spec: { fps: '30000/1001', width: 160, height: 120, segments: [
    shot('yuvtestsrc', 40, fadeOut(40, 8)), shot('testsrc2', 40), { ...noisy('0x20a040', 30), frames: 40, filter: `noise=alls=30:allf=t,${flash(12, 1)}` }] } },
  { name: 'flash-near-cut-60', spec: { fps: '60', width: 192, height: 108, segments: [
    shot('smptebars', 45), shot('cellauto=rule=150:random_seed=4', 50), shot('testsrc2', 60, flash(40, 1)), shot('rgbtestsrc', 45)] } },
  { name: 'fast-pans-25', spec: { fps: '25', width: 256, height: 144, segments: [
    shot('smptehdbars', 40, 'scroll=h=0.04'), shot('testsrc2', 40, 'scroll=v=0.05'), shot('smptehdbars', 40, 'hue=h=120,scroll=h=-0.06')] } },
  { name: 'same-source-reframed-2997', spec: { fps: '30000/1001', width: 192, height: 108, segments: [
    shot('testsrc2', 40), shot('testsrc2', 40, 'hflip,hue=h=90'), shot('testsrc2', 40, 'crop=iw/2:ih/2,scale=192:108')] } },
];

interface Tally {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

/** Matches detected cuts to true cuts within ±`tolerance` frames, each true cut at most once. */
function score(truth: readonly number[], detected: readonly number[], tolerance = 1): Tally {
  const unmatched = [...truth];
  let truePositives = 0;
  for (const frame of detected) {
    const i = unmatched.findIndex((t) => Math.abs(t - frame) <= tolerance);
    if (i >= 0) {
      unmatched.splice(i, 1);
      truePositives++;
    }
  }
  return { truePositives, falsePositives: detected.length - truePositives, falseNegatives: unmatched.length };
}

/** Runs `work` over `items` with at most `limit` at a time (the test machines have few cores). */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

describe('clip-cut on the synthetic corpus (default settings)', () => {
  const dir = tempDir('fw-corpus-');
  let videos: GeneratedVideo[] = [];

  beforeAll(async () => {
    videos = await pool(CORPUS, 3, (c) => makeVideo(dir, c.name, c.spec));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the hard cuts with F1 >= 0.95 at ±1 frame, ignoring flashes and fades', async () => {
    expect(videos.length).toBeGreaterThanOrEqual(10);
    const outputDir = tempDir('fw-corpus-out-');
    const rows = await pool(videos, 2, async (video, ) => {
      const result = await clipCutOperation.run(
        { input: video.path },
        { signal: new AbortController().signal, onProgress: () => undefined, outputDir },
      );
      expect(result.frameCount).toBe(video.frameCount);
      const detected = result.cuts.map((c) => c.frame);
      return { video, detected, tally: score(video.cuts, detected) };
    });
    rmSync(outputDir, { recursive: true, force: true });

    const total = rows.reduce<Tally>((t, r) => ({
      truePositives: t.truePositives + r.tally.truePositives,
      falsePositives: t.falsePositives + r.tally.falsePositives,
      falseNegatives: t.falseNegatives + r.tally.falseNegatives,
    }), { truePositives: 0, falsePositives: 0, falseNegatives: 0 });
    const precision = total.truePositives / Math.max(1, total.truePositives + total.falsePositives);
    const recall = total.truePositives / Math.max(1, total.truePositives + total.falseNegatives);
    const f1 = (2 * precision * recall) / Math.max(1e-9, precision + recall);
    for (const r of rows) {
      const name = r.video.path.split('/').pop();
      console.log(`${name}: truth ${JSON.stringify(r.video.cuts)} detected ${JSON.stringify(r.detected)}`);
    }
    console.log(
      `corpus: ${rows.length} videos, ${total.truePositives + total.falseNegatives} true cuts; ` +
      `TP ${total.truePositives} FP ${total.falsePositives} FN ${total.falseNegatives}; ` +
      `precision ${precision.toFixed(3)} recall ${recall.toFixed(3)} F1 ${f1.toFixed(3)}`,
    );
    expect(f1).toBeGreaterThanOrEqual(0.95);
  });

  it('has distractors that fool a bare content threshold (flashes, noise, pans)', async () => {
    // Without flash suppression and the adaptive check, the same corpus gives false cuts: the
    // distractors are real, and the F1 above is earned by the detectors, not by an easy corpus.
    const outputDir = tempDir('fw-corpus-naive-');
    const picked = videos.filter((v) => /flash|noisy|pans/.test(v.path));
    const falsePositives = await pool(picked, 2, async (video) => {
      const result = await clipCutOperation.run(
        { input: video.path, detectors: ['content'], flashSuppression: false, minClipSeconds: 0, thresholds: { content: 15 } },
        { signal: new AbortController().signal, onProgress: () => undefined, outputDir },
      );
      return score(video.cuts, result.cuts.map((c) => c.frame)).falsePositives;
    });
    rmSync(outputDir, { recursive: true, force: true });
    console.log(`bare content threshold: false cuts per distractor video ${JSON.stringify(falsePositives)}`);
    expect(falsePositives.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3);
  });
});
