// Turns per-frame scores into cuts: each selected detector proposes candidates, flashes are
// removed, candidates a frame or two apart are merged, and the minimum clip length is enforced
// (stronger cuts win).
import type { FrameTimeline, Silence } from '../../media/index.js';
import type { CLIP_CUT_DETECTORS } from '../../protocol/index.js';
import { MAX_FLASH_FRAMES, type FrameScores } from './analyse.js';
import { modelCandidates } from './shot-model-cuts.js';
import type { ShotModelScores } from './shot-model.js';

/** A detector name: one of the protocol's {@link CLIP_CUT_DETECTORS}. */
export type DetectorName = (typeof CLIP_CUT_DETECTORS)[number];

/** Detector settings with every default filled in. */
export interface DetectSettings {
  readonly detectors: readonly DetectorName[];
  /** Mean HSV difference (0-255) for a content cut. */
  readonly content: number;
  /** How many times its neighbourhood a frame's difference must be for an adaptive cut. */
  readonly adaptive: number;
  /** Histogram distance (0-1) for a histogram cut. */
  readonly histogram: number;
  /** Hash distance (0-1) for a hash cut. */
  readonly hash: number;
  /** Mean luma at or below which a frame is black (and at or above 255 minus it, white). */
  readonly fade: number;
  /** Shortest clip in frames (constant-rate video). */
  readonly minClipFrames: number;
  /** Shortest clip in seconds (variable-rate video, whose frames last different times). */
  readonly minClipSeconds: number;
  /** Drop pairs of cuts around 1-3 frame flashes. */
  readonly flashSuppression: boolean;
  /** Cut probability (0-1) above which the model detector's frames are a transition (default 0.5). */
  readonly model?: number;
}

/** A detected cut: the first frame of a new clip. */
export interface DetectedCut {
  /** First frame of the new clip. */
  readonly frame: number;
  /** Strength relative to the threshold of the strongest detector that found it (1 = at the threshold). */
  readonly score: number;
  /** Every detector that found it. */
  readonly detectors: DetectorName[];
}

interface Candidate {
  frame: number;
  score: number;
  detector: DetectorName;
}

/** Frames on each side that the adaptive detector compares a frame with. */
const ADAPTIVE_WINDOW = 2;
/** With `adaptive` selected, other detectors' hits must be at least this many times their neighbourhood. */
const LOCAL_PEAK_RATIO = 1.5;
/** The adaptive detector ignores differences below this share of the content threshold. */
const ADAPTIVE_FLOOR_SHARE = 0.4;
/** Candidates this close (in frames) are one cut. */
const MERGE_FRAMES = 2;
/** Hard-cut detectors place a cut exactly; the others less so, so they lose ties when merging. */
const PRECISE: ReadonlySet<DetectorName> = new Set(['content', 'adaptive', 'histogram', 'hash']);

/** The mean of `series` over `[i - w, i + w]` without `i` itself. */
function neighbourhoodMean(series: Float32Array, i: number, w: number): number {
  let sum = 0;
  let n = 0;
  for (let j = Math.max(1, i - w); j <= Math.min(series.length - 1, i + w); j++) {
    if (j === i) continue;
    sum += series[j]!;
    n++;
  }
  return n === 0 ? 0 : sum / n;
}

function ratioToNeighbours(series: Float32Array, i: number): number {
  const mean = neighbourhoodMean(series, i, ADAPTIVE_WINDOW);
  return series[i]! / Math.max(mean, 1e-3);
}

