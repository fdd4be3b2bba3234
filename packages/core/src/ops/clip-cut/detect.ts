// Turns per-frame scores into cuts and gradual transitions. Each selected detector proposes
// candidates; flashes are removed; fades and dissolves become transitions, each with one cut where
// an editor puts it, and the difference spikes inside a transition are not cuts of their own;
// candidates a frame or two apart are merged; and the minimum clip length is enforced (stronger
// cuts win). Repeated frames (a stuttering capture) are skipped: neighbourhoods, flashes and ramps
// count distinct frames.
//
// Another detector (a learned one giving per-frame probabilities, say) joins through `extra`:
// its cut candidates are merged like the others', its transitions placed like the built-in ones.
import type { FrameTimeline, Silence } from '../../media/index.js';
import type { CLIP_CUT_DETECTORS } from '../../protocol/index.js';
import { MAX_FLASH_FRAMES, type FrameScores } from './analyse.js';
import { colourRuns } from './fades.js';

/** A detector name (see the clip-cut params schema). */
export type DetectorName = (typeof CLIP_CUT_DETECTORS)[number];

/** A kind of gradual transition (see the clip-cut result schema). */
export type TransitionKind = 'dissolve' | 'fade-out' | 'fade-in' | 'fade-through-black' | 'fade-through-white';

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
  /** Mean luma at or below which a solid frame is black (and at or above 255 minus it, white). */
  readonly fade: number;
  /** Shortest clip in frames (constant-rate video). */
  readonly minClipFrames: number;
  /** Shortest clip in seconds (variable-rate video, whose frames last different times). */
  readonly minClipSeconds: number;
  /** Drop pairs of cuts around 1-3 frame flashes. */
  readonly flashSuppression: boolean;
  /** Cut probability above which the model detector's frames are a transition. */
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

/** A detected gradual transition, frames in decode order. */
export interface DetectedTransition {
  readonly kind: TransitionKind;
  /** First frame that is no longer the outgoing picture alone. */
  readonly startFrame: number;
  /** First frame that is the incoming picture alone (exclusive end). */
  readonly endFrame: number;
  /** The cut it makes, when it makes one that survived (a fade at the start or end of the video makes none). */
  readonly cutFrame?: number;
  readonly score: number;
}

/** What detection found. */
export interface Detection {
  readonly cuts: DetectedCut[];
  readonly transitions: DetectedTransition[];
}

/** A cut proposed by a detector. */
export interface CutCandidate {
  readonly frame: number;
  readonly score: number;
  readonly detector: DetectorName;
}

/** A transition proposed by a detector; where its cut goes is decided here (the middle, for a dissolve). */
export interface TransitionCandidate {
  readonly kind: TransitionKind;
  readonly startFrame: number;
  readonly endFrame: number;
  readonly score: number;
  readonly detector: DetectorName;
}

/** Candidates from detectors outside this file. */
export interface ExtraCandidates {
  readonly cuts?: readonly CutCandidate[];
  readonly transitions?: readonly TransitionCandidate[];
}

/** A transition being placed: its cut candidate, and the frames whose own cut candidates it takes over. */
interface Placed {
  readonly transition: Omit<DetectedTransition, 'cutFrame'>;
  readonly detector: DetectorName;
  readonly cut?: number;
  /** Inclusive range of frames whose cut candidates are this transition's. */
  readonly from: number;
  readonly to: number;
}

/** A candidate; `placed` marks the cut a transition makes, which wins the placement when merging. */
type Candidate = CutCandidate & { readonly placed?: boolean };

