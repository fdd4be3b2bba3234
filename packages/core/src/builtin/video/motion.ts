import { FramewrightError } from '../../protocol/errors.js';
import type { Rng } from '../../transformer/random.js';
import { type Scene, NATIVE_SIZE, SIZE_PIXELS, isHeldOut, renderSceneMask, describeScene, COLOUR_NAMES, type Colour, type ParsedPrompt, SHAPES, SIZES, type Shape, type Size, parsePrompt } from '../image/index.js';

/**
 * The built-in text-to-video model's world: one shape of one colour crossing a plain background
 * in a straight line, over {@link CLIP_FRAMES} frames of 32×32 pixels — and the prompt grammar
 * that names it ("a red circle moves from left to right on a blue background").
 * @packageDocumentation
 */

/** Frames of every clip the built-in model draws. */
export const CLIP_FRAMES = 8;

/** Directions an object moves in. */
export const DIRECTIONS = ['left', 'right', 'up', 'down'] as const;
/** A direction of motion (`up` = towards the top of the picture). */
export type Direction = (typeof DIRECTIONS)[number];

/** Every attribute of a clip in the procedural dataset. */
export interface MotionClip {
  /** Object shape. */
  shape: Shape;
  /** Object colour. */
  colour: Colour;
  /** Background colour (never the object colour). */
  background: Colour;
  /** Object size. */
  size: Size;
  /** Direction of motion. */
  direction: Direction;
  /** Centre coordinate across the motion (y for left/right, x for up/down), in pixels. */
  lane: number;
}

/**
 * Colour × direction pairs never shown in training (besides every purple square and every
 * orange circle, the image model's held-out pairs), to test compositional prompts.
 */
const HELD_OUT_MOTION: ReadonlyArray<readonly [Colour, Direction]> = [
  ['yellow', 'down'],
  ['blue', 'left'],
  ['white', 'up'],
];

/** Whether a clip's attributes are a held-out combination (never trained on). */
export function isHeldOutClip(clip: Pick<MotionClip, 'shape' | 'colour' | 'direction'>): boolean {
  return isHeldOut(clip) || HELD_OUT_MOTION.some(([c, d]) => c === clip.colour && d === clip.direction);
}

/** Lowest and highest centre coordinate that keeps an object of `size` one pixel inside the frame (also the lane range). */
export function laneRange(size: Size): [number, number] {
  const half = SIZE_PIXELS[size] / 2;
  return [half + 1, NATIVE_SIZE - half - 1];
}

/**
 * Centre of the object in frame `t`: it crosses the whole frame (one pixel margin) at constant
 * speed, on integer pixels — every position encodes exactly in the image tokenizer's codebook.
 */
export function clipCentre(clip: MotionClip, t: number): [number, number] {
  const [lo, hi] = laneRange(clip.size);
  const along = Math.round(lo + ((hi - lo) * t) / (CLIP_FRAMES - 1));
  const forward = clip.direction === 'right' || clip.direction === 'down' ? along : lo + hi - along;
  return clip.direction === 'left' || clip.direction === 'right' ? [forward, clip.lane] : [clip.lane, forward];
}

/** The image scene of frame `t` (centre cell plus an offset: the renderer never clips inside the range). */
export function clipFrameScene(clip: MotionClip, t: number): Scene {
  const [x, y] = clipCentre(clip, t);
  return { shape: clip.shape, colour: clip.colour, background: clip.background, size: clip.size, position: 'centre', count: 1, jitter: [x - NATIVE_SIZE / 2, y - NATIVE_SIZE / 2] };
}

/** Binary object masks of every frame, `[32·32]` each (1 = object). */
export function renderClipMasks(clip: MotionClip): Uint8Array[] {
  return Array.from({ length: CLIP_FRAMES }, (_, t) => renderSceneMask(clipFrameScene(clip, t)));
}

/** A random clip of the `train` split (no held-out combination) or of the `held-out` split (only those). */
export function sampleClip(rng: Rng, split: 'train' | 'held-out'): MotionClip {
  for (;;) {
    const shape = SHAPES[rng.int(SHAPES.length)]!;
    const colour = COLOUR_NAMES[rng.int(COLOUR_NAMES.length)]!;
    const direction = DIRECTIONS[rng.int(DIRECTIONS.length)]!;
    if (isHeldOutClip({ shape, colour, direction }) !== (split === 'held-out')) continue;
    const others = COLOUR_NAMES.filter((c) => c !== colour);
    const background = others[rng.int(others.length)]!;
    const size = SIZES[rng.int(SIZES.length)]!;
    const [lo, hi] = laneRange(size);
    return { shape, colour, background, size, direction, lane: lo + rng.int(hi - lo + 1) };
  }
}

const MOTION_PHRASES: Readonly<Record<Direction, readonly string[]>> = {
  right: ['moves from left to right', 'moves right', 'slides to the right', 'moving rightwards'],
  left: ['moves from right to left', 'moves left', 'slides to the left', 'moving leftwards'],
  up: ['moves up', 'moves from bottom to top', 'rises upwards', 'moving up'],
  down: ['moves down', 'moves from top to bottom', 'falls downwards', 'moving down'],
};