function differenceCandidates(scores: FrameScores, s: DetectSettings): Candidate[] {
  const selected = new Set(s.detectors);
  const vetted = selected.has('adaptive');
  const out: Candidate[] = [];
  const threshold = (name: 'content' | 'histogram' | 'hash', series: Float32Array) => {
    if (!selected.has(name)) return;
    const limit = s[name];
    for (let i = 1; i < scores.frameCount; i++) {
      const v = series[i]!;
      if (v < limit) continue;
      if (vetted && ratioToNeighbours(series, i) < LOCAL_PEAK_RATIO) continue;
      out.push({ frame: i, score: v / limit, detector: name });
    }
  };
  threshold('content', scores.content);
  threshold('histogram', scores.histogram);
  threshold('hash', scores.hash);
  if (vetted) {
    const floor = s.content * ADAPTIVE_FLOOR_SHARE;
    for (let i = 1; i < scores.frameCount; i++) {
      if (scores.content[i]! < floor) continue;
      const ratio = ratioToNeighbours(scores.content, i);
      if (ratio >= s.adaptive) out.push({ frame: i, score: ratio / s.adaptive, detector: 'adaptive' });
    }
  }
  return out;
}

/**
 * A candidate at `i` is a flash when, within {@link MAX_FLASH_FRAMES} frames, the picture comes
 * back to what it was before `i`: much closer to frame `i - 1` than the jump at `i` was.
 * Returns the last flash frame, or -1.
 */
function flashEnd(scores: FrameScores, i: number, threshold: number): number {
  const jump = scores.content[i]!;
  for (let k = 1; k <= MAX_FLASH_FRAMES; k++) {
    const after = i + k;
    if (after >= scores.frameCount) break;
    const back = scores.skip[k - 1]![after]!; // difference between frame i-1 and frame i+k
    if (back < threshold && back < jump * 0.5) return after - 1;
  }
  return -1;
}

function suppressFlashes(candidates: Candidate[], scores: FrameScores, s: DetectSettings): Candidate[] {
  const drop = new Set<number>();
  for (const c of candidates) {
    if (!PRECISE.has(c.detector) || drop.has(c.frame)) continue;
    const end = flashEnd(scores, c.frame, s.content);
    if (end < 0) continue;
    for (let f = c.frame; f <= end + 1; f++) drop.add(f);
  }
  return candidates.filter((c) => !(PRECISE.has(c.detector) && drop.has(c.frame)));
}

/**
 * Fades to or from black (or white): a run of extreme frames reached gradually, or left gradually
 * after more than a flash's length. The cut goes to the middle of the run (its darkest stretch);
 * runs touching the start or end of the video fade the whole video in or out and are no cut.
 */
function fadeCandidates(scores: FrameScores, s: DetectSettings): Candidate[] {
  const out: Candidate[] = [];
  const { luma, frameCount } = scores;
  const kind = (i: number) => (luma[i]! <= s.fade ? -1 : luma[i]! >= 255 - s.fade ? 1 : 0);
  // A ramp: the three frames next to the run move steadily away from the extreme, and the step
  // into the run is like the ramp's steps. A flash jumps in from a flat picture instead.
  const gradual = (edge: number, step: number, k: number) => {
    const at = (j: number) => luma[edge + step * j]!;
    if (edge + step * 3 < 0 || edge + step * 3 >= frameCount) return false;
    const away = (x: number, y: number) => (k < 0 ? y >= x : y <= x);
    if (!away(at(1), at(2)) || !away(at(2), at(3))) return false;
    const rampStep = Math.abs(at(3) - at(1)) / 2;
    return rampStep >= s.fade / 8 && Math.abs(at(1) - at(0)) <= 3 * rampStep + 2;
  };
  let i = 0;
  while (i < frameCount) {
    const k = kind(i);
    if (k === 0) {
      i++;
      continue;
    }
    let end = i;
    while (end + 1 < frameCount && kind(end + 1) === k) end++;
    const length = end - i + 1;
    if (i > 0 && end < frameCount - 1 && (gradual(i, -1, k) || (length > MAX_FLASH_FRAMES && gradual(end, 1, k)))) {
      let extreme = luma[i]!;
      for (let j = i; j <= end; j++) extreme = k < 0 ? Math.min(extreme, luma[j]!) : Math.max(extreme, luma[j]!);
      const inside = k < 0 ? s.fade - extreme : extreme - (255 - s.fade);
      out.push({ frame: i + Math.floor(length / 2), score: 1 + inside / Math.max(1, s.fade), detector: 'fade' });
    }
    i = end + 1;
  }
  return out;
}

