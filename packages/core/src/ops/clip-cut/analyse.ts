// Decodes a video once, downscaled, and keeps a handful of numbers per frame: the distances the
// detectors threshold later. Frames themselves are never kept, so memory is a few dozen bytes per
// frame plus a ring of five small frames, and each frame's timestamp.
import { FrameTimeline, readFrames, type MediaInfo } from '../../media/index.js';
import { FeatureExtractor, contentDistance, hashDistance, histogramDistance, type FrameFeatures } from './features.js';

/** How far back (in frames) flash suppression compares a frame with an earlier one. */
export const MAX_FLASH_FRAMES = 3;
const RING = MAX_FLASH_FRAMES + 2;

/** A growable Float32Array (amortised doubling). */
class Series {
  private data = new Float32Array(4096);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  /** The largest of the last `count` values (0 when empty). */
  maxOfLast(count: number): number {
    let max = 0;
    for (let i = Math.max(0, this.length - count); i < this.length; i++) max = Math.max(max, this.data[i]!);
    return max;
  }

  /** The values as a fixed array. */
  done(): Float32Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Per-frame measurements of a whole video. Index `i` of a difference series compares frame `i`
 * with frame `i - 1` (index 0 is 0).
 */
export interface FrameScores {
  /** Frames decoded. */
  readonly frameCount: number;
  /** When each frame was shown (from the decoded timestamps; constant-rate when they say so). */
  readonly timeline: FrameTimeline;
  /** Mean HSV difference to the previous frame (0-255). */
  readonly content: Float32Array;
  /** Histogram distance to the previous frame (0-1). */
  readonly histogram: Float32Array;
  /** Perceptual-hash distance to the previous frame (0-1). */
  readonly hash: Float32Array;
  /** Mean luma of the frame (0-255). */
  readonly luma: Float32Array;
  /**
   * `skip[k - 2][i]`: HSV difference between frame `i` and frame `i - k` for k = 2..{@link MAX_FLASH_FRAMES}+1,
   * used to tell a flash (the picture comes back) from a cut.
   */
  readonly skip: readonly Float32Array[];
}

/** Options of {@link analyseFrames}. */
export interface AnalyseOptions {
  /** Analysis width in pixels. */
  readonly width: number;
  /** Compute perceptual-hash distances (default true; the `hash` series is all zeros otherwise). */
  readonly hash?: boolean;
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

/** Decodes `info.path` and measures every frame. */
export async function analyseFrames(info: MediaInfo, options: AnalyseOptions): Promise<FrameScores> {
  const frames = readFrames(info.path, {
    width: options.width,
    sourceWidth: info.width,
    sourceHeight: info.height,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const withHash = options.hash ?? true;
  const extractor = new FeatureExtractor(frames.width, frames.height, { hash: withHash });
  const ring: FrameFeatures[] = Array.from({ length: RING }, () => extractor.create());
  const content = new Series();
  const histogram = new Series();
  const hash = new Series();
  const luma = new Series();
  const skip = Array.from({ length: MAX_FLASH_FRAMES }, () => new Series());

  let n = 0;
  for await (const frame of frames) {
    const current = ring[n % RING]!;
    extractor.extract(frame, current);
    luma.push(current.meanLuma);
    if (n === 0) {
      content.push(0);
      histogram.push(0);
      hash.push(0);
    } else {
      const previous = ring[(n - 1) % RING]!;
      content.push(contentDistance(previous, current));
      histogram.push(histogramDistance(previous, current));
      hash.push(withHash ? hashDistance(previous, current) : 0);
    }
    // Only worth computing around a jump: a flash shows up as a big difference to the previous frame.
    const recentJump = n > 1 && content.maxOfLast(MAX_FLASH_FRAMES + 1) >= FLASH_CHECK_FLOOR;
    skip.forEach((series, j) => {
      const k = j + 2;
      series.push(n >= k && recentJump ? contentDistance(ring[(n - k) % RING]!, current) : 0);
    });
    const pending = options.onRgbFrame?.(frame, frames.width, frames.height);
    if (pending !== undefined) await pending;
    n++;
    options.onFrame?.(n);
  }
  return {
    frameCount: n,
    timeline: FrameTimeline.fromTimestamps(frames.timestamps(), info.fps, n),
    content: content.done(),
    histogram: histogram.done(),
    hash: hash.done(),
    luma: luma.done(),
    skip: skip.map((s) => s.done()),
  };
}

/** Below this frame difference nothing can be a flash, so the skip distances are not computed. */
const FLASH_CHECK_FLOOR = 4;