/** Which attributes a caption names (false = left for the model to choose). */
export type MentionedClipAttributes = Readonly<Record<'shape' | 'colour' | 'background' | 'size' | 'direction', boolean>>;

/** Every attribute named. */
export const ALL_CLIP_ATTRIBUTES: MentionedClipAttributes = Object.freeze({ shape: true, colour: true, background: true, size: true, direction: true });

/**
 * An English caption of a clip, naming only the attributes in `mention` — "a red circle moves
 * from left to right on a blue background", "a small green square moves up, white background".
 * The object phrase is the image model's ({@link describeScene}).
 */
export function describeClip(clip: MotionClip, rng: Rng, mention: MentionedClipAttributes = ALL_CLIP_ATTRIBUTES): string {
  const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)]!;
  const scene = clipFrameScene(clip, 0);
  const object = describeScene(scene, rng, { ...mention, background: false, position: false, count: true });
  const motion = mention.direction ? pick(MOTION_PHRASES[clip.direction]) : '';
  const bg = clip.background;
  const background = mention.background ? pick([`on a ${bg} background`, `on ${bg}`, `, ${bg} background`, `against ${bg}`]) : '';
  return [object, motion, background].filter((p) => p !== '').join(' ').replace(' ,', ',');
}

/** What a text-to-video prompt asks for; absent attributes are the model's choice. */
export interface ParsedMotionPrompt extends Omit<ParsedPrompt, 'position' | 'count'> {
  /** Direction of motion. */
  direction?: Direction;
  /** Prompt parts the built-in video model cannot draw (a position, two objects), for warnings. */
  ignored: string[];
}

const DIRECTION_WORDS: Record<string, Direction> = {
  left: 'left', leftwards: 'left', leftward: 'left', right: 'right', rightwards: 'right', rightward: 'right',
  up: 'up', upwards: 'up', upward: 'up', down: 'down', downwards: 'down', downward: 'down',
};
const MOTION_VERBS = ['moves', 'move', 'moving', 'slides', 'slide', 'sliding', 'goes', 'going', 'travels', 'travelling', 'traveling', 'drifts', 'drifting', 'rises', 'rising', 'falls', 'falling', 'flies', 'flying', 'heads', 'heading'];
const FROM_TO = /\bfrom\s+(?:the\s+)?(left|right|top|bottom)\s+to\s+(?:the\s+)?(left|right|top|bottom)\b/;
const VERB_DIRECTION = new RegExp(`\\b(?:${MOTION_VERBS.join('|')})\\s+(?:to\\s+the\\s+|towards\\s+the\\s+)?(${Object.keys(DIRECTION_WORDS).join('|')})\\b`);
const BARE_DIRECTION = /\b(leftwards?|rightwards?|upwards?|downwards?)\b/;

/**
 * Reads a text-to-video prompt: the motion ("from left to right", "moves up", "slides to the
 * left", "downwards", …) first, then the object and background with the image model's grammar
 * ({@link parsePrompt}). Motion verbs are not unknown words; a position or a second object is
 * reported in `ignored` (the model draws one object crossing the frame).
 * @throws FramewrightError `INVALID_PARAMS` for an empty or over-long prompt
 */
export function parseMotionPrompt(prompt: string): ParsedMotionPrompt {
  if (typeof prompt !== 'string' || prompt.trim().length === 0) throw new FramewrightError('INVALID_PARAMS', 'prompt is empty; describe the clip, e.g. "a red circle moves from left to right on a blue background"');
  let text = prompt.toLowerCase();
  let direction: Direction | undefined;
  const fromTo = FROM_TO.exec(text);
  if (fromTo !== null && fromTo[1] !== fromTo[2]) {
    const [from, to] = [fromTo[1]!, fromTo[2]!];
    direction = to === 'top' ? 'up' : to === 'bottom' ? 'down' : to === 'left' || to === 'right' ? to : undefined;
    if ((from === 'top' || from === 'bottom') !== (to === 'top' || to === 'bottom')) direction = undefined; // "from left to bottom": no straight line
    if (direction !== undefined) text = text.replace(fromTo[0], ' ');
  }
  for (const pattern of [VERB_DIRECTION, BARE_DIRECTION]) {
    if (direction !== undefined) break;
    const m = pattern.exec(text);
    if (m !== null) {
      direction = DIRECTION_WORDS[m[1]!];
      text = text.replace(m[0], ' ');
    }
  }
  text = text.replace(new RegExp(`\\b(?:${MOTION_VERBS.join('|')}|towards|across|frame|screen)\\b`, 'g'), ' ');
  const rest: ParsedPrompt = text.trim().length === 0 ? { unknownWords: [] } : parsePrompt(text);
  const ignored: string[] = [];
  if (rest.position !== undefined) ignored.push(`position "${rest.position}" (the object crosses the whole frame)`);
  if (rest.count === 2) ignored.push('a second object (the model draws one)');
  const { position: _position, count: _count, ...attributes } = rest;
  return { ...attributes, ...(direction === undefined ? {} : { direction }), ignored };
}
