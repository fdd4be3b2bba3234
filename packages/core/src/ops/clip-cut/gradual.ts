// Dissolves, found while the video decodes. A dissolve's frames are mixes of the last frame
// before it and the first frame after it: frame t ≈ A + α_t (B − A), α_t rising from 0 to 1.
//  1. Screening: every distinct frame c is checked, coarsely (quarter size), at a few scales h: is
//     it a mix of frames c − h and c + h with α in the middle? Cheap, and passed by camera motion
//     too (a slow pan looks like a blend of its ends).
//  2. Placing: the α of the frames around c, measured against two ends, is fitted by a ramp
//     between two flat stretches. Camera motion gives a ramp that runs exactly between whichever
//     ends are used; a dissolve's ramp has its own first and last frame. So the ramp is placed
//     against c ± h and against c ± 2h, and kept only where the two agree.
//  3. Checking, at full size: the middle frame is close to a mix of the placed ends, and far better
//     explained by that mix than by motion (each block of it matched to shifted blocks of either
//     end), which is what tells a dissolve from a pan, zoom or shake.
// Placements of one dissolve from several centres are merged. Memory is a ring of the last RING
// distinct frames' luma at three sizes (about half a megabyte at 96 px), whatever the video's length.

/** A dissolve found in the distinct frames, with its frames in decode order. */
export interface DissolveCandidate {
  /** First frame that is no longer the outgoing shot alone. */
  readonly startFrame: number;
  /** First frame that is the incoming shot alone (exclusive end). */
  readonly endFrame: number;
  /** How much better the mix explains its middle frame than motion does (1 = at the limit). */
  readonly score: number;
}

/** Half-widths (in distinct frames) at which frames are screened. */
const SCALES = [3, 7, 16] as const;
/** Frames on each side of a centre the α profile looks at (at least). */
const PROFILE_EXTRA = 36;
const MAX_SCALE = SCALES[SCALES.length - 1]!;
/** How far from a centre the widest profile looks: the second ends are twice as far as the first. */
const PROFILE_REACH = Math.max(PROFILE_EXTRA, 2 * MAX_SCALE + 8);
/** Distinct frames kept: the widest profile on both sides of a centre, and some slack. */
const RING = 2 * PROFILE_REACH + 8;
/** Shortest dissolve, in distinct frames (shorter is a cut). */
const MIN_FRAMES = 5;
/** Longest dissolve the profile can place, in distinct frames. */
const MAX_FRAMES = 2 * PROFILE_REACH - 6;
/** Largest RMS departure of the α profile from its fitted ramp, relative to the ramp's rise. */
const PROFILE_ERROR = 0.1;
/** A mean luma step this big between distinct frames, and this many times the steps next to it, is a hard cut: no dissolve spans it. */
const CUT_STEP = 20;
const CUT_RATIO = 2.5;
/** The flat stretches judged on each side of a ramp: half its length, within these bounds. */
const FLAT_MIN = 4;
const FLAT_MAX = 12;
/** Least RMS luma difference between the two ends for a mix to mean anything. */
const MIN_SPAN = 6;
/** Largest residual of the mix, relative to the difference of the ends, when screening. */
const SCREEN_RESIDUAL = 0.55;
/** Largest residual of the mix at the placed ends. */
const VERIFY_RESIDUAL = 0.33;
/** How many times the mix residual the motion residual must be. */
const MOTION_RATIO = 1.5;
/** Motion search: block side and reach, in half-resolution pixels. */
const BLOCK = 6;
const REACH = 2;

interface Pending {
  readonly centre: number;
  readonly scale: number;
  /** Distinct frame whose arrival makes the profile complete. */
  readonly due: number;
}