/** Distinct frames on each side that the adaptive detector compares a frame with… */
const ADAPTIVE_WINDOW = 2;
/** …looked for this many frames away at most (a stutter repeats a frame up to 4 times). */
const NEIGHBOUR_REACH = 8;
/** With `adaptive` selected, other detectors' hits must be at least this many times their neighbourhood. */
const LOCAL_PEAK_RATIO = 1.5;
/** The adaptive detector ignores differences below this share of the content threshold. */
const ADAPTIVE_FLOOR_SHARE = 0.4;
/** Candidates this close (in frames) are one cut. */
const MERGE_FRAMES = 2;
/** A transition takes over the cut candidates this many frames beyond its ends too (its edges are placed within about that). */
const SLACK = 2;
/** Hard-cut detectors place a cut exactly; the others less so, so they lose ties when merging. */
const PRECISE: ReadonlySet<DetectorName> = new Set(['content', 'adaptive', 'histogram', 'hash']);

/** The decode indices of the frames that are not repeats, in order. */
function distinctFrames(scores: FrameScores): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < scores.frameCount; i++) if (scores.repeat[i] !== 1) out.push(i);
  return Int32Array.from(out);
}

/**
 * The mean of `series` over the `w` distinct frames on each side of distinct position `p` that lie
 * within {@link NEIGHBOUR_REACH} frames of it; a side with fewer counts the repeats it has instead,
 * whose difference is 0 (a cut into a still picture stands out against it). Frame 0 has no
 * difference and is left out.
 */
function neighbourhoodMean(series: Float32Array, frames: Int32Array, p: number, w: number): number {
  const frame = frames[p]!;
  let sum = 0;
  let n = 0;
  for (const step of [-1, 1]) {
    let found = 0;
    for (let q = p + step; q >= 1 && q < frames.length && found < w; q += step) {
      if (Math.abs(frames[q]! - frame) > NEIGHBOUR_REACH) break;
      sum += series[frames[q]!]!;
      found++;
    }
    const room = step < 0 ? frame - 1 : series.length - 1 - frame;
    n += found + Math.min(w - found, Math.max(0, room - found));
  }
  return n === 0 ? 0 : sum / n;
}

function ratioToNeighbours(series: Float32Array, frames: Int32Array, p: number): number {
  return series[frames[p]!]! / Math.max(neighbourhoodMean(series, frames, p, ADAPTIVE_WINDOW), 1e-3);
}

function differenceCandidates(scores: FrameScores, frames: Int32Array, s: DetectSettings): CutCandidate[] {
  const selected = new Set(s.detectors);
  const vetted = selected.has('adaptive');
  const out: CutCandidate[] = [];
  const threshold = (name: 'content' | 'histogram' | 'hash', series: Float32Array) => {
    if (!selected.has(name)) return;
    const limit = s[name];
    for (let p = 1; p < frames.length; p++) {
      const v = series[frames[p]!]!;
      if (v < limit) continue;
      if (vetted && ratioToNeighbours(series, frames, p) < LOCAL_PEAK_RATIO) continue;
      out.push({ frame: frames[p]!, score: v / limit, detector: name });
    }
  };
  threshold('content', scores.content);
  threshold('histogram', scores.histogram);
  threshold('hash', scores.hash);
  if (vetted) {
    const floor = s.content * ADAPTIVE_FLOOR_SHARE;
    for (let p = 1; p < frames.length; p++) {
      if (scores.content[frames[p]!]! < floor) continue;
      const ratio = ratioToNeighbours(scores.content, frames, p);
      if (ratio >= s.adaptive) out.push({ frame: frames[p]!, score: ratio / s.adaptive, detector: 'adaptive' });
    }
  }
  return out;
}

/**
 * A candidate at distinct position p is a flash when, within {@link MAX_FLASH_FRAMES} distinct
 * frames, the picture comes back to what it was before p: much closer to it than the jump at p
 * was. Returns the last flash position, or -1.
 */
function flashEnd(scores: FrameScores, frames: Int32Array, p: number, threshold: number): number {
  const jump = scores.content[frames[p]!]!;
  for (let k = 1; k <= MAX_FLASH_FRAMES; k++) {
    const after = p + k;
    if (after >= frames.length) break;
    const back = scores.skip[k - 1]![frames[after]!]!; // difference between the frames at p-1 and p+k
    if (back < threshold && back < jump * 0.5) return after - 1;
  }
  return -1;
}

