// In-between frames from optical flow. The flow is computed both ways (A→B and B→A); a pixel whose
// two flows agree (forward/backward consistency) is seen in both frames, one whose flows disagree
// is hidden in the other frame. The frame at time t is made in three steps:
//  1. the motion at time t: every consistent pixel of A is carried t of its way and every
//     consistent pixel of B 1−t of its way back, and each lands its motion where it arrives;
//     where several land, the largest move wins (what moves more is taken to be in front), so a
//     moving object covers the still background it passes over instead of mixing with it;
//  2. where nothing landed (background an object uncovers) the motion of the nearest neighbour
//     that moves least fills in — that is the background's;
//  3. each pixel fetches its colour from A (t back along its motion) and from B (1−t forward),
//     weighted by 1−t and t, and only from a frame where the fetched pixel really is that thing
//     (its own flow matches): no ghost of an object that has left, no hole where one was.
import type { RgbImage } from '../../image/index.js';
import { denseFlow, grayOf, pyramidOf, type FlowField, type FlowOptions } from './flow.js';

/** The flows of a keyframe pair, both ways, and which pixels each frame shares with the other. */
export interface FlowPair {
  readonly width: number;
  readonly height: number;
  /** A → B. */
  readonly forward: FlowField;
  /** B → A. */
  readonly backward: FlowField;
  /** 1 where a pixel of A is seen in B (its flows agree), else 0. */
  readonly seenA: Uint8Array;
  /** 1 where a pixel of B is seen in A. */
  readonly seenB: Uint8Array;
  /** Share of pixels of A seen in B: low for unrelated pictures (a cut). */
  readonly consistency: number;
}

/** Whether two moves agree: within 1 px, or 15 % of their size for large ones. */
function agree(du: number, dv: number, u: number, v: number): boolean {
  return du * du + dv * dv <= 0.0225 * (u * u + v * v) + 1;
}

function consistencyOf(flow: FlowField, back: FlowField): Uint8Array {
  const { width: w, height: h } = flow;
  const seen = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      const u = flow.u[k]!;
      const v = flow.v[k]!;
      const tx = Math.round(x + u);
      const ty = Math.round(y + v);
      if (tx < 0 || ty < 0 || tx >= w || ty >= h) continue;
      const j = ty * w + tx;
      if (agree(u + back.u[j]!, v + back.v[j]!, u, v)) seen[k] = 1;
    }
  }
  return seen;
}

/** Computes the flows of a keyframe pair (same size). */
export function flowPair(a: RgbImage, b: RgbImage, options: FlowOptions = {}): FlowPair {
  const pa = pyramidOf(grayOf(a.rgb, a.width, a.height));
  const pb = pyramidOf(grayOf(b.rgb, b.width, b.height));
  // Above FULL_SIZE_FLOW pixels the flow is computed at half size and upsampled: a quarter of the
  // work for the finest level (at 512×288, 7.4 against 3.4 in-betweens per CPU second), at
  // about 3.5 dB on a fast pan of fine detail (37.6 against 41.2 dB).
  const finestLevel = options.finestLevel ?? (a.width * a.height > FULL_SIZE_FLOW ? 1 : 0);
  const opts = { ...options, finestLevel };
  return flowPairOf(denseFlow(pa, pb, opts), denseFlow(pb, pa, opts));
}

/** Largest picture (pixels) whose flow is computed at full size by default. */
export const FULL_SIZE_FLOW = 120_000;

/** The pair of two flows computed elsewhere (A → B and B → A, of one size), with its consistency. */
export function flowPairOf(forward: FlowField, backward: FlowField): FlowPair {
  const seenA = consistencyOf(forward, backward);
  const seenB = consistencyOf(backward, forward);
  let shared = 0;
  for (const s of seenA) shared += s;
  return { width: forward.width, height: forward.height, forward, backward, seenA, seenB, consistency: shared / seenA.length };
}

