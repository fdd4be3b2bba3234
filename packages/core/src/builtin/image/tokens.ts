import { FramewrightError } from '../../protocol/errors.js';
import { COLOUR_NAMES, type Colour, POSITIONS, type ParsedPrompt, SHAPES, SIZES } from './prompt.js';
import { NATIVE_SIZE, type Scene, allLayouts, paintMask, renderSceneMask } from './scene.js';

/**
 * The built-in model's token sequence: a 9×8 grid (row 0 = 8 slot tokens, rows 1–8 = the 8×8
 * patches of 4×4 pixels), so fixed 2-D sin-cos positions cover all of it.
 *
 * ```
 * slot 0–5   prompt attributes: shape, colour, background, size, position, count (each has a
 *            "null" value = not in the prompt); given, never predicted
 * slot 6–7   the picture's palette: object colour, background colour (predicted)
 * slot 8–71  one mask code per 4×4 patch, row-major: which pixels show the object colour
 * ```
 * The code is factored — a patch is (binary mask, object colour, background colour) — and the
 * two colours are the same for every patch of a picture, so they are stored once as the palette.
 * Decoding is exact: pixel = mask bit ? palette[0] : palette[1].
 */
export const PATCH = 4;
/** Patches per side. */
export const GRID = NATIVE_SIZE / PATCH;
/** Slot tokens before the patches (one grid row). */
export const SLOTS = GRID;
/** Tokens per picture (9×8). */
export const SEQUENCE = SLOTS + GRID * GRID;
/** Attribute slots given by the prompt (slots 0 … ATTRIBUTE_SLOTS−1). */
export const ATTRIBUTE_SLOTS = 6;
/** Slot of the object colour and of the background colour. */
export const PALETTE_SLOTS = [6, 7] as const;

/**
 * Id ranges of the vocabulary: each slot kind owns `size` ids from `base`.
 * @inline
 */
interface Range {
  base: number;
  size: number;
}

/** Value counts per attribute slot (each + 1 null id at `base`). */
const ATTRIBUTE_VALUES = [SHAPES.length, COLOUR_NAMES.length, COLOUR_NAMES.length, SIZES.length, POSITIONS.length, 2];

/**
 * Binary 4×4 masks the renderer can produce (16-bit, bit r·4+c = pixel (c, r)), sorted: all masks
 * of every layout of {@link allLayouts}, so every dataset picture encodes exactly.
 */
export function buildMaskCodebook(): number[] {
  const codes = new Set<number>();
  for (const layout of allLayouts()) {
    const mask = renderSceneMask({ ...layout, colour: 'red', background: 'blue' });
    for (let p = 0; p < GRID * GRID; p++) codes.add(patchBits(mask, p));
  }
  return [...codes].sort((a, b) => a - b);
}

/** The 16-bit mask (bit r·4+c = pixel (c, r)) of 4×4 patch `patch` (row-major) of a 32×32 binary mask. */
export function patchBits(mask: Uint8Array, patch: number): number {
  const px = (patch % GRID) * PATCH;
  const py = Math.floor(patch / GRID) * PATCH;
  let bits = 0;
  for (let r = 0; r < PATCH; r++) for (let c = 0; c < PATCH; c++) if (mask[(py + r) * NATIVE_SIZE + px + c] === 1) bits |= 1 << (r * PATCH + c);
  return bits;
}

/** The token vocabulary for one mask codebook: id ranges, encoding and exact decoding. */
export class ShapesVocabulary {
  /** Ranges of the 6 attribute slots (id `base` = null). */
  readonly attributes: Range[];
  /** Palette range: one id per colour, then the mask id. */
  readonly palette: Range[];
  /** Patch range: one id per codebook mask, then the mask id. */
  readonly patches: Range;
  /** Total ids (the model's vocabulary and output size). */
  readonly size: number;
  private readonly codeIndex: Map<number, number>;

