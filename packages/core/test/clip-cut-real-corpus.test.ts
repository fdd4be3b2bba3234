// clip-cut with its default settings on a corpus that looks like recordings (helpers/real-corpus.ts):
// moving, zooming, panning and shaking shots joined by hard cuts, dissolves and fades of 10-40
// frames, in four codecs at 25, 29.97 and 60 fps; stuttering captures as CFR and VFR; darkened
// footage; flashes. Hard cuts count when within one frame, transitions when of the right kind with
// their first and last frame within three frames. The figures are printed for the record.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipCutOperation } from '../src/ops/clip-cut/index.js';
import { ClipCutResultSchema, findSchemaProblem, type ClipCutResult } from '../src/protocol/index.js';
import { makeRealVideo, pool, REAL_CORPUS, type CorpusEntry, type RealVideo, type TruthTransition } from './helpers/real-corpus.js';

interface Row {
  readonly entry: CorpusEntry;
  readonly video: RealVideo;
  readonly result: ClipCutResult;
}

const root = mkdtempSync(join(tmpdir(), 'fw-real-corpus-'));
let rows: Row[] = [];

beforeAll(async () => {
  const outputDir = mkdtempSync(join(root, 'out-'));
  rows = await pool(REAL_CORPUS, 2, async (entry) => {
    const video = await makeRealVideo(root, entry.name, entry.spec);
    const result = await clipCutOperation.run({ input: video.path, exports: ['json'] }, { signal: new AbortController().signal, onProgress: () => undefined, outputDir });
    return { entry, video, result };
  });
}, 600_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const near = (a: number, b: number, tolerance: number) => Math.abs(a - b) <= tolerance;

/** Detected cuts that are not a truth transition's own cut, matched to hard cuts within a frame. */
function hardCutTally(row: Row): { truePositives: number; falsePositives: number; falseNegatives: number } {
  const inTransition = (frame: number) => row.video.transitions.some((t) => frame >= t.startFrame - 2 && frame <= t.endFrame + 2);
  const detected = row.result.cuts.map((c) => c.frame).filter((f) => !inTransition(f) || row.video.hardCuts.some((h) => near(h, f, 1)));
  const unmatched = [...row.video.hardCuts];
  let truePositives = 0;
  for (const frame of detected) {
    const i = unmatched.findIndex((t) => near(t, frame, 1));
    if (i >= 0) {
      unmatched.splice(i, 1);
      truePositives++;
    }
  }
  return { truePositives, falsePositives: detected.length - truePositives, falseNegatives: unmatched.length };
}

/** Truth transitions found (right kind, ends within 3 frames) and detected transitions that are none of them. */
function transitionTally(row: Row): { found: TruthTransition[]; missed: TruthTransition[]; spurious: number } {
  const missed = [...row.video.transitions];
  const found: TruthTransition[] = [];
  let spurious = 0;
  for (const t of row.result.transitions ?? []) {
    const i = missed.findIndex((m) => m.kind === t.kind && near(m.startFrame, t.startFrame, 3) && near(m.endFrame, t.endFrame, 3));
    if (i < 0) spurious++;
    else found.push(...missed.splice(i, 1));
  }
  return { found, missed, spurious };
}

const describeTransition = (t: { kind: string; startFrame: number; endFrame: number; cutFrame?: number }) => `${t.kind} [${t.startFrame}, ${t.endFrame})${t.cutFrame === undefined ? '' : ` cut ${t.cutFrame}`}`;

describe('clip-cut on the recording-like corpus (default settings)', () => {
  it('writes valid results and prints every video\'s cuts and transitions', () => {
    expect(rows).toHaveLength(REAL_CORPUS.length);
    for (const { entry, video, result } of rows) {
      expect(findSchemaProblem(ClipCutResultSchema, result), entry.name).toBeUndefined();
      expect(result.frameCount, entry.name).toBe(video.frameCount);
      console.log(
        `${entry.name}: cuts truth ${JSON.stringify(video.hardCuts)} found ${JSON.stringify(result.cuts.map((c) => c.frame))}; ` +
          `transitions truth ${video.transitions.map(describeTransition).join(', ') || '-'} found ${(result.transitions ?? []).map(describeTransition).join(', ') || '-'}`,
      );
    }
  });

  it('finds the hard cuts with F1 >= 0.95 at ±1 frame', () => {
    const total = rows.map(hardCutTally).reduce((a, b) => ({
      truePositives: a.truePositives + b.truePositives,
      falsePositives: a.falsePositives + b.falsePositives,
      falseNegatives: a.falseNegatives + b.falseNegatives,
    }));
    const precision = total.truePositives / Math.max(1, total.truePositives + total.falsePositives);
    const recall = total.truePositives / Math.max(1, total.truePositives + total.falseNegatives);
    const f1 = (2 * precision * recall) / Math.max(1e-9, precision + recall);
    console.log(`hard cuts: TP ${total.truePositives} FP ${total.falsePositives} FN ${total.falseNegatives}; precision ${precision.toFixed(3)} recall ${recall.toFixed(3)} F1 ${f1.toFixed(3)}`);
    expect(total.truePositives + total.falseNegatives).toBeGreaterThanOrEqual(25);
    expect(f1).toBeGreaterThanOrEqual(0.95);
  });

  it('finds >= 90% of the dissolves and fades as one transition each, within 3 frames, cut where an editor cuts', () => {
    const tallies = rows.filter((r) => r.entry.group === 'transitions').map((r) => ({ row: r, ...transitionTally(r) }));
    const found = tallies.reduce((n, t) => n + t.found.length, 0);
    const truth = tallies.reduce((n, t) => n + t.found.length + t.missed.length, 0);
    const spurious = tallies.reduce((n, t) => n + t.spurious, 0);
    for (const t of tallies) if (t.missed.length > 0) console.log(`${t.row.entry.name}: missed ${t.missed.map(describeTransition).join(', ')}`);
    console.log(`transitions: found ${found} of ${truth} (recall ${(found / truth).toFixed(3)}), ${spurious} spurious (precision ${(found / Math.max(1, found + spurious)).toFixed(3)})`);
    expect(truth).toBeGreaterThanOrEqual(15);
    expect(found / truth).toBeGreaterThanOrEqual(0.9);
    expect(spurious).toBeLessThanOrEqual(1);
    for (const { row, found: matched } of tallies) {
      for (const truthTransition of matched) {
        const t = row.result.transitions!.find((d) => d.kind === truthTransition.kind && near(d.startFrame, truthTransition.startFrame, 3))!;
        // The transition and its truth cut (a fade-in's hard cut lies before the colour it fades in from).
        const from = Math.min(t.startFrame, truthTransition.cutFrame) - 2;
        const to = Math.max(t.endFrame, truthTransition.cutFrame) + 2;
        const cuts = row.result.cuts.filter((c) => c.frame >= from && c.frame <= to).map((c) => c.frame);
        if (t.kind === 'dissolve' || t.kind.startsWith('fade-through')) {
          // One cut for the whole transition: the middle of a dissolve, the colour of a fade-through.
          expect(cuts, `${row.entry.name} ${describeTransition(t)}`).toEqual([t.cutFrame]);
          expect(near(t.cutFrame!, truthTransition.cutFrame, t.kind === 'dissolve' ? 3 : 4), `${row.entry.name} ${describeTransition(t)}`).toBe(true);
        } else {
          // A fade-out or fade-in next to a hard cut: that cut, and none inside the fade.
          expect(cuts, `${row.entry.name} ${describeTransition(t)}`).toEqual([truthTransition.cutFrame]);
        }
      }
    }
  });

  it('reports no transition on still shots, pans, zooms, shakes, stutter, dark footage or flashes', () => {
    for (const { entry, result } of rows.filter((r) => r.entry.group !== 'transitions')) {
      expect(result.transitions ?? [], entry.name).toEqual([]);
    }
  });

  it('gives a stuttering capture exactly its real cuts, as 30 fps CFR and as VFR at the right seconds', () => {
    for (const { entry, video, result } of rows.filter((r) => r.entry.group === 'stutter')) {
      expect(result.cuts.map((c) => c.frame), entry.name).toEqual(video.hardCuts);
      result.cuts.forEach((cut, i) => expect(near(cut.seconds, video.hardCutSeconds[i]!, 0.5 / 30), `${entry.name} cut ${i + 1}`).toBe(true));
    }
    const [cfr, vfr] = ['stutter-cfr', 'stutter-vfr'].map((name) => rows.find((r) => r.entry.name === name)!);
    expect(vfr!.result.variableFrameRate).toBeDefined();
    expect(cfr!.result.variableFrameRate).toBeUndefined();
    vfr!.result.cuts.forEach((cut, i) => expect(cut.seconds).toBeCloseTo(cfr!.result.cuts[i]!.seconds, 6));
  });

  it('finds the cuts of darkened footage (brightness -0.3, contrast x0.5) and no others', () => {
    for (const { entry, video, result } of rows.filter((r) => r.entry.group === 'dark')) {
      expect(result.cuts.map((c) => c.frame), entry.name).toEqual(video.hardCuts);
    }
  });

  it('cuts at none of the flashes', () => {
    for (const { entry, video, result } of rows.filter((r) => r.entry.group === 'flash')) {
      expect(result.cuts.map((c) => c.frame), entry.name).toEqual(video.hardCuts);
    }
  });
});
