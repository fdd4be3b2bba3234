// The analytic checker of the built-in image model: reads a picture's attributes back from its
// pixels. Tests and bench/image-quality.ts (through image-prompt-following.ts) use it; the
// engine never does, so it lives with the tests, not in the published src/.
import { FramewrightError } from '../../src/protocol/index.js';
import { COLOURS, COLOUR_NAMES, type Colour, POSITIONS, type Position, type Shape, type Size } from '../../src/builtin/image/prompt.js';

/** What {@link checkImage} reads back from a picture of shapes on a plain background. */
export interface CheckedImage {
  /** Most common colour (each pixel snapped to the nearest palette colour). */
  background: Colour;
  /** Most common non-background colour; undefined for an empty picture. */
  colour: Colour | undefined;
  /** 3×3 grid cell of the centroid of the non-background pixels. */
  position: Position | undefined;
  /** Shape of the largest object (by bounding-box fill, top-half mass and corners). */
  shape: Shape | undefined;
  /** Size class of the largest object's bounding box (at the 32 px reference size). */
  size: Size | undefined;
  /** Objects: 4-connected components holding at least a quarter of the largest one's pixels. */
  count: number;
  /** Non-background pixels. */
  objectPixels: number;
}

/** Palette as flat RGB, in {@link COLOUR_NAMES} order. */
const PALETTE = Int32Array.from(COLOUR_NAMES.flatMap((name) => [...COLOURS[name]]));

/** Index in {@link COLOUR_NAMES} of the palette colour nearest to an RGB triple. */
export function nearestColour(r: number, g: number, b: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let i = 0; i < COLOUR_NAMES.length; i++) {
    const d = (r - PALETTE[i * 3]!) ** 2 + (g - PALETTE[i * 3 + 1]!) ** 2 + (b - PALETTE[i * 3 + 2]!) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}

function argmax(counts: number[]): number {
  return counts.reduce((best, c, i) => (c > counts[best]! ? i : best), 0);
}

/** 4-connected components of `on` pixels, largest first, as pixel index lists. */
function components(on: Uint8Array, width: number, height: number): number[][] {
  const seen = new Uint8Array(on.length);
  const out: number[][] = [];
  for (let start = 0; start < on.length; start++) {
    if (on[start] !== 1 || seen[start] === 1) continue;
    const pixels: number[] = [];
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const p = stack.pop()!;
      pixels.push(p);
      const x = p % width;
      const y = Math.floor(p / width);
      for (const [nx, ny] of [[x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]] as const) {
        const q = ny * width + nx;
        if (nx >= 0 && nx < width && ny >= 0 && ny < height && on[q] === 1 && seen[q] === 0) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    out.push(pixels);
  }
  return out.sort((a, b) => b.length - a.length);
}

/**
 * Prototype features (bounding-box fill ratio, share of the mass in the top half, share of the
 * four bounding-box corners covered) of the ideal shapes: a square fills its box, a disc ≈ π/4
 * of it with no corners, an upright triangle ½ with a quarter of its mass on top and only the
 * bottom corners.
 */
const SHAPE_PROTOTYPES: ReadonlyArray<[Shape, number, number, number]> = [
  ['square', 1, 0.5, 1],
  ['circle', Math.PI / 4, 0.5, 0],
  ['triangle', 0.5, 0.25, 0.5],
];

function classifyShape(pixels: number[], width: number): { shape: Shape; extent: number } {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const p of pixels) {
    const x = p % width;
    const y = Math.floor(p / width);
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const set = new Set(pixels);
  const fill = pixels.length / (w * h);
  const midY = y0 + h / 2;
  let top = 0;
  for (const p of pixels) {
    const y = Math.floor(p / width) + 0.5;
    top += y < midY ? 1 : y === midY ? 0.5 : 0;
  }
  const corners = [y0 * width + x0, y0 * width + x1, y1 * width + x0, y1 * width + x1].filter((p) => set.has(p)).length / 4;
  const features = [fill, top / pixels.length, corners];
  let best: Shape = 'square';
  let bestDistance = Infinity;
  for (const [shape, ...proto] of SHAPE_PROTOTYPES) {
    // corners are a coarse cue (one pixel each): weighted below fill and mass
    const d = (features[0]! - proto[0]!) ** 2 + (features[1]! - proto[1]!) ** 2 + 0.1 * (features[2]! - proto[2]!) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = shape;
    }
  }
  return { shape: best, extent: Math.max(w, h) };
}

/**
 * Reads the attributes of a picture of one or two objects on a plain background from its
 * pixels — the analytic checker of the built-in model's prompt following (benchmark, tests, and
 * the video checker frame by frame). Pixels are snapped to the nearest palette colour first, so it also reads upscaled
 * or resized pictures; size classes assume the 32 px reference scale (`width / 32` per unit).
 *
 * @param rgb - RGB24 row-major, `width·height·3` bytes
 * @throws FramewrightError `INVALID_PARAMS` when `rgb` does not hold `width·height` pixels
 */
export function checkImage(rgb: Uint8Array, width: number, height: number): CheckedImage {
  if (!(width > 0 && height > 0) || rgb.length !== width * height * 3) {
    throw new FramewrightError('INVALID_PARAMS', `checkImage: ${rgb.length} bytes is not a ${width}×${height} RGB picture`);
  }
  const n = width * height;
  const index = new Uint8Array(n);
  const counts = new Array<number>(COLOUR_NAMES.length).fill(0);
  for (let i = 0; i < n; i++) {
    index[i] = nearestColour(rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!);
    counts[index[i]!]!++;
  }
  const bg = argmax(counts);
  const background = COLOUR_NAMES[bg]!;
  const on = index.map((c) => (c === bg ? 0 : 1));
  const objectPixels = n - counts[bg]!;
  if (objectPixels === 0) return { background, colour: undefined, position: undefined, shape: undefined, size: undefined, count: 0, objectPixels };
  const fgCounts = counts.map((c, i) => (i === bg ? -1 : c));
  const colour = COLOUR_NAMES[argmax(fgCounts)]!;
  let sx = 0;
  let sy = 0;
  on.forEach((v, i) => {
    if (v === 1) {
      sx += (i % width) + 0.5;
      sy += Math.floor(i / width) + 0.5;
    }
  });
  const cell = (v: number, extent: number): number => Math.min(2, Math.floor((3 * v) / extent));
  const position = POSITIONS[cell(sy / objectPixels, height) * 3 + cell(sx / objectPixels, width)]!;
  const parts = components(on, width, height);
  const largest = parts[0]!;
  const count = parts.filter((p) => p.length * 4 >= largest.length).length;
  const { shape, extent } = classifyShape(largest, width);
  const unit = extent * (32 / width);
  const size: Size = unit <= 8 ? 'small' : unit <= 12 ? 'medium' : 'large';
  return { background, colour, position, shape, size, count, objectPixels };
}
