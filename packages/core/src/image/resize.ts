import { FramewrightError } from '../protocol/errors.js';
import type { RgbImage } from './png.js';

/**
 * Resizes an RGB picture per axis: area averaging where an axis shrinks (every source pixel
 * contributes by its overlap, so no aliasing) and bilinear interpolation with centre-aligned
 * samples where it grows. Deterministic integer output (rounded).
 *
 * @example
 * ```ts
 * const big = resizeRgb({ width: 32, height: 32, rgb }, 256, 192);
 * ```
 * @throws FramewrightError `INVALID_PARAMS` for a size below 1 or pixels that do not fill the source
 */
export function resizeRgb(source: RgbImage, width: number, height: number): RgbImage {
  checkSize(width, height);
  if (width === source.width && height === source.height) {
    checkPixels(source);
    return { width, height, rgb: source.rgb.slice() };
  }
  const rgb = new Uint8Array(width * height * 3);
  new RgbResizer(source.width, source.height, width, height).resize(source.rgb, rgb);
  return { width, height, rgb };
}

/**
 * {@link resizeRgb} for a stream of pictures of one size: the filter taps and the intermediate
 * rows are computed once, so resizing a frame allocates nothing. Same output as resizeRgb.
 *
 * @example
 * ```ts
 * const resizer = new RgbResizer(96, 54, 48, 27);
 * const small = new Uint8Array(48 * 27 * 3);
 * for (const frame of frames) resizer.resize(frame, small);
 * ```
 */
export class RgbResizer {
  // Taps flattened: output pixel o reads `count[o]` source pixels from `first[o]` in `index`/`weight`.
  private readonly xs: FlatTaps;
  private readonly ys: FlatTaps;
  private readonly rows: Float32Array;

  /** @throws FramewrightError `INVALID_PARAMS` for a size below 1 */
  constructor(
    /** Source width. */
    readonly sourceWidth: number,
    /** Source height. */
    readonly sourceHeight: number,
    /** Target width. */
    readonly width: number,
    /** Target height. */
    readonly height: number,
  ) {
    checkSize(width, height);
    checkSize(sourceWidth, sourceHeight, 'source');
    this.xs = flatten(axisWeights(sourceWidth, width));
    this.ys = flatten(axisWeights(sourceHeight, height));
    this.rows = new Float32Array(sourceHeight * width * 3);
  }

  /**
   * Resizes `rgb` (the source size) into `out` (the target size).
   * @throws FramewrightError `INVALID_PARAMS` when either buffer has the wrong length
   */
  resize(rgb: Uint8Array, out: Uint8Array): void {
    const { sourceWidth, sourceHeight, width, height, xs, ys, rows } = this;
    checkPixels({ width: sourceWidth, height: sourceHeight, rgb });
    if (out.length !== width * height * 3) throw new FramewrightError('INVALID_PARAMS', `resize: ${out.length} bytes do not make a ${width}x${height} RGB picture`);
    // Separable: rows first into floats, then columns. Hot loops: flat typed arrays only.
    for (let y = 0; y < sourceHeight; y++) {
      const row = y * sourceWidth;
      for (let x = 0; x < width; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let t = xs.first[x]!, end = t + xs.count[x]!; t < end; t++) {
          const p = (row + xs.index[t]!) * 3;
          const w = xs.weight[t]!;
          r += rgb[p]! * w;
          g += rgb[p + 1]! * w;
          b += rgb[p + 2]! * w;
        }
        const o = (y * width + x) * 3;
        rows[o] = r;
        rows[o + 1] = g;
        rows[o + 2] = b;
      }
    }
    for (let y = 0; y < height; y++) {
      const first = ys.first[y]!;
      const end = first + ys.count[y]!;
      for (let x = 0; x < width; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let t = first; t < end; t++) {
          const p = (ys.index[t]! * width + x) * 3;
          const w = ys.weight[t]!;
          r += rows[p]! * w;
          g += rows[p + 1]! * w;
          b += rows[p + 2]! * w;
        }
        const o = (y * width + x) * 3;
        out[o] = Math.min(255, Math.max(0, Math.round(r)));
        out[o + 1] = Math.min(255, Math.max(0, Math.round(g)));
        out[o + 2] = Math.min(255, Math.max(0, Math.round(b)));
      }
    }
  }
}

interface FlatTaps {
  first: Int32Array;
  count: Int32Array;
  index: Int32Array;
  weight: Float64Array;
}

function flatten(taps: Taps[]): FlatTaps {
  const total = taps.reduce((n, t) => n + t.index.length, 0);
  const flat: FlatTaps = { first: new Int32Array(taps.length), count: new Int32Array(taps.length), index: new Int32Array(total), weight: new Float64Array(total) };
  let at = 0;
  taps.forEach((t, o) => {
    flat.first[o] = at;
    flat.count[o] = t.index.length;
    flat.index.set(t.index, at);
    flat.weight.set(t.weight, at);
    at += t.index.length;
  });
  return flat;
}

function checkSize(width: number, height: number, what = 'target'): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new FramewrightError('INVALID_PARAMS', `resize: ${what} size ${width}x${height} must be positive integers`);
  }
}

function checkPixels(source: RgbImage): void {
  if (source.rgb.length !== source.width * source.height * 3) {
    throw new FramewrightError('INVALID_PARAMS', `resize: ${source.rgb.length} bytes do not make a ${source.width}x${source.height} RGB picture`);
  }
}

interface Taps {
  index: number[];
  weight: number[];
}

function axisWeights(from: number, to: number): Taps[] {
  const scale = from / to;
  return Array.from({ length: to }, (_, o) => {
    if (to < from) {
      // Output pixel o covers source [o·scale, (o+1)·scale).
      const start = o * scale;
      const end = start + scale;
      const index: number[] = [];
      const weight: number[] = [];
      for (let i = Math.floor(start); i < Math.min(from, Math.ceil(end)); i++) {
        const overlap = Math.min(end, i + 1) - Math.max(start, i);
        if (overlap > 0) {
          index.push(i);
          weight.push(overlap / scale);
        }
      }
      return { index, weight };
    }
    const centre = Math.min(from - 1, Math.max(0, (o + 0.5) * scale - 0.5));
    const left = Math.floor(centre);
    const right = Math.min(from - 1, left + 1);
    const t = centre - left;
    return right === left ? { index: [left], weight: [1] } : { index: [left, right], weight: [1 - t, t] };
  });
}