function silenceCandidates(silences: readonly Silence[], timeline: FrameTimeline, frameCount: number): Candidate[] {
  return silences.flatMap((silence) => {
    const start = timeline.frameAt(silence.startSeconds);
    const end = timeline.frameAt(silence.endSeconds);
    if (start <= 0 || end >= frameCount) return [];
    return [{ frame: Math.round((start + end) / 2), score: 1, detector: 'silence' as const }];
  });
}

/** Groups candidates a couple of frames apart; a precise detector's frame wins the placement. */
function merge(candidates: Candidate[], silences: readonly Silence[], timeline: FrameTimeline): DetectedCut[] {
  const sorted = [...candidates].sort((a, b) => a.frame - b.frame);
  const groups: Candidate[][] = [];
  for (const c of sorted) {
    const last = groups[groups.length - 1];
    if (last !== undefined && c.frame - last[last.length - 1]!.frame <= MERGE_FRAMES) last.push(c);
    else groups.push([c]);
  }
  const visual = groups.map((group) => {
    const precise = group.filter((c) => PRECISE.has(c.detector));
    const pool = precise.length > 0 ? precise : group;
    const best = pool.reduce((a, b) => (b.score > a.score ? b : a));
    return {
      frame: best.frame,
      score: Math.max(...group.map((c) => c.score)),
      detectors: [...new Set(group.map((c) => c.detector))],
    };
  });
  // A silence only adds a cut where no picture cut falls inside it.
  const inside = (cut: DetectedCut, s: Silence) => cut.frame >= timeline.frameAt(s.startSeconds, 'floor') && cut.frame <= timeline.frameAt(s.endSeconds, 'ceil');
  return visual.filter((cut) => {
    if (!cut.detectors.every((d) => d === 'silence')) return true;
    const silence = silences.find((s) => inside(cut, s));
    return silence === undefined || !visual.some((other) => other !== cut && !other.detectors.every((d) => d === 'silence') && inside(other, silence));
  });
}

/**
 * Keeps the strongest cuts such that no clip is too short: fewer than `minClipFrames` frames at a
 * constant rate, less than `minClipSeconds` when frames last different times.
 */
function enforceMinLength(cuts: DetectedCut[], s: DetectSettings, timeline: FrameTimeline, frameCount: number): DetectedCut[] {
  const minFrames = Math.max(1, s.minClipFrames);
  // A microsecond of slack, so a clip of exactly the minimum is not lost to rounding.
  const short = timeline.variable
    ? (a: number, b: number) => a === b || Math.abs(timeline.secondsOf(b) - timeline.secondsOf(a)) < s.minClipSeconds - 1e-6
    : (a: number, b: number) => Math.abs(b - a) < minFrames;
  const kept: DetectedCut[] = [];
  for (const cut of [...cuts].sort((a, b) => b.score - a.score)) {
    if (short(0, cut.frame) || short(cut.frame, frameCount)) continue;
    if (kept.some((k) => short(k.frame, cut.frame))) continue;
    kept.push(cut);
  }
  return kept.sort((a, b) => a.frame - b.frame);
}

/**
 * The cuts in a video, from its frame scores and (for the `silence` detector) its silences, whose
 * seconds are placed on frames through the scores' timeline, and (for the `model` detector) what a
 * shot-detection model said about each frame.
 */
export function detectCuts(scores: FrameScores, settings: DetectSettings, silences: readonly Silence[], model?: ShotModelScores): DetectedCut[] {
  const timeline = scores.timeline;
  const selected = new Set(settings.detectors);
  let candidates = differenceCandidates(scores, settings);
  if (settings.flashSuppression) candidates = suppressFlashes(candidates, scores, settings);
  if (selected.has('fade')) candidates.push(...fadeCandidates(scores, settings));
  if (selected.has('silence')) candidates.push(...silenceCandidates(silences, timeline, scores.frameCount));
  if (selected.has('model') && model !== undefined) candidates.push(...modelCandidates(model, settings.model ?? 0.5, scores.frameCount));
  const merged = merge(candidates, silences, timeline);
  return enforceMinLength(merged, settings, timeline, scores.frameCount);
}
