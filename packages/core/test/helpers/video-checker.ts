// The analytic checker of the built-in video model: reads a clip's colour, shape, motion and
// flicker back from its pixels. Tests and bench/video-quality.ts (through video-prompt-following.ts)
// use it; the engine never does, so it lives with the tests, not in the published src/.
import { COLOUR_NAMES, type Colour, type Shape } from '../../src/builtin/image/prompt.js';
import type { Direction } from '../../src/builtin/video/motion.js';
import type { RawRgbImage } from '../../src/media/index.js';
import { FramewrightError } from '../../src/protocol/index.js';
import { checkImage, nearestColour } from './image-checker.js';

/** What {@link checkClip} reads back from a clip of one object crossing a plain background. */
export interface CheckedClip {
  /** Most common per-frame background (see {@link checkImage}). */
  background: Colour;
  /** Most common per-frame object colour; undefined when no frame shows an object. */
  colour: Colour | undefined;
  /** Most common per-frame shape. */
  shape: Shape | undefined;
  /** Dominant axis and sign of the object centre's motion from the first to the last frame; undefined when it moved less than {@link MIN_TRAVEL} px or a frame is empty. */
  direction: Direction | undefined;
  /** Centre displacement first → last frame in pixels `[dx, dy]` (y down); undefined when an end frame is empty. */
  travel: [number, number] | undefined;
  /**
   * Flicker: mean over consecutive frame pairs of the share of background pixels that change
   * colour — pixels farther than {@link OBJECT_RADIUS} px (per axis) from the object centre in
   * both frames, i.e. changes the object's own motion cannot explain. 0 for a clean clip.
   */
  flicker: number;
}

/** Least centre travel (px at 32 px scale) read as motion. */
export const MIN_TRAVEL = 4;
/** Half-side (px at 32 px scale) of the box around the object centre that motion may change (largest object half-size 7 + 2). */
export const OBJECT_RADIUS = 9;

function mostCommon<T>(values: readonly (T | undefined)[]): T | undefined {
  const counts = new Map<T, number>();
  for (const v of values) if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: T | undefined;
  for (const [v, c] of counts) if (best === undefined || c > counts.get(best)!) best = v;
  return best;
}

/** Palette index of every pixel. */
function snap(frame: RawRgbImage): Uint8Array {
  const n = frame.width * frame.height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = nearestColour(frame.rgb[i * 3]!, frame.rgb[i * 3 + 1]!, frame.rgb[i * 3 + 2]!);
  return out;
}

/** Centroid of the pixels that are not `background`, or undefined for none. */
function centroid(index: Uint8Array, width: number, background: number): [number, number] | undefined {
  let sx = 0;
  let sy = 0;
  let n = 0;
  index.forEach((c, i) => {
    if (c !== background) {
      sx += (i % width) + 0.5;
      sy += Math.floor(i / width) + 0.5;
      n++;
    }
  });
  return n === 0 ? undefined : [sx / n, sy / n];
}

/**
 * Reads colour, shape, direction of motion and flicker of a clip from its pixels — the analytic
 * checker of the built-in video model's prompt following. Every frame is read with the image
 * checker ({@link checkImage}); motion is the centroid of the non-background pixels in the last
 * frame minus that in the first. Works on resized clips (distances scale with `width / 32`).
 * @throws FramewrightError `INVALID_PARAMS` for fewer than two frames or frames of different sizes
 */
export function checkClip(frames: readonly RawRgbImage[]): CheckedClip {
  const first = frames[0];
  if (first === undefined || frames.length < 2) throw new FramewrightError('INVALID_PARAMS', `checkClip needs at least 2 frames, got ${frames.length}`);
  const { width, height } = first;
  if (frames.some((f) => f.width !== width || f.height !== height)) throw new FramewrightError('INVALID_PARAMS', 'checkClip: frames differ in size');
  const read = frames.map((f) => checkImage(f.rgb, f.width, f.height));
  const background = mostCommon(read.map((r) => r.background))!;
  const bg = COLOUR_NAMES.indexOf(background);
  const indices = frames.map(snap);
  const centres = indices.map((idx) => centroid(idx, width, bg));
  const scale = width / 32;
  const a = centres[0];
  const b = centres[centres.length - 1];
  const travel: [number, number] | undefined = a === undefined || b === undefined ? undefined : [(b[0] - a[0]) / scale, (b[1] - a[1]) / scale];
  let direction: Direction | undefined;
  if (travel !== undefined && Math.max(Math.abs(travel[0]), Math.abs(travel[1])) >= MIN_TRAVEL) {
    const [dx, dy] = travel;
    direction = Math.abs(dx) >= Math.abs(dy) ? (dx > 0 ? 'right' : 'left') : dy > 0 ? 'down' : 'up';
  }
  const radius = OBJECT_RADIUS * scale;
  const nearObject = (c: [number, number] | undefined, x: number, y: number): boolean => c !== undefined && Math.abs(x + 0.5 - c[0]) <= radius && Math.abs(y + 0.5 - c[1]) <= radius;
  let flicker = 0;
  for (let t = 0; t + 1 < frames.length; t++) {
    let outside = 0;
    let changed = 0;
    for (let i = 0; i < width * height; i++) {
      const x = i % width;
      const y = Math.floor(i / width);
      if (nearObject(centres[t], x, y) || nearObject(centres[t + 1], x, y)) continue;
      outside++;
      if (indices[t]![i] !== indices[t + 1]![i]) changed++;
    }
    flicker += outside === 0 ? 0 : changed / outside;
  }
  return {
    background,
    colour: mostCommon(read.map((r) => r.colour)),
    shape: mostCommon(read.map((r) => r.shape)),
    direction,
    travel,
    flicker: flicker / (frames.length - 1),
  };
}