/** Step 1: the A→B motion of what is at each pixel at time `t`; NaN where nothing landed. */
function motionAt(pair: FlowPair, t: number): { u: Float32Array; v: Float32Array } {
  const { width: w, height: h, forward, backward } = pair;
  const n = w * h;
  const top = new Float32Array(n).fill(-1);
  // Each carried pixel lands on the 2×2 pixels around where it arrives.
  const land = (x: number, y: number, visit: (k: number, weight: number) => void) => {
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const fx = x - x0;
    const fy = y - y0;
    for (let j = 0; j < 2; j++) {
      const yy = y0 + j;
      if (yy < 0 || yy >= h) continue;
      for (let i = 0; i < 2; i++) {
        const xx = x0 + i;
        if (xx < 0 || xx >= w) continue;
        const weight = (i === 0 ? 1 - fx : fx) * (j === 0 ? 1 - fy : fy);
        if (weight > 1e-3) visit(yy * w + xx, weight);
      }
    }
  };
  // Each source: A's pixels with their forward flow carried t, B's with the reverse of theirs carried 1−t back.
  const sources = [
    { seen: pair.seenA, flow: forward, sign: 1, carry: t },
    { seen: pair.seenB, flow: backward, sign: -1, carry: -(1 - t) },
  ];
  for (const pass of [0, 1] as const) {
    const su = new Float32Array(pass === 1 ? n : 0);
    const sv = new Float32Array(pass === 1 ? n : 0);
    const sw = new Float32Array(pass === 1 ? n : 0);
    for (const s of sources) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const k = y * w + x;
          if (s.seen[k] === 0) continue;
          const u = s.sign * s.flow.u[k]!;
          const v = s.sign * s.flow.v[k]!;
          const size = Math.hypot(u, v);
          if (pass === 0) {
            land(x + s.carry * u, y + s.carry * v, (j) => {
              if (size > top[j]!) top[j] = size;
            });
          } else {
            land(x + s.carry * u, y + s.carry * v, (j, weight) => {
              const front = top[j]!;
              if (size < front - (0.5 + 0.1 * front)) return;
              su[j]! += weight * u;
              sv[j]! += weight * v;
              sw[j]! += weight;
            });
          }
        }
      }
    }
    if (pass === 1) {
      for (let k = 0; k < n; k++) {
        const weight = sw[k]!;
        su[k] = weight > 0.05 ? su[k]! / weight : Number.NaN;
        sv[k] = weight > 0.05 ? sv[k]! / weight : Number.NaN;
      }
      return { u: su, v: sv };
    }
  }
  throw new Error('unreachable');
}

/** Step 2: each gap takes the least motion among the nearest filled pixels left, right, above and below. */
function fillGaps(motion: { u: Float32Array; v: Float32Array }, w: number, h: number): void {
  const { u, v } = motion;
  const n = w * h;
  const gaps: number[] = [];
  for (let k = 0; k < n; k++) if (Number.isNaN(u[k]!)) gaps.push(k);
  if (gaps.length === 0) return;
  const nearest = (k: number, step: number, count: number): number => {
    for (let i = 1, j = k + step; i <= count; i++, j += step) if (!Number.isNaN(u[j]!)) return j;
    return -1;
  };
  const fills = new Int32Array(gaps.length);
  gaps.forEach((k, g) => {
    const x = k % w;
    const y = (k - x) / w;
    let best = -1;
    let bestSize = Number.POSITIVE_INFINITY;
    for (const j of [nearest(k, -1, x), nearest(k, 1, w - 1 - x), nearest(k, -w, y), nearest(k, w, h - 1 - y)]) {
      if (j < 0) continue;
      const size = u[j]! * u[j]! + v[j]! * v[j]!;
      if (size < bestSize) {
        bestSize = size;
        best = j;
      }
    }
    fills[g] = best;
  });
  gaps.forEach((k, g) => {
    const j = fills[g]!;
    u[k] = j < 0 ? 0 : u[j]!;
    v[k] = j < 0 ? 0 : v[j]!;
  });
}

/** Bilinear RGB sample into `out[o..o+2]` scaled by `weight` (added). */
function addSample(image: RgbImage, x: number, y: number, weight: number, out: Float32Array, o: number): void {
  const w = image.width;
  const h = image.height;
  const cx = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
  const cy = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = x0 + 1 < w ? x0 + 1 : x0;
  const y1 = y0 + 1 < h ? y0 + 1 : y0;
  const fx = cx - x0;
  const fy = cy - y0;
  const rgb = image.rgb;
  const a = (y0 * w + x0) * 3;
  const b = (y0 * w + x1) * 3;
  const c = (y1 * w + x0) * 3;
  const d = (y1 * w + x1) * 3;
  for (let ch = 0; ch < 3; ch++) {
    const top = rgb[a + ch]! + (rgb[b + ch]! - rgb[a + ch]!) * fx;
    const bottom = rgb[c + ch]! + (rgb[d + ch]! - rgb[c + ch]!) * fx;
    out[o + ch]! += weight * (top + (bottom - top) * fy);
  }
}

