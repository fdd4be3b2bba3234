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
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new FramewrightError('INVALID_PARAMS', `resize: target size ${width}x${height} must be positive integers`);
  }
  if (source.rgb.length !== source.width * source.height * 3) {
    throw new FramewrightError('INVALID_PARAMS', `resize: ${source.rgb.length} bytes do not make a ${source.width}x${source.height} RGB picture`);
  }
  if (width === source.width && height === source.height) return { width, height, rgb: source.rgb.slice() };
  const xs = axisWeights(source.width, width);
  const ys = axisWeights(source.height, height);
  // Separable: rows first into floats, then columns.
  const rows = new Float32Array(source.height * width * 3);
  for (let y = 0; y < source.height; y++) {
    for (let x = 0; x < width; x++) {
      const { index, weight } = xs[x]!;
      for (let k = 0; k < 3; k++) {
        let sum = 0;
        for (let i = 0; i < index.length; i++) sum += source.rgb[(y * source.width + index[i]!) * 3 + k]! * weight[i]!;
        rows[(y * width + x) * 3 + k] = sum;
      }
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const { index, weight } = ys[y]!;
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) {
        let sum = 0;
        for (let i = 0; i < index.length; i++) sum += rows[(index[i]! * width + x) * 3 + k]! * weight[i]!;
        rgb[(y * width + x) * 3 + k] = Math.min(255, Math.max(0, Math.round(sum)));
      }
    }
  }
  return { width, height, rgb };
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