function suppressFlashes(candidates: CutCandidate[], scores: FrameScores, frames: Int32Array, s: DetectSettings): CutCandidate[] {
  const position = new Map<number, number>();
  frames.forEach((frame, p) => position.set(frame, p));
  const drop = new Set<number>();
  for (const c of candidates) {
    const p = position.get(c.frame);
    if (!PRECISE.has(c.detector) || p === undefined || drop.has(c.frame)) continue;
    const end = flashEnd(scores, frames, p, s.content);
    if (end < 0) continue;
    for (let q = p; q <= Math.min(frames.length - 1, end + 1); q++) drop.add(frames[q]!);
  }
  return candidates.filter((c) => !(PRECISE.has(c.detector) && drop.has(c.frame)));
}

/**
 * Fades from the runs of solid colour: a fade-out and a fade-in around one run are one
 * fade-through, cut in the middle of the colour; a fade on one side only is a fade-out or
 * fade-in next to the hard cut on the other side (which belongs to the colour run's far end, so
 * the colour stays whole in one clip).
 */
function fadeTransitions(scores: FrameScores, frames: Int32Array, s: DetectSettings): { placed: Placed[]; cuts: CutCandidate[] } {
  const luma = Array.from(frames, (f) => scores.luma[f]!);
  const spread = Array.from(frames, (f) => scores.spread[f]!);
  const rawAt = (p: number) => (p < frames.length ? frames[p]! : scores.frameCount);
  const placed: Placed[] = [];
  const cuts: CutCandidate[] = [];
  for (const run of colourRuns(luma, spread, s.fade)) {
    const first = frames[run.first]!;
    const after = rawAt(run.last + 1);
    const atStart = run.first === 0;
    const atEnd = run.last === frames.length - 1;
    if (run.fadeOutFrom !== undefined && run.fadeInTo !== undefined) {
      const kind = run.colour === 'black' ? 'fade-through-black' : 'fade-through-white';
      const transition = { kind, startFrame: frames[run.fadeOutFrom]!, endFrame: rawAt(run.fadeInTo), score: run.score } as const;
      placed.push({ transition, detector: 'fade', cut: first + Math.floor((after - first) / 2), from: transition.startFrame - SLACK, to: transition.endFrame + SLACK });
    } else if (run.fadeOutFrom !== undefined) {
      const transition = { kind: 'fade-out', startFrame: frames[run.fadeOutFrom]!, endFrame: first, score: run.score } as const;
      // The cut out of the colour is the difference detectors' to place; this one backs it up.
      placed.push({ transition, detector: 'fade', from: transition.startFrame - SLACK, to: after - 1 });
      if (!atEnd) cuts.push({ frame: after, score: 1, detector: 'fade' });
    } else if (run.fadeInTo !== undefined) {
      const transition = { kind: 'fade-in', startFrame: after, endFrame: rawAt(run.fadeInTo), score: run.score } as const;
      placed.push({ transition, detector: 'fade', from: first + 1, to: transition.endFrame + SLACK });
      if (!atStart) cuts.push({ frame: first, score: 1, detector: 'fade' });
    }
  }
  return { placed, cuts };
}

/** A dissolve cuts at its middle: the first frame that is at least half the incoming shot. */
function placeDissolve(t: TransitionCandidate): Placed {
  const cut = t.startFrame + Math.floor((t.endFrame - t.startFrame) / 2);
  return { transition: { kind: t.kind, startFrame: t.startFrame, endFrame: t.endFrame, score: t.score }, detector: t.detector, cut, from: t.startFrame - SLACK, to: t.endFrame + SLACK };
}

function overlaps(a: Placed, b: Placed): boolean {
  return a.from <= b.to && b.from <= a.to;
}