/** Finds dissolves in a stream of distinct frames (see the file comment). */
export class DissolveFinder {
  private readonly pixels: number;
  private readonly halfWidth: number;
  private readonly halfHeight: number;
  private readonly luma: Uint8Array[];
  private readonly half: Uint8Array[];
  private readonly quarter: Uint8Array[];
  private readonly quarterWidth: number;
  private readonly quarterHeight: number;
  private readonly raw = new Int32Array(RING);
  private readonly step = new Float32Array(RING);
  /** The last {@link DissolveFinder.fitRamp}: its RMS error and its rise. */
  private fitError = 0;
  private fitRise = 0;
  /** Prefix sums of the α profile being fitted: of α, α² and k·α (k its index). */
  private readonly sumG = new Float64Array(2 * PROFILE_REACH + 3);
  private readonly sumGG = new Float64Array(2 * PROFILE_REACH + 3);
  private readonly sumKG = new Float64Array(2 * PROFILE_REACH + 3);
  private count = 0;
  private pending: Pending[] = [];
  /** Screening of a scale skips centres up to this one (just rejected there, or inside a find). */
  private readonly quietUntil = SCALES.map(() => -1);
  private readonly found: DissolveCandidate[] = [];
  /** Distinct frames up to here belong to a dissolve already found. */
  private claimedUntil = -1;

  constructor(readonly width: number, readonly height: number) {
    this.pixels = width * height;
    this.halfWidth = width >> 1;
    this.halfHeight = height >> 1;
    this.luma = Array.from({ length: RING }, () => new Uint8Array(this.pixels));
    this.half = Array.from({ length: RING }, () => new Uint8Array(this.halfWidth * this.halfHeight));
    this.quarterWidth = this.halfWidth >> 1;
    this.quarterHeight = this.halfHeight >> 1;
    this.quarter = Array.from({ length: RING }, () => new Uint8Array(this.quarterWidth * this.quarterHeight));
  }

  /**
   * Adds the next distinct frame: its luma plane (copied), the decode index it has, and its mean
   * luma difference to the distinct frame before it.
   */
  push(luma: Uint8Array, rawFrame: number, step: number): void {
    const j = this.count++;
    const slot = j % RING;
    this.luma[slot]!.set(luma);
    this.raw[slot] = rawFrame;
    this.step[slot] = step;
    this.halve(luma, this.width, this.half[slot]!, this.halfWidth, this.halfHeight);
    this.halve(this.half[slot]!, this.halfWidth, this.quarter[slot]!, this.quarterWidth, this.quarterHeight);
    for (let s = 0; s < SCALES.length; s++) {
      const h = SCALES[s]!;
      const c = j - h;
      if (c - h < 0 || c <= this.quietUntil[s]! || c <= this.claimedUntil) continue;
      if (this.screen(c, h)) {
        this.pending.push({ centre: c, scale: h, due: c + PROFILE_REACH });
        this.quietUntil[s] = c + h;
      }
    }
    if (this.pending.length > 0) this.settle(j);
  }

  /**
   * The dissolves found, once every frame was pushed. A dissolve screened at several centres and
   * scales is placed several times, a frame or two apart: the placements that overlap are one
   * dissolve, with their median ends.
   */
  finish(): DissolveCandidate[] {
    this.settle(Number.POSITIVE_INFINITY);
    const sorted = [...this.found].sort((a, b) => a.startFrame - b.startFrame);
    const groups: DissolveCandidate[][] = [];
    for (const d of sorted) {
      const group = groups[groups.length - 1];
      if (group !== undefined && d.startFrame < Math.max(...group.map((g) => g.endFrame))) group.push(d);
      else groups.push([d]);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1]!;
    return groups.map((group) => ({
      startFrame: median(group.map((g) => g.startFrame)),
      endFrame: median(group.map((g) => g.endFrame)),
      score: Math.max(...group.map((g) => g.score)),
    }));
  }

  private settle(upTo: number): void {
    const ready = this.pending.filter((p) => p.due <= upTo);
    if (ready.length === 0) return;
    this.pending = this.pending.filter((p) => p.due > upTo);
    // Wider scales first: they see the whole of a long dissolve.
    for (const p of ready.sort((a, b) => b.scale - a.scale)) {
      if (p.centre <= this.claimedUntil) continue;
      this.place(p.centre, p.scale, Math.min(this.count - 1, p.due));
    }
  }

