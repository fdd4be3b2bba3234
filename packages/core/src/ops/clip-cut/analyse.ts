// Decodes a video once, downscaled, and keeps a handful of numbers per frame: the distances the
// detectors threshold later. A frame that repeats the last distinct one (a capture that fell
// behind shows the same picture 2-4 times; its encoder makes the repeats differ slightly) is
// marked as a repeat, and every distance is measured between distinct frames, so a stutter looks
// like the motion it is and not like a cut after each still. Frames themselves are never kept:
// memory is a few dozen bytes per frame plus rings of small frames (see gradual.ts).
import { FrameTimeline, readFrames, type MediaInfo } from '../../media/index.js';
import { FeatureExtractor, contentDistance, hashDistance, histogramDistance, lumaDistance, yuv420ToRgb, type FrameFeatures } from './features.js';
import { DissolveFinder, type DissolveCandidate } from './gradual.js';
import { Series } from './series.js';

/** How far back (in distinct frames) flash suppression compares a frame with an earlier one. */
export const MAX_FLASH_FRAMES = 3;
const RING = MAX_FLASH_FRAMES + 2;

/**
 * A frame repeats the last distinct one when it differs from it by less than a limit that follows
 * the recent differences: where they fall into two groups (repeats at the encoder's noise, new
 * frames at the motion), the limit lies between the two (their geometric mean); otherwise only
 * near-identical frames are repeats.
 */
const REPEAT_MIN = 0.35;
const REPEAT_MAX = 3;
/** The recent differences split in two when their 80th percentile is this many times their 20th. */
const TWO_GROUPS = 2.5;
/** Frames whose differences the limit follows. */
const MOTION_MEMORY = 32;

/**
 * Per-frame measurements of a whole video. Index `i` of a difference series compares frame `i`
 * with the distinct frame before it (index 0, and every repeat, is 0).
 */
export interface FrameScores {
  /** Frames decoded. */
  readonly frameCount: number;
  /** When each frame was shown (from the decoded timestamps; constant-rate when they say so). */
  readonly timeline: FrameTimeline;
  /** Mean HSV difference to the previous distinct frame (0-255). */
  readonly content: Float32Array;
  /** Histogram distance to the previous distinct frame (0-1). */
  readonly histogram: Float32Array;
  /** Perceptual-hash distance to the previous distinct frame (0-1). */
  readonly hash: Float32Array;
  /** Mean luma of the frame (0-255). */
  readonly luma: Float32Array;
  /** Standard deviation of the frame's luma (0-255); about 0 for a solid colour. */
  readonly spread: Float32Array;
  /** 1 where the frame repeats the distinct frame before it (a stutter, or animation on twos). */
  readonly repeat: Uint8Array;
  /**
   * `skip[k - 2][i]`: HSV difference between distinct frame `i` and the k-th distinct frame before
   * it, for k = 2..{@link MAX_FLASH_FRAMES}+1, used to tell a flash (the picture comes back) from a cut.
   */
  readonly skip: readonly Float32Array[];
  /** Dissolves found while decoding (frames in decode order). */
  readonly dissolves: readonly DissolveCandidate[];
}

/** Options of {@link analyseFrames}. */
export interface AnalyseOptions {
  /** Analysis width in pixels. */
  readonly width: number;
  /** Compute perceptual-hash distances (default true; the `hash` series is all zeros otherwise). */
  readonly hash?: boolean;
  /** Look for dissolves (default true; `dissolves` is empty otherwise). */
  readonly dissolves?: boolean;
  /** Cancels decoding. */
  readonly signal?: AbortSignal;
  /** Called after every frame with the number of frames done (keep it cheap). */
  readonly onFrame?: (framesDone: number) => void;
  /**
   * Also given every decoded RGB frame, after its features are taken (the model detector's
   * runner). The buffer is reused once it returns; a promise it returns is awaited.
   */
  readonly onRgbFrame?: (rgb: Uint8Array, width: number, height: number) => Promise<void> | undefined;
}

/** Whether a frame repeats the last distinct one, given the recent differences (see REPEAT_MIN). */
class RepeatJudge {
  private readonly recent = new Float64Array(MOTION_MEMORY);
  private readonly sorted = new Float64Array(MOTION_MEMORY);
  private count = 0;