function silenceCandidates(silences: readonly Silence[], timeline: FrameTimeline, frameCount: number): CutCandidate[] {
  return silences.flatMap((silence) => {
    const start = timeline.frameAt(silence.startSeconds);
    const end = timeline.frameAt(silence.endSeconds);
    if (start <= 0 || end >= frameCount) return [];
    return [{ frame: Math.round((start + end) / 2), score: 1, detector: 'silence' as const }];
  });
}

/**
 * Groups candidates a couple of frames apart. A transition's cut wins the placement; then the
 * precise detector's frame where the picture changes most (a cut the encoder smeared over two
 * frames is placed on the bigger jump, not on the one its neighbours make look sharper).
 */
function merge(candidates: Candidate[], silences: readonly Silence[], timeline: FrameTimeline, content: Float32Array): DetectedCut[] {
  const sorted = [...candidates].sort((a, b) => a.frame - b.frame);
  const groups: Candidate[][] = [];
  for (const c of sorted) {
    const last = groups[groups.length - 1];
    if (last !== undefined && c.frame - last[last.length - 1]!.frame <= MERGE_FRAMES) last.push(c);
    else groups.push([c]);
  }
  const visual = groups.map((group) => {
    const gradual = group.filter((c) => c.placed === true);
    const precise = group.filter((c) => PRECISE.has(c.detector));
    const frame = gradual.length > 0
      ? gradual.reduce((a, b) => (b.score > a.score ? b : a)).frame
      : precise.length > 0
        ? precise.reduce((a, b) => (content[b.frame]! > content[a.frame]! ? b : a)).frame
        : group.reduce((a, b) => (b.score > a.score ? b : a)).frame;
    return {
      frame,
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
 * The cuts and gradual transitions in a video, from its frame scores and (for the `silence`
 * detector) its silences, whose seconds are placed on frames through the scores' timeline.
 */
export function detectShots(scores: FrameScores, settings: DetectSettings, silences: readonly Silence[], extra: ExtraCandidates = {}): Detection {
  const timeline = scores.timeline;
  const selected = new Set(settings.detectors);
  const frames = distinctFrames(scores);
  let candidates: Candidate[] = differenceCandidates(scores, frames, settings);
  if (settings.flashSuppression) candidates = suppressFlashes(candidates, scores, frames, settings);
  candidates.push(...(extra.cuts ?? []));
  const placed: Placed[] = [];
  if (selected.has('fade')) {
    const fades = fadeTransitions(scores, frames, settings);
    placed.push(...fades.placed);
    candidates.push(...fades.cuts);
  }
  // Dissolves give way to fades (a fade is a dissolve with a solid colour), then to each other by score.
  const dissolves = [
    ...(selected.has('dissolve') ? scores.dissolves.map((d) => ({ ...d, kind: 'dissolve' as const, detector: 'dissolve' as const })) : []),
    ...(extra.transitions ?? []),
  ].sort((a, b) => b.score - a.score);
  for (const d of dissolves) {
    const p = placeDissolve(d);
    if (!placed.some((q) => overlaps(p, q))) placed.push(p);
  }
  // A transition's own frames are not cuts of their own; its cut stands for them.
  candidates = candidates.filter((c) => !placed.some((p) => c.frame >= p.from && c.frame <= p.to));
  for (const p of placed) if (p.cut !== undefined) candidates.push({ frame: p.cut, score: p.transition.score, detector: p.detector, placed: true });
  if (selected.has('silence')) candidates.push(...silenceCandidates(silences, timeline, scores.frameCount));
  const merged = merge(candidates, silences, timeline, scores.content);
  const cuts = enforceMinLength(merged, settings, timeline, scores.frameCount);
  const transitions = placed
    .map((p) => {
      const cut = p.cut === undefined ? undefined : cuts.find((c) => c.frame >= p.from && c.frame <= p.to);
      return cut === undefined ? { ...p.transition } : { ...p.transition, cutFrame: cut.frame };
    })
    .sort((a, b) => a.startFrame - b.startFrame);
  return { cuts, transitions };
}
