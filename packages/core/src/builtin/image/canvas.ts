import type { RgbImage } from '../../image/index.js';
import { FramewrightError } from '../../protocol/errors.js';
import { POSITIONS, type Position } from './prompt.js';

/**
 * Lays a square picture of a scene out on a canvas of another aspect ratio, without cropping:
 * the canvas keeps the picture's side as its short side, its long side follows `width / height`
 * (512×192 → 85×32 for a 32 px picture), it is filled with the picture's background (the most
 * common colour of its border) and the picture is placed along the long axis where the scene's
 * position says — left, centre or right (top, middle or bottom on a portrait canvas). The
 * whole scene stays in the picture; only background is added.
 * @throws FramewrightError `INVALID_PARAMS` for a non-square picture or a size below 1
 */
export function layOutOnCanvas(tile: RgbImage, position: Position, width: number, height: number): RgbImage {
  if (tile.width !== tile.height) throw new FramewrightError('INVALID_PARAMS', `layOutOnCanvas needs a square picture, got ${tile.width}×${tile.height}`);
  if (!(width >= 1 && height >= 1)) throw new FramewrightError('INVALID_PARAMS', `canvas size must be at least 1×1, got ${width}×${height}`);
  const side = tile.width;
  const landscape = width >= height;
  const long = Math.max(side, Math.round((side * Math.max(width, height)) / Math.min(width, height)));
  const [w, h] = landscape ? [long, side] : [side, long];
  if (w === side && h === side) return { width: side, height: side, rgb: tile.rgb.slice() };
  const cell = POSITIONS.indexOf(position);
  const along = landscape ? cell % 3 : Math.floor(cell / 3);
  const offset = Math.round(((long - side) * along) / 2);
  const [ox, oy] = landscape ? [offset, 0] : [0, offset];
  const bg = borderColour(tile);
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) rgb.set(bg, i * 3);
  for (let y = 0; y < side; y++) rgb.set(tile.rgb.subarray(y * side * 3, (y + 1) * side * 3), ((oy + y) * w + ox) * 3);
  return { width: w, height: h, rgb };
}

/** Most common RGB triple on the border of a picture. */
function borderColour(image: RgbImage): [number, number, number] {
  const counts = new Map<number, number>();
  const { width: w, height: h, rgb } = image;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (y !== 0 && y !== h - 1 && x !== 0 && x !== w - 1) continue;
      const i = (y * w + x) * 3;
      const key = (rgb[i]! << 16) | (rgb[i + 1]! << 8) | rgb[i + 2]!;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  let best = 0;
  let bestCount = -1;
  for (const [k, c] of counts) if (c > bestCount) [best, bestCount] = [k, c];
  return [(best >> 16) & 255, (best >> 8) & 255, best & 255];
}