/**
 * How surely the pixel of a frame nearest (x, y) is the thing moving by (u, v): 2 when its own
 * flow says so, 1 when its flow cannot be trusted (it is hidden in the other frame), 0 when its
 * trusted flow says it is something else (an object that has moved on) or it is off the frame.
 */
function belongs(flow: FlowField, seen: Uint8Array, x: number, y: number, u: number, v: number): number {
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= flow.width || yi >= flow.height) return 0;
  const k = yi * flow.width + xi;
  if (agree(flow.u[k]! - u, flow.v[k]! - v, u, v)) return 2;
  return seen[k] === 1 ? 0 : 1;
}

/**
 * The frame at time `t` (0 < t < 1) between `a` and `b`, from their {@link flowPair}.
 *
 * @example
 * ```ts
 * const pair = flowPair(a, b);
 * const middle = flowFrame(a, b, pair, 0.5);
 * ```
 */
export function flowFrame(a: RgbImage, b: RgbImage, pair: FlowPair, t: number): Uint8Array {
  const { width: w, height: h } = pair;
  const motion = motionAt(pair, t);
  fillGaps(motion, w, h);
  const out = new Uint8Array(w * h * 3);
  const fetchA = new Float32Array(3);
  const fetchB = new Float32Array(3);
  const bestA = new Float32Array(3);
  const bestB = new Float32Array(3);
  // Fetches the colours along a motion into fetchA/fetchB and says how much they disagree (sum over RGB).
  const mismatch = (x: number, y: number, u: number, v: number): number => {
    fetchA.fill(0);
    fetchB.fill(0);
    addSample(a, x - t * u, y - t * v, 1, fetchA, 0);
    addSample(b, x + (1 - t) * u, y + (1 - t) * v, 1, fetchB, 0);
    return Math.abs(fetchA[0]! - fetchB[0]!) + Math.abs(fetchA[1]! - fetchB[1]!) + Math.abs(fetchA[2]! - fetchB[2]!);
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      let u = motion.u[k]!;
      let v = motion.v[k]!;
      // Where the two frames disagree along the motion, a neighbour's motion (or none) that makes
      // them agree is taken instead: in flat regions the flow is a guess, and a wrong guess
      // would fetch a moving object's colour from one frame only.
      let cost = mismatch(x, y, u, v);
      bestA.set(fetchA);
      bestB.set(fetchB);
      if (cost > MISMATCH) {
        for (const [dx, dy] of ALTERNATIVES) {
          const xx = Math.min(w - 1, Math.max(0, x + dx));
          const yy = Math.min(h - 1, Math.max(0, y + dy));
          const j = yy * w + xx;
          const cu = dx === 0 && dy === 0 ? 0 : motion.u[j]!;
          const cv = dx === 0 && dy === 0 ? 0 : motion.v[j]!;
          const c = mismatch(x, y, cu, cv);
          if (c < cost / 2) {
            cost = c;
            u = cu;
            v = cv;
            bestA.set(fetchA);
            bestB.set(fetchB);
          }
        }
      }
      const inA = belongs(pair.forward, pair.seenA, x - t * u, y - t * v, u, v);
      const inB = belongs(pair.backward, pair.seenB, x + (1 - t) * u, y + (1 - t) * v, -u, -v);
      // The surer frame gives the colour; equally sure ones share it by time.
      const wa = inA === inB ? 1 - t : inA > inB ? 1 : 0;
      const o = k * 3;
      out[o] = Math.round(wa * bestA[0]! + (1 - wa) * bestB[0]!);
      out[o + 1] = Math.round(wa * bestA[1]! + (1 - wa) * bestB[1]!);
      out[o + 2] = Math.round(wa * bestA[2]! + (1 - wa) * bestB[2]!);
    }
  }
  return out;
}

// Fetched colours that differ by more than this (sum over RGB) try the alternatives.
const MISMATCH = 24;
// No motion ([0, 0]), then the motions 6 pixels away on either side, above and below.
const ALTERNATIVES: readonly (readonly [number, number])[] = [[0, 0], [-6, 0], [6, 0], [0, -6], [0, 6]];
