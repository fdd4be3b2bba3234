// Where each decoded frame lies in time. Constant-rate video is frame × 1/fps (exactly the numbers
// clip-cut always gave); variable-rate video (phones, OBS dropping frames under load) keeps each
// frame's own timestamp, because frame ÷ average fps drifts by seconds within one shot.
import type { Rational } from './probe.js';

/** The presentation timestamps of decoded frames (see {@link FrameStream.timestamps}). */
export interface FrameTimestamps {
  /** Seconds per timestamp tick, e.g. 1/12800. */
  readonly timeBase: Rational;
  /** Timestamp of each frame in decode order, in ticks of `timeBase`; NaN where ffmpeg had none. */
  readonly pts: Float64Array;
}

/** How many of the frames before the last one {@link lastFrameTicks} looks at. */
const LAST_FRAME_WINDOW = 5;

/**
 * How long the last of `pts` (rising, at least two) is shown, in ticks: the lower median length
 * of the frames just before it. No timestamp follows it, and the gap before it is no guess: a recording
 * that dropped frames there (OBS under load) would give its last frame the length of the drop,
 * and the clip that ends the video would run past the media.
 */
export function lastFrameTicks(pts: Float64Array): number {
  const n = pts.length;
  const lengths: number[] = [];
  for (let i = Math.max(1, n - LAST_FRAME_WINDOW); i < n; i++) lengths.push(pts[i]! - pts[i - 1]!);
  lengths.sort((a, b) => a - b);
  return lengths[(lengths.length - 1) >> 1]!;
}

/** How {@link FrameTimeline.frameAt} rounds a time that falls between two frame starts. */
export type FrameRounding = 'nearest' | 'floor' | 'ceil';

/**
 * The time of every frame of a video, in decode order: `secondsOf(0)` is 0 and
 * `secondsOf(frameCount)` is the end of the last frame.
 */
export class FrameTimeline {
  /**
   * @param frameCount - frames in the video
   * @param fps - the rate the frames are counted at when the timeline is constant
   * @param startSeconds - where frame 0 lies on ffmpeg's clock (what `-ss` counts from)
   * @param starts - for variable-rate video, the start of each frame and, last, the end of the video
   * @param problem - why the timestamps could not be used, when they could not
   */
  private constructor(
    readonly frameCount: number,
    readonly fps: Rational,
    readonly startSeconds: number,
    private readonly starts: Float64Array | undefined,
    readonly problem: string | undefined,
  ) {}

  /** A constant-rate timeline: frame `i` starts at `i × den / num` seconds. */
  static constant(fps: Rational, frameCount: number, startSeconds = 0): FrameTimeline {
    return new FrameTimeline(frameCount, fps, startSeconds, undefined, undefined);
  }

  /**
   * The timeline of decoded frames from their timestamps. When every frame lies within a quarter
   * frame of where `fps` puts it, the video is constant-rate and the timeline is
   * {@link FrameTimeline.constant}; otherwise each frame keeps its own time, and the last frame
   * lasts as long as most of the few before it. Missing, repeated or backward timestamps, or a count that
   * does not match `frameCount`, give the constant timeline with {@link FrameTimeline.problem} set.
   */
  static fromTimestamps(timestamps: FrameTimestamps | undefined, fps: Rational, frameCount: number): FrameTimeline {
    const fallback = (problem: string) => new FrameTimeline(frameCount, fps, 0, undefined, problem);
    if (timestamps === undefined || timestamps.pts.length !== frameCount) return fallback('ffmpeg reported no timestamp for some frames');
    const { pts, timeBase } = timestamps;
    const tick = timeBase.num / timeBase.den;
    const frame = fps.den / fps.num;
    const first = pts[0];
    if (first === undefined) return FrameTimeline.constant(fps, 0);
    let constant = true;
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i]!;
      if (!Number.isFinite(p)) return fallback('some frames have no timestamp');
      if (i > 0 && p <= pts[i - 1]!) return fallback('frame timestamps repeat or go backwards');
      if (constant && Math.abs((p - first) * tick - i * frame) > frame / 4) constant = false;
    }
    const startSeconds = first * tick;
    if (constant) return FrameTimeline.constant(fps, frameCount, startSeconds);
    const starts = new Float64Array(frameCount + 1);
    for (let i = 0; i < frameCount; i++) starts[i] = (pts[i]! - first) * tick;
    // In ticks, so the end is as exact as the timestamps.
    const last = pts[frameCount - 1]!;
    starts[frameCount] = frameCount > 1 ? (last + lastFrameTicks(pts) - first) * tick : starts[frameCount - 1]! + frame;
    return new FrameTimeline(frameCount, fps, startSeconds, starts, undefined);
  }

  /** True when frames last different times (each keeps its own timestamp). */
  get variable(): boolean {
    return this.starts !== undefined;
  }

  /** Seconds from the start of frame 0 to the start of `frame` (0 ≤ frame ≤ frameCount). */
  secondsOf(frame: number): number {
    if (this.starts === undefined) return (frame * this.fps.den) / this.fps.num;
    return this.starts[Math.max(0, Math.min(this.frameCount, frame))]!;
  }

  /** How long `frame` is shown, in seconds. */
  frameSeconds(frame: number): number {
    if (this.starts === undefined) return this.fps.den / this.fps.num;
    const i = Math.max(0, Math.min(this.frameCount - 1, frame));
    return this.starts[i + 1]! - this.starts[i]!;
  }

  /** Length of the video in seconds (the end of its last frame). */
  get durationSeconds(): number {
    return this.secondsOf(this.frameCount);
  }

  /**
   * The frame whose start is nearest `seconds` (or the last starting at or before it, or the first
   * starting at or after it), between 0 and `frameCount`.
   */
  frameAt(seconds: number, rounding: FrameRounding = 'nearest'): number {
    const starts = this.starts;
    if (starts === undefined) {
      // The same product clip-cut always computed, so constant-rate results do not move.
      const exact = seconds * (this.fps.num / this.fps.den);
      const frame = rounding === 'floor' ? Math.floor(exact) : rounding === 'ceil' ? Math.ceil(exact) : Math.round(exact);
      return Math.max(0, Math.min(this.frameCount, frame));
    }
    // The first boundary at or after `seconds`.
    let lo = 0;
    let hi = this.frameCount;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! < seconds) lo = mid + 1;
      else hi = mid;
    }
    if (starts[lo]! < seconds) return this.frameCount; // past the end
    if (rounding === 'ceil' || starts[lo] === seconds || lo === 0) return lo;
    if (rounding === 'floor') return lo - 1;
    return seconds - starts[lo - 1]! < starts[lo]! - seconds ? lo - 1 : lo;
  }

  /** Every frame's length in seconds, in decode order. */
  *frameLengths(): IterableIterator<number> {
    for (let i = 0; i < this.frameCount; i++) yield this.frameSeconds(i);
  }
}
