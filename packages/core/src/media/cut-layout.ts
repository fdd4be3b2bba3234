// Where a video stream can be cut without decoding: from its packets (decode order, with
// presentation timestamps) we know each frame's place in decode order, which keyframes a stream
// copy can start on, and how many packets a copy must take to hold whole frames.
import { lastFrameTicks, type FrameTimeline } from './timeline.js';
import type { Rational } from './probe.js';
import type { VideoPackets } from './packets.js';

/** How a clip `[startFrame, endFrame)` is made by a smart cut: re-encoded head and tail, copied middle. */
export interface SmartPlan {
  /** Frames re-encoded before the first keyframe of the clip (absent when the clip starts on one). */
  readonly head?: readonly [number, number];
  /** Frames stream-copied, from a keyframe to a keyframe (or the end of the video). */
  readonly copy?: readonly [number, number];
  /** Frames re-encoded after the last keyframe (absent when the clip ends on one). */
  readonly tail?: readonly [number, number];
}

/**
 * The cut points of a video stream. A frame `f` is a *split* when the packets before the one of
 * frame `f` in decode order are exactly frames `0 … f-1`: a copy that starts or stops there holds
 * whole frames. A split that is also a keyframe is a *clean keyframe*: a decoder can start on it
 * and no frame after it refers to one before it (closed GOP), so a stream copy can start there.
 */
export class CutLayout {
  private constructor(
    /** Frames (packets) in the stream. */
    readonly frameCount: number,
    /** Seconds per timestamp tick. */
    readonly timeBase: Rational,
    /** Each frame's timestamp as the demuxer gives it, in ticks, and (last) where the video ends. */
    private readonly startTicks: Float64Array,
    /** 1 where frame f is a split (length frameCount + 1; the end is always one). */
    private readonly split: Uint8Array,
    /** The clean keyframes, ascending. */
    readonly keyframes: Int32Array,
    /** The decode timestamp of each clean keyframe, in ticks (NaN where there is none). */
    private readonly keyDts: Float64Array,
    /** For each frame, the last frame in presentation order whose packet comes at or before its own. */
    private readonly reach: Int32Array,
    /**
     * The most frames a clean keyframe's decode timestamp runs ahead of its presentation (the
     * B-frame reorder delay, to the nearest whole frame): a piece re-encoded before it must have
     * at least this delay, or decode timestamps would go backwards where the two are joined.
     */
    readonly reorderDelay: number,
  ) {}

  /**
   * The layout of `packets`, or why there is none: timestamps missing or repeated, or a frame
   * count or frame times other than the `timeline`'s (the frames the analysis decoded).
   */
  static of(packets: VideoPackets, timeline: FrameTimeline | undefined): CutLayout | string {
    const n = packets.pts.length;
    if (n === 0) return 'the stream has no packets';
    if (timeline !== undefined && timeline.frameCount !== n) return `the stream has ${n} packets for ${timeline.frameCount} decoded frames`;
    const order = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < n; i++) if (!Number.isFinite(packets.pts[i]!)) return 'some packets have no timestamp';
    order.sort((a, b) => packets.pts[a]! - packets.pts[b]!);
    const frameOf = new Int32Array(n);
    const startTicks = new Float64Array(n + 1);
    for (let f = 0; f < n; f++) {
      const p = order[f]!;
      if (f > 0 && packets.pts[p] === packets.pts[order[f - 1]!]) return 'two packets have the same timestamp';
      frameOf[p] = f;
      startTicks[f] = packets.pts[p]!;
    }
    const tick = packets.timeBase.num / packets.timeBase.den;
    const last = startTicks[n - 1]!;
    const lastLength = timeline !== undefined ? timeline.frameSeconds(n - 1) / tick : n > 1 ? lastFrameTicks(startTicks.subarray(0, n)) : 1;
    startTicks[n] = last + lastLength;

