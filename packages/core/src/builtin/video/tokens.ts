import { FramewrightError } from '../../protocol/errors.js';
import { ATTRIBUTE_SLOTS, GRID, SEQUENCE, type ShapesVocabulary, buildMaskCodebook, patchBits, SHAPES, SIZES, type Colour } from '../image/index.js';
import { CLIP_FRAMES, DIRECTIONS, type MotionClip, type ParsedMotionPrompt, clipFrameScene, laneRange, renderClipMasks } from './motion.js';

/**
 * Tokens of the built-in video model: every frame is one image-model sequence (a 9×8 grid: a
 * row of slots, then 8×8 patch-mask codes; see {@link ShapesVocabulary}), frame-major, so
 * 8 × 72 = 576 tokens on a `sincos3d` grid of 8 frames × 9 rows × 8 columns. Each frame's slot
 * row repeats the same clip-level prompt — the factorised attention of a frame only sees its own
 * frame — and nothing in it depends on the frame: where the object is in frame t the model must
 * work out from the direction and the frame's temporal position alone.
 * ```
 * slot 0–3   shape, colour, background, size (the image vocabulary's ids; null = not in the prompt)
 * slot 4     direction (4 ids + null, appended after the image vocabulary), the same in every frame
 * slot 5     the image model's count slot, always its null id (a clip has one object)
 * slot 6–7   the frame's palette (predicted), then 64 patch-mask codes (predicted)
 * ```
 */
export const CLIP_SEQUENCE = CLIP_FRAMES * SEQUENCE;

/** Slot of the direction in each frame's slot row (the image model's position slot). */
export const DIRECTION_SLOT = 4;

/**
 * The image model's mask codebook ({@link buildMaskCodebook}) plus every 4×4 mask of every
 * frame of every clip the dataset draws (a crossing object passes through centres the image
 * layouts never use), sorted: every dataset clip encodes exactly.
 */
export function buildMotionCodebook(): number[] {
  const codes = new Set(buildMaskCodebook());
  for (const shape of SHAPES) {
    for (const size of SIZES) {
      const [lo, hi] = laneRange(size);
      for (const direction of DIRECTIONS) {
        for (let lane = lo; lane <= hi; lane++) {
          for (const mask of renderClipMasks({ shape, size, direction, lane, colour: 'red', background: 'blue' })) {
            for (let p = 0; p < GRID * GRID; p++) codes.add(patchBits(mask, p));
          }
        }
      }
    }
  }
  return [...codes].sort((a, b) => a - b);
}

/**
 * The image vocabulary plus a direction range: encodes prompts and clips, decodes clips exactly.
 * The direction is one attribute of the whole clip; no token tells a frame where along its path
 * the object is (the frame index reaches the model only through its `sincos3d` positions).
 */
export class MotionVocabulary {
  /** First id of the direction range (its null id); then one id per {@link DIRECTIONS} entry. */
  readonly directionBase: number;
  /** Total ids (the model's vocabulary and output size). */
  readonly size: number;

  /** @param image - the image model's vocabulary (its mask codebook) */
  constructor(readonly image: ShapesVocabulary) {
    this.directionBase = image.size;
    this.size = this.directionBase + DIRECTIONS.length + 1;
  }

  /**
   * The slot-row attribute tokens of every frame of a parsed prompt, frame-major
   * (`CLIP_FRAMES × 6`): the same row for every frame; absent attributes get their null id.
   */
  encodePrompt(prompt: Omit<ParsedMotionPrompt, 'unknownWords' | 'ignored'>): Int32Array {
    const { shape, colour, background, size, direction } = prompt;
    const row = this.image.encodePrompt({ shape, colour, background, size });
    const d = direction === undefined ? -1 : DIRECTIONS.indexOf(direction);
    row[DIRECTION_SLOT] = this.directionBase + 1 + d;
    const out = new Int32Array(CLIP_FRAMES * ATTRIBUTE_SLOTS);
    for (let t = 0; t < CLIP_FRAMES; t++) out.set(row, t * ATTRIBUTE_SLOTS);
    return out;
  }

  /** A clip's full token sequence (`CLIP_SEQUENCE` ids) under the prompt tokens `attributes` ({@link encodePrompt}). */
  encodeClip(clip: MotionClip, attributes: Int32Array): Int32Array {
    if (attributes.length !== CLIP_FRAMES * ATTRIBUTE_SLOTS) throw new FramewrightError('INTERNAL', `expected ${CLIP_FRAMES * ATTRIBUTE_SLOTS} attribute tokens, got ${attributes.length}`);
    const out = new Int32Array(CLIP_SEQUENCE);
    for (let t = 0; t < CLIP_FRAMES; t++) {
      out.set(attributes.subarray(t * ATTRIBUTE_SLOTS, (t + 1) * ATTRIBUTE_SLOTS), t * SEQUENCE);
      out.set(this.image.encodeScene(clipFrameScene(clip, t)), t * SEQUENCE + ATTRIBUTE_SLOTS);
    }
    return out;
  }

  /**
   * Pixels of every frame of a full clip sequence (every predicted position filled).
   * @throws FramewrightError `MODEL_INVALID` for an id outside its slot's range
   */
  decodeClip(tokens: Int32Array): { frames: Uint8Array[]; colours: Colour[]; backgrounds: Colour[] } {
    if (tokens.length !== CLIP_SEQUENCE) throw new FramewrightError('MODEL_INVALID', `a clip has ${CLIP_SEQUENCE} tokens, got ${tokens.length}`);
    const frames: Uint8Array[] = [];
    const colours: Colour[] = [];
    const backgrounds: Colour[] = [];
    for (let t = 0; t < CLIP_FRAMES; t++) {
      const { rgb, colour, background } = this.image.decode(tokens.subarray(t * SEQUENCE, (t + 1) * SEQUENCE));
      frames.push(rgb);
      colours.push(colour);
      backgrounds.push(background);
    }
    return { frames, colours, backgrounds };
  }
}
