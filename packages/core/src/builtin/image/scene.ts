import type { Rng } from '../../transformer/random.js';
import { COLOURS, COLOUR_NAMES, type Colour, POSITIONS, type Position, SHAPES, type Shape, SIZES, type Size } from './prompt.js';

/** Side of the built-in model's square images, in pixels. */
export const NATIVE_SIZE = 32;

/** Object side (square), diameter (circle) or base and height (triangle), in pixels, per size. */
export const SIZE_PIXELS: Readonly<Record<Size, number>> = { small: 6, medium: 10, large: 14 };

/** Nominal object centre along one axis for grid column/row 0, 1, 2 (cells are 32/3 px wide). */
const CELL_CENTRES = [6, 16, 26] as const;

/** Gap between the two objects of a pair, in pixels. */
const PAIR_GAP = 2;

/** Every attribute of a picture in the procedural dataset. */
export interface SceneAttributes {
  /** Object shape. */
  shape: Shape;
  /** Object colour. */
  colour: Colour;
  /** Background colour (never the object colour). */
  background: Colour;
  /** Object size (pairs are always small). */
  size: Size;
  /** Grid cell of the objects' centre. */
  position: Position;
  /** One object, or two side by side. */
  count: 1 | 2;
}

/** A picture: its attributes and a small offset of the objects from the cell centre. */
export interface Scene extends SceneAttributes {
  /** Offset in pixels, each coordinate in −1 … 1. */
  jitter: readonly [number, number];
}

/** Whether the pixel whose centre is (px, py) lies inside `shape` of side `s` centred at (cx, cy). */
function inside(shape: Shape, s: number, cx: number, cy: number, px: number, py: number): boolean {
  const h = s / 2;
  if (shape === 'square') return Math.abs(px - cx) < h && Math.abs(py - cy) < h;
  if (shape === 'circle') return (px - cx) ** 2 + (py - cy) ** 2 < h * h;
  const top = cy - h; // upright isosceles triangle: apex at the top centre, base at the bottom
  return py > top && py < cy + h && Math.abs(px - cx) < (py - top) / 2;
}

/**
 * The objects of a scene as a binary mask `[32·32]` (1 = object), row-major. The group of
 * objects is kept inside the picture by moving its centre, never by clipping.
 */
export function renderSceneMask(scene: Scene): Uint8Array {
  const s = SIZE_PIXELS[scene.size];
  const cell = POSITIONS.indexOf(scene.position);
  const groupHalfWidth = scene.count === 2 ? s + PAIR_GAP / 2 : s / 2;
  const clamp = (v: number, half: number): number => Math.min(NATIVE_SIZE - half, Math.max(half, v));
  const gx = clamp(CELL_CENTRES[cell % 3]! + scene.jitter[0], groupHalfWidth);
  const gy = clamp(CELL_CENTRES[Math.floor(cell / 3)]! + scene.jitter[1], s / 2);
  const centres = scene.count === 2 ? [gx - (s + PAIR_GAP) / 2, gx + (s + PAIR_GAP) / 2] : [gx];
  const mask = new Uint8Array(NATIVE_SIZE * NATIVE_SIZE);
  for (let y = 0; y < NATIVE_SIZE; y++) {
    for (let x = 0; x < NATIVE_SIZE; x++) {
      if (centres.some((cx) => inside(scene.shape, s, cx, gy, x + 0.5, y + 0.5))) mask[y * NATIVE_SIZE + x] = 1;
    }
  }
  return mask;
}

/** Paints a binary mask: 1 → `foreground`, 0 → `background`; RGB24 row-major. */
export function paintMask(mask: Uint8Array, foreground: Colour, background: Colour): Uint8Array {
  const rgb = new Uint8Array(mask.length * 3);
  const fg = COLOURS[foreground];
  const bg = COLOURS[background];
  mask.forEach((m, i) => rgb.set(m === 1 ? fg : bg, i * 3));
  return rgb;
}

/** The scene's picture, RGB24 row-major, 32×32. */
export function renderScene(scene: Scene): Uint8Array {
  return paintMask(renderSceneMask(scene), scene.colour, scene.background);
}

/** Every object layout the dataset draws: shape × (size, count) × position × jitter. */
export function allLayouts(): Omit<Scene, 'colour' | 'background'>[] {
  const out: Omit<Scene, 'colour' | 'background'>[] = [];
  for (const shape of SHAPES) {
    for (const [size, count] of [...SIZES.map((s) => [s, 1] as const), ['small', 2] as const]) {
      for (const position of POSITIONS) {
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) out.push({ shape, size, count, position, jitter: [dx, dy] });
      }
    }
  }
  return out;
}

/**
 * Attribute combinations never shown in training, to test compositional prompts: every purple
 * square and every orange circle (each colour and each shape is still seen with the others).
 */
export function isHeldOut(scene: Pick<SceneAttributes, 'shape' | 'colour'>): boolean {
  return (scene.colour === 'purple' && scene.shape === 'square') || (scene.colour === 'orange' && scene.shape === 'circle');
}

/** Chance of a pair of objects (pairs are always small). */
const PAIR_PROBABILITY = 0.2;

/** A random scene of the `train` split (no held-out combination) or of the `held-out` split (only those). */
export function sampleScene(rng: Rng, split: 'train' | 'held-out'): Scene {
  for (;;) {
    const shape = SHAPES[rng.int(SHAPES.length)]!;
    const colour = COLOUR_NAMES[rng.int(COLOUR_NAMES.length)]!;
    if (isHeldOut({ shape, colour }) !== (split === 'held-out')) continue;
    const others = COLOUR_NAMES.filter((c) => c !== colour);
    const background = others[rng.int(others.length)]!;
    const count = rng.float() < PAIR_PROBABILITY ? 2 : 1;
    const size = count === 2 ? 'small' : SIZES[rng.int(SIZES.length)]!;
    const position = POSITIONS[rng.int(POSITIONS.length)]!;
    return { shape, colour, background, size, position, count, jitter: [rng.int(3) - 1, rng.int(3) - 1] };
  }
}