    // A split at p: every frame of packets 0..p-1 is below p (so they are exactly 0..p-1).
    const split = new Uint8Array(n + 1);
    const reach = new Int32Array(n);
    let highest = -1;
    for (let p = 0; p < n; p++) {
      if (highest === p - 1) split[p] = 1;
      highest = Math.max(highest, frameOf[p]!);
      reach[frameOf[p]!] = highest;
    }
    split[n] = 1;
    const keys: number[] = [];
    const keyDts: number[] = [];
    let reorderDelay = 0;
    for (let p = 0; p < n; p++) {
      // At a split, packet p is frame p itself (frames 0..p-1 came before it).
      if (split[p] !== 1 || packets.key[p] !== 1 || frameOf[p] !== p) continue;
      keys.push(p);
      const dts = packets.dts[p]!;
      keyDts.push(dts);
      if (Number.isFinite(dts) && dts < startTicks[p]!) {
        // How many frames the decode time lies before the presentation time (half a frame is
        // forgiven: timestamps rounded to milliseconds, as in Matroska, make 2 frames 2.03).
        let ahead = 0;
        while (ahead < p && startTicks[p - ahead - 1]! >= dts) ahead++;
        const frameTicks = startTicks[p + 1]! - startTicks[p]!;
        const beyond = dts < startTicks[p - ahead]! ? (startTicks[p - ahead]! - dts) / frameTicks : 0;
        reorderDelay = Math.max(reorderDelay, Math.ceil(ahead + beyond - 0.5));
      }
    }
    if (timeline !== undefined) {
      for (const k of keys) {
        const here = (startTicks[k]! - startTicks[0]!) * tick;
        const decoded = timeline.secondsOf(k);
        if (Math.abs(here - decoded) > timeline.frameSeconds(k) / 4) {
          return `keyframe ${k} is at ${here.toFixed(6)} s in the packets and ${decoded.toFixed(6)} s in the decoded frames`;
        }
      }
    }
    return new CutLayout(n, packets.timeBase, startTicks, split, Int32Array.from(keys), Float64Array.from(keyDts), reach, reorderDelay);
  }

  /** The timestamp of `frame` in seconds, as the demuxer gives it (`frameCount`: the end of the video). */
  seconds(frame: number): number {
    return (this.startTicks[frame]! * this.timeBase.num) / this.timeBase.den;
  }

  /** The decode timestamp of the clean keyframe `frame` in seconds, or NaN when unknown. */
  decodeSeconds(frame: number): number {
    const i = this.keyframes.indexOf(frame);
    return i < 0 ? Number.NaN : (this.keyDts[i]! * this.timeBase.num) / this.timeBase.den;
  }

  /** Whether a stream copy can start on `frame`. */
  isKeyframe(frame: number): boolean {
    return this.split[frame] === 1 && this.firstKeyframeFrom(frame) === frame;
  }

  /** The last clean keyframe at or before `frame`, or undefined. */
  lastKeyframeUpTo(frame: number): number | undefined {
    let lo = 0;
    let hi = this.keyframes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.keyframes[mid]! <= frame) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : this.keyframes[lo - 1];
  }

  /** The first clean keyframe at or after `frame`, or `frameCount` when none. */
  firstKeyframeFrom(frame: number): number {
    let lo = 0;
    let hi = this.keyframes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.keyframes[mid]! < frame) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.keyframes.length ? this.frameCount : this.keyframes[lo]!;
  }

  /**
   * The frames a stream copy of `[startFrame, endFrame)` holds: from the last clean keyframe at or
   * before the start to the first split at or after the end once every frame before the end has
   * been decoded. `undefined` when no clean keyframe comes at or before the start.
   */
  copyRange(startFrame: number, endFrame: number): { startFrame: number; endFrame: number } | undefined {
    const start = this.lastKeyframeUpTo(startFrame);
    if (start === undefined) return undefined;
    // The packets up to the last one a frame before the end needs; then on to a split.
    let end = endFrame;
    for (let f = start; f < endFrame; f++) end = Math.max(end, this.reach[f]! + 1);
    while (this.split[end] !== 1) end++;
    return { startFrame: start, endFrame: end };
  }

  /** How a smart cut makes `[startFrame, endFrame)`: which frames it copies and which it re-encodes. */
  plan(startFrame: number, endFrame: number): SmartPlan {
    const first = this.firstKeyframeFrom(startFrame);
    // The last keyframe, or the end of the video, at or before the end of the clip.
    const last = endFrame === this.frameCount ? endFrame : (this.lastKeyframeUpTo(endFrame) ?? 0);
    if (first >= last || first >= endFrame) return { head: [startFrame, endFrame] };
    return {
      ...(first > startFrame ? { head: [startFrame, first] as const } : {}),
      copy: [first, last],
      ...(last < endFrame ? { tail: [last, endFrame] as const } : {}),
    };
  }
}