  private frame(j: number): Uint8Array {
    return this.luma[j % RING]!;
  }

  /** `out` (`ow`×`oh`) is `plane` (`w` wide) averaged over 2×2 pixels. */
  private halve(plane: Uint8Array, w: number, out: Uint8Array, ow: number, oh: number): void {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const p = 2 * y * w + 2 * x;
        out[y * ow + x] = (plane[p]! + plane[p + 1]! + plane[p + w]! + plane[p + w + 1]! + 2) >> 2;
      }
    }
  }

  /**
   * Is frame c, seen coarsely, a mix of frames c − h and c + h? Coarse, because a dissolve changes
   * the broad layout of the picture while the detail that motion moves about is noise here.
   */
  private screen(c: number, h: number): boolean {
    const q = this.quarter;
    const fit = mixFit(q[(c - h) % RING]!, q[c % RING]!, q[(c + h) % RING]!);
    return fit.span >= MIN_SPAN && fit.alpha >= 0.2 && fit.alpha <= 0.8 && fit.residual <= SCREEN_RESIDUAL;
  }

  /**
   * The motion residual of frame m (each block matched to the nearest shifted block of frame a or
   * frame b) divided by its mix residual, both at half resolution.
   */
  private motionRatio(a: number, m: number, b: number): number {
    const A = this.half[a % RING]!;
    const M = this.half[m % RING]!;
    const B = this.half[b % RING]!;
    const mix = mixFit(A, M, B);
    const w = this.halfWidth;
    const hh = this.halfHeight;
    let total = 0;
    let counted = 0;
    for (let by = REACH; by + BLOCK + REACH <= hh; by += BLOCK) {
      for (let bx = REACH; bx + BLOCK + REACH <= w; bx += BLOCK) {
        let best = Number.POSITIVE_INFINITY;
        for (const S of [A, B]) {
          for (let dy = -REACH; dy <= REACH; dy++) {
            for (let dx = -REACH; dx <= REACH; dx++) {
              let e = 0;
              for (let y = 0; y < BLOCK && e < best; y++) {
                const row = (by + y) * w + bx;
                const shifted = (by + y + dy) * w + bx + dx;
                for (let x = 0; x < BLOCK; x++) {
                  const d = M[row + x]! - S[shifted + x]!;
                  e += d * d;
                }
              }
              if (e < best) best = e;
            }
          }
        }
        total += best;
        counted += BLOCK * BLOCK;
      }
    }
    const motion = Math.sqrt(total / Math.max(1, counted));
    const blend = mix.residual * mix.span;
    return motion / Math.max(blend, 0.5);
  }

  /**
   * Places the dissolve around a screened centre. The α of the frames near it, measured against
   * two ends c ± h, is a ramp between two flat stretches. Camera motion makes such a ramp too, but
   * one that runs exactly from end to end, wherever the ends are put, while a dissolve's ramp has
   * its own first and last frame. So the ramp is placed twice, against two pairs of ends, and
   * kept only where both agree.
   */
  private place(c: number, h: number, last: number): void {
    const oldest = Math.max(0, this.count - RING, this.barrierBefore(c));
    const newest = Math.min(last, this.barrierAfter(c));
    const wide = 2 * h;
    const first = this.ramp(c, h, oldest, newest);
    const second = this.ramp(c, wide, oldest, newest);
    if (first === undefined || second === undefined) return;
    const tolerance = 1 + 0.1 * (first.e - first.s);
    if (Math.abs(first.s - second.s) > tolerance || Math.abs(first.e - second.e) > tolerance) return;
    const { s, e } = first.error <= second.error ? first : second;
    if (e - s < MIN_FRAMES) return;
    // The ends placed, the middle frame must still be their mix, and not motion.
    const mid = Math.round((s - 1 + e) / 2);
    const fit = mixFit(this.frame(s - 1), this.frame(mid), this.frame(e));
    const ratio = this.motionRatio(s - 1, mid, e);
    if (fit.span < MIN_SPAN || fit.alpha < 0.25 || fit.alpha > 0.75 || fit.residual > VERIFY_RESIDUAL) return;
    if (ratio < MOTION_RATIO) return;
    this.found.push({ startFrame: this.raw[s % RING]!, endFrame: this.raw[e % RING]!, score: ratio / MOTION_RATIO });
    this.claimedUntil = Math.max(this.claimedUntil, e);
    SCALES.forEach((_, i) => (this.quietUntil[i] = Math.max(this.quietUntil[i]!, e)));
  }

  /**
   * The ramp that best fits the α profile of the frames near c, measured against the ends c ± h:
   * a flat stretch, a straight rise from its last frame s − 1 to the frame e, a flat stretch. Its
   * first frame s and the frame e; nothing when the ends fall outside the frames that can be
   * looked at, the ramp runs into their edge, or fits badly.
   */
  private ramp(c: number, h: number, oldest: number, newest: number): { s: number; e: number; error: number } | undefined {
    if (c - h < oldest || c + h > newest) return undefined;
    const reach = Math.max(PROFILE_EXTRA, h + 8);
    const from = Math.max(oldest, c - reach);
    const to = Math.min(newest, c + reach);
    // The profile is measured on the coarse frames, for the reason given at screen().
    const A = this.quarter[(c - h) % RING]!;
    const B = this.quarter[(c + h) % RING]!;
    let dd = 0;
    const cells = A.length;
    for (let i = 0; i < cells; i++) {
      const d = B[i]! - A[i]!;
      dd += d * d;
    }
    if (dd === 0) return undefined;
    const count = to - from + 1;
    const { sumG, sumGG, sumKG } = this;
    sumG[0] = 0;
    sumGG[0] = 0;
    sumKG[0] = 0;
    for (let k = 0; k < count; k++) {
      const F = this.quarter[(from + k) % RING]!;
      let p = 0;
      for (let i = 0; i < cells; i++) p += (F[i]! - A[i]!) * (B[i]! - A[i]!);
      const g = p / dd;
      sumG[k + 1] = sumG[k]! + g;
      sumGG[k + 1] = sumGG[k]! + g * g;
      sumKG[k + 1] = sumKG[k]! + k * g;
    }
    let best: { s: number; e: number; error: number } | undefined;
    for (let s = from + 2; s <= c; s++) {
      for (let e = Math.max(c + 1, s + MIN_FRAMES); e <= to - 1 && e - s <= MAX_FRAMES; e++) {
        // Judged on the ramp and a stretch on each side, so that a neighbouring transition does not count.
        const side = Math.min(FLAT_MAX, Math.max(FLAT_MIN, Math.round((e - s) / 2)));
        this.fitRamp(Math.max(0, s - 1 - side - from), Math.min(count - 1, e + side - from), s - 1 - from, e - from);
        if (this.fitRise <= 0.5) continue;
        const error = this.fitError / this.fitRise;
        if (best === undefined || error < best.error) best = { s, e, error };
      }
    }
    // A ramp that reaches the edge of the frames looked at has no end in them.
    if (best === undefined || best.error > PROFILE_ERROR || best.s <= from + 1 || best.e >= to) return undefined;
    return best;
  }

  /**
   * Least squares of the profile over indices [first, last] by lo up to index i, hi from index j
   * on and a straight line between: sets {@link DissolveFinder.fitError} (RMS) and
   * {@link DissolveFinder.fitRise} (hi − lo). O(1), from the prefix sums of the profile; no
   * allocation, as it runs for every pair of ends tried.
   */
  private fitRamp(first: number, last: number, i: number, j: number): void {
    const { sumG, sumGG, sumKG } = this;
    const L = j - i;
    // model = lo·(1 − w) + hi·w: w = 0 on [first, i], (k − i)/L on (i, j), 1 on [j, last].
    const r0 = i + 1;
    const r1 = j - 1;
    const n = r1 - r0 + 1;
    const k1 = sumOfK(r0, r1);
    const sw = (k1 - i * n) / L;
    const sww = (sumOfKK(r0, r1) - 2 * i * k1 + i * i * n) / (L * L);
    const sg = rangeSum(sumG, r0, r1);
    const sgw = (rangeSum(sumKG, r0, r1) - i * sg) / L;
    const uu = i - first + 1 + (n - 2 * sw + sww);
    const uv = sw - sww;
    const vv = last - j + 1 + sww;
    const ug = rangeSum(sumG, first, i) + (sg - sgw);
    const vg = rangeSum(sumG, j, last) + sgw;
    const det = uu * vv - uv * uv;
    if (det <= 1e-12) {
      this.fitError = Number.POSITIVE_INFINITY;
      this.fitRise = 0;
      return;
    }
    const lo = (ug * vv - vg * uv) / det;
    const hi = (vg * uu - ug * uv) / det;
    const error = rangeSum(sumGG, first, last) - 2 * (lo * ug + hi * vg) + lo * lo * uu + 2 * lo * hi * uv + hi * hi * vv;
    this.fitError = Math.sqrt(Math.max(0, error) / (last - first + 1));
    this.fitRise = hi - lo;
  }

  /** Whether the step into distinct frame t is a hard cut: big, and far bigger than the steps next to it. */
  private isCut(t: number): boolean {
    const step = this.step[t % RING]!;
    if (step < CUT_STEP) return false;
    const before = t > 0 && t - 1 > this.count - RING ? this.step[(t - 1) % RING]! : 0;
    const after = t + 1 < this.count ? this.step[(t + 1) % RING]! : 0;
    return step >= CUT_RATIO * Math.max(before, after);
  }

  /** The first distinct frame after the last hard cut at or before c (0 when none is remembered). */
  private barrierBefore(c: number): number {
    for (let t = c; t > Math.max(0, this.count - RING); t--) if (this.isCut(t)) return t;
    return 0;
  }

  /** The last distinct frame before the next hard cut after c. */
  private barrierAfter(c: number): number {
    for (let t = c + 1; t < this.count; t++) if (this.isCut(t)) return t - 1;
    return this.count - 1;
  }
}