  /** @param codebook - 16-bit masks, see `buildMaskCodebook` */
  constructor(readonly codebook: readonly number[]) {
    let next = 0;
    const take = (size: number): Range => {
      const r = { base: next, size };
      next += size;
      return r;
    };
    this.attributes = ATTRIBUTE_VALUES.map((n) => take(n + 1));
    this.palette = PALETTE_SLOTS.map(() => take(COLOUR_NAMES.length + 1));
    this.patches = take(codebook.length + 1);
    this.size = next;
    this.codeIndex = new Map(codebook.map((c, i) => [c, i]));
  }

  /** Id range of sequence position `slot`. */
  rangeOf(slot: number): Range {
    if (slot < ATTRIBUTE_SLOTS) return this.attributes[slot]!;
    if (slot < SLOTS) return this.palette[slot - ATTRIBUTE_SLOTS]!;
    return this.patches;
  }

  /** The "masked" id of a predicted position (the last id of its range). */
  maskId(slot: number): number {
    const r = this.rangeOf(slot);
    return r.base + r.size - 1;
  }

  /** Attribute tokens (slots 0–5) of a parsed prompt; absent attributes get their null id. */
  encodePrompt(prompt: Omit<ParsedPrompt, 'unknownWords'>): Int32Array {
    const values = [
      prompt.shape === undefined ? -1 : SHAPES.indexOf(prompt.shape),
      prompt.colour === undefined ? -1 : COLOUR_NAMES.indexOf(prompt.colour),
      prompt.background === undefined ? -1 : COLOUR_NAMES.indexOf(prompt.background),
      prompt.size === undefined ? -1 : SIZES.indexOf(prompt.size),
      prompt.position === undefined ? -1 : POSITIONS.indexOf(prompt.position),
      prompt.count === undefined ? -1 : prompt.count - 1,
    ];
    return Int32Array.from(values, (v, slot) => this.attributes[slot]!.base + 1 + v);
  }

  /** Palette and patch tokens (slots 6–71) of a dataset picture. */
  encodeScene(scene: Scene): Int32Array {
    const mask = renderSceneMask(scene);
    const out = new Int32Array(SEQUENCE - ATTRIBUTE_SLOTS);
    out[0] = this.palette[0]!.base + COLOUR_NAMES.indexOf(scene.colour);
    out[1] = this.palette[1]!.base + COLOUR_NAMES.indexOf(scene.background);
    for (let p = 0; p < GRID * GRID; p++) {
      const bits = patchBits(mask, p);
      const code = this.codeIndex.get(bits);
      if (code === undefined) throw new FramewrightError('INTERNAL', `patch mask ${bits} is not in the codebook`);
      out[2 + p] = this.patches.base + code;
    }
    return out;
  }

  /**
   * Pixels of a full token sequence (`SEQUENCE` ids, every predicted position filled).
   * @throws FramewrightError `MODEL_INVALID` for an id outside its slot's range or a masked id
   */
  decode(tokens: ArrayLike<number>): { rgb: Uint8Array; colour: Colour; background: Colour } {
    const value = (slot: number): number => {
      const r = this.rangeOf(slot);
      const v = tokens[slot]! - r.base;
      if (!(v >= 0 && v < r.size - 1)) throw new FramewrightError('MODEL_INVALID', `token ${tokens[slot]} at position ${slot} is outside its range`);
      return v;
    };
    const colour = COLOUR_NAMES[value(PALETTE_SLOTS[0])]!;
    const background = COLOUR_NAMES[value(PALETTE_SLOTS[1])]!;
    const mask = new Uint8Array(NATIVE_SIZE * NATIVE_SIZE);
    for (let p = 0; p < GRID * GRID; p++) {
      const bits = this.codebook[value(SLOTS + p)]!;
      const px = (p % GRID) * PATCH;
      const py = Math.floor(p / GRID) * PATCH;
      for (let r = 0; r < PATCH; r++) for (let c = 0; c < PATCH; c++) mask[(py + r) * NATIVE_SIZE + px + c] = (bits >> (r * PATCH + c)) & 1;
    }
    return { rgb: paintMask(mask, colour, background), colour, background };
  }
}