  /** Judges a frame by its mean luma difference to the last distinct frame, and remembers it. */
  isRepeat(distance: number): boolean {
    const n = Math.min(this.count, MOTION_MEMORY);
    let limit = REPEAT_MIN;
    if (n >= 8) {
      // Percentiles by insertion sort into a kept array: this runs for every frame.
      const sorted = this.sorted;
      for (let i = 0; i < n; i++) {
        const v = this.recent[i]!;
        let k = i;
        while (k > 0 && sorted[k - 1]! > v) {
          sorted[k] = sorted[k - 1]!;
          k--;
        }
        sorted[k] = v;
      }
      const low = Math.max(sorted[Math.floor(0.2 * (n - 1))]!, 0.05);
      const high = sorted[Math.ceil(0.8 * (n - 1))]!;
      if (high >= TWO_GROUPS * low) limit = Math.min(REPEAT_MAX, Math.max(REPEAT_MIN, Math.sqrt(low * high)));
    }
    this.recent[this.count++ % MOTION_MEMORY] = distance;
    return distance < limit;
  }
}

/** Decodes `info.path` and measures every frame. */
export async function analyseFrames(info: MediaInfo, options: AnalyseOptions): Promise<FrameScores> {
  const frames = readFrames(info.path, {
    width: options.width,
    sourceWidth: info.width,
    sourceHeight: info.height,
    // Analysis needs no deblocked picture, and ffmpeg makes planar YUV with less work than RGB.
    fastDecode: true,
    pixelFormat: 'yuv420p',
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const withHash = options.hash ?? true;
  const extractor = new FeatureExtractor(frames.width, frames.height, { hash: withHash });
  // ring[d % RING] holds distinct frame d; `scratch` takes each new frame.
  const ring: FrameFeatures[] = Array.from({ length: RING }, () => extractor.create());
  let scratch = extractor.create();
  const finder = (options.dissolves ?? true) ? new DissolveFinder(frames.width, frames.height) : undefined;
  const judge = new RepeatJudge();
  const content = new Series();
  const histogram = new Series();
  const hash = new Series();
  const luma = new Series();
  const spread = new Series();
  const repeats = new Series();
  const skip = Array.from({ length: MAX_FLASH_FRAMES }, () => new Series());
  // The content difference of the last few distinct frames, to know when a flash is possible.
  const recentContent = new Float64Array(MAX_FLASH_FRAMES + 1);

  let n = 0;
  let distinct = 0;
  const rgb = new Uint8Array(frames.width * frames.height * 3);
  for await (const yuv of frames) {
    yuv420ToRgb(yuv, frames.width, frames.height, rgb);
    const current = scratch;
    extractor.extract(rgb, current);
    luma.push(current.meanLuma);
    spread.push(current.lumaSpread);
    const previous = distinct > 0 ? ring[(distinct - 1) % RING]! : undefined;
    const moved = previous === undefined ? Number.POSITIVE_INFINITY : lumaDistance(previous, current);
    if (previous !== undefined && judge.isRepeat(moved)) {
      repeats.push(1);
      content.push(0);
      histogram.push(0);
      hash.push(0);
      for (const series of skip) series.push(0);
    } else {
      repeats.push(0);
      const difference = previous === undefined ? 0 : contentDistance(previous, current);
      content.push(difference);
      histogram.push(previous === undefined ? 0 : histogramDistance(previous, current));
      hash.push(previous === undefined || !withHash ? 0 : hashDistance(previous, current));
      recentContent[distinct % recentContent.length] = difference;
      // Only worth computing around a jump: a flash shows up as a big difference to the frame before.
      let recentJump = false;
      for (const d of recentContent) recentJump ||= distinct > 1 && d >= FLASH_CHECK_FLOOR;
      for (let j = 0; j < skip.length; j++) {
        const k = j + 2;
        skip[j]!.push(distinct >= k && recentJump ? contentDistance(ring[(distinct - k) % RING]!, current) : 0);
      }
      finder?.push(current.luma, n, previous === undefined ? 0 : moved);
      // The frame joins the ring; the oldest ring entry becomes the next scratch.
      scratch = ring[distinct % RING]!;
      ring[distinct % RING] = current;
      distinct++;
    }
    const pending = options.onRgbFrame?.(rgb, frames.width, frames.height);
    if (pending !== undefined) await pending;
    n++;
    options.onFrame?.(n);
  }
  const repeat = new Uint8Array(repeats.done());
  return {
    frameCount: n,
    timeline: FrameTimeline.fromTimestamps(frames.timestamps(), info.fps, n),
    content: content.done(),
    histogram: histogram.done(),
    hash: hash.done(),
    luma: luma.done(),
    spread: spread.done(),
    repeat,
    skip: skip.map((s) => s.done()),
    dissolves: finder?.finish() ?? [],
  };
}

/** Below this frame difference nothing can be a flash, so the skip distances are not computed. */
const FLASH_CHECK_FLOOR = 4;