/** The sum of prefix-summed values over indices [a, b] (0 when empty). */
function rangeSum(sums: Float64Array, a: number, b: number): number {
  return b < a ? 0 : sums[b + 1]! - sums[a]!;
}

/** Σ k over [a, b]. */
function sumOfK(a: number, b: number): number {
  return b < a ? 0 : ((b - a + 1) * (a + b)) / 2;
}

/** Σ k² over [a, b]. */
function sumOfKK(a: number, b: number): number {
  return b < a ? 0 : (b * (b + 1) * (2 * b + 1) - (a - 1) * a * (2 * a - 1)) / 6;
}

/**
 * The least-squares mix of `a` and `b` nearest `m`: its α, the RMS difference of the ends (`span`)
 * and the RMS residual relative to that span.
 */
export function mixFit(a: Uint8Array, m: Uint8Array, b: Uint8Array): { alpha: number; span: number; residual: number } {
  let dd = 0;
  let pm = 0;
  let mm = 0;
  const n = a.length;
  for (let i = 0; i < n; i++) {
    const d = b[i]! - a[i]!;
    const x = m[i]! - a[i]!;
    dd += d * d;
    pm += x * d;
    mm += x * x;
  }
  if (dd === 0) return { alpha: 0, span: 0, residual: Number.POSITIVE_INFINITY };
  const alpha = pm / dd;
  const residual = Math.max(0, mm - (pm * pm) / dd);
  return { alpha, span: Math.sqrt(dd / n), residual: Math.sqrt(residual / dd) };
}
