import { FramewrightError } from '../../protocol/errors.js';

/**
 * The built-in model's prompt grammar.
 *
 * A prompt describes one picture: one or two objects of one shape and colour on a plain
 * background. Every attribute may be left out; the model then chooses it.
 *
 * ```
 * prompt     := word*                       (any order, any punctuation; case-insensitive)
 * shape      := circle | square | triangle   (plural "circles" etc. means two; synonyms: disc,
 *                                            disk, dot, ball, round → circle; box, block, rectangle
 *                                            → square)
 * colour     := red | green | blue | yellow | white | black | purple | orange (violet → purple)
 * object     := the first colour not marked as the background
 * background := colour followed by "background"/"backdrop"/"bg", or after "on"/"against"/"over"
 *               ("on a blue background", "on purple"), or after "background" ("background: white");
 *               a second unmarked colour is the background too ("red circle, blue")
 * size       := small | medium | large (tiny, little; mid, medium-sized; big, huge)
 * position   := a vertical word (top, upper / bottom, lower) and/or a horizontal word
 *               (left / right), or centre/center/middle: "top left", "bottom", "right", "centre"
 * count      := a | an | one | single → 1; two | pair | couple | a plural shape (or "shapes",
 *               "objects") → 2
 * ```
 * Filler words ("the", "in", "at", "corner", "image of", …) are ignored. Any other word is
 * reported back in {@link ParsedPrompt.unknownWords} (the caller turns them into warnings); a
 * prompt never fails for its words. Empty prompts and prompts over {@link MAX_PROMPT_LENGTH}
 * characters are `INVALID_PARAMS`.
 *
 * @example
 * ```ts
 * parsePrompt('two small yellow squares top left on purple');
 * // { shape: 'square', colour: 'yellow', background: 'purple', size: 'small', position: 'top left', count: 2, unknownWords: [] }
 * ```
 * @packageDocumentation
 */

/** Object shapes the built-in model draws. */
export const SHAPES = ['circle', 'square', 'triangle'] as const;
/** A shape. */
export type Shape = (typeof SHAPES)[number];

/** Colours the built-in model knows, with the exact RGB it paints. */
export const COLOURS = {
  red: [220, 40, 40],
  green: [40, 170, 60],
  blue: [40, 80, 220],
  yellow: [240, 220, 40],
  white: [245, 245, 245],
  black: [20, 20, 20],
  purple: [140, 60, 180],
  orange: [245, 140, 30],
} as const satisfies Record<string, readonly [number, number, number]>;
/** A colour name. */
export type Colour = keyof typeof COLOURS;
/** Colour names in palette order (palette index = position in this list). */
export const COLOUR_NAMES = Object.keys(COLOURS) as Colour[];

/** Object sizes. */
export const SIZES = ['small', 'medium', 'large'] as const;
/** A size. */
export type Size = (typeof SIZES)[number];

/** Cells of the 3×3 position grid, row-major (index = row·3 + column). */
export const POSITIONS = ['top left', 'top', 'top right', 'left', 'centre', 'right', 'bottom left', 'bottom', 'bottom right'] as const;
/** A position. */
export type Position = (typeof POSITIONS)[number];

/** Longest prompt accepted (the operation schema's cap). */
export const MAX_PROMPT_LENGTH = 2000;

/** What a prompt asks for; absent attributes are the model's choice. */
export interface ParsedPrompt {
  /** Object shape. */
  shape?: Shape;
  /** Object colour. */
  colour?: Colour;
  /** Background colour. */
  background?: Colour;
  /** Object size. */
  size?: Size;
  /** Cell of the 3×3 grid. */
  position?: Position;
  /** Number of objects (1 or 2). */
  count?: 1 | 2;
  /** Words the grammar does not know, in prompt order, each once. */
  unknownWords: string[];
  /**
   * Contradictions, one line each ("shape: circle, then square; drawing circle"); absent when
   * there are none. The first value of an attribute wins.
   */
  conflicts?: string[];
}

const SHAPE_WORDS: Record<string, Shape> = {
  circle: 'circle', disc: 'circle', disk: 'circle', dot: 'circle', ball: 'circle', round: 'circle', ring: 'circle',
  square: 'square', box: 'square', block: 'square', rectangle: 'square', cube: 'square',
  triangle: 'triangle', pyramid: 'triangle',
};
const COLOUR_WORDS: Record<string, Colour> = { ...Object.fromEntries(COLOUR_NAMES.map((c) => [c, c])), violet: 'purple' };
const SIZE_WORDS: Record<string, Size> = {
  small: 'small', tiny: 'small', little: 'small',
  medium: 'medium', mid: 'medium', midsize: 'medium', sized: 'medium',
  large: 'large', big: 'large', huge: 'large',
};
const VERTICAL: Record<string, 0 | 2> = { top: 0, upper: 0, bottom: 2, lower: 2 };
const HORIZONTAL: Record<string, 0 | 2> = { left: 0, right: 2 };
const CENTRE_WORDS = new Set(['centre', 'center', 'middle', 'centred', 'centered', 'central']);
const ONE_WORDS = new Set(['a', 'an', 'one', 'single']);
const TWO_WORDS = new Set(['two', 'pair', 'couple', 'both', 'shapes', 'objects', 'things']);
const BACKGROUND_WORDS = new Set(['background', 'backdrop', 'bg']);
const BACKGROUND_MARKERS = new Set(['on', 'against', 'over']);
const ARTICLES = new Set(['a', 'an', 'the', 'plain', 'solid']);
const FILLER = new Set([
  'the', 'of', 'in', 'at', 'with', 'and', 'is', 'are', 'to', 'image', 'picture', 'photo', 'drawing', 'corner', 'side', 'edge',
  'placed', 'located', 'positioned', 'sitting', 'shape', 'object', 'thing', 'shaped', 'colour', 'color', 'coloured', 'colored', 'plain', 'solid', 'filled', 'part',
]);

/** Lower-cased words of a prompt; hyphens and punctuation separate words. */
function wordsOf(prompt: string): string[] {
  return prompt.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0);
}

/** `circles` → `circle` (and whether it was plural) when the singular is a shape word. */
function shapeOf(word: string): { shape: Shape; plural: boolean } | undefined {
  const direct = SHAPE_WORDS[word];
  if (direct !== undefined) return { shape: direct, plural: false };
  const singular = word.endsWith('es') && SHAPE_WORDS[word.slice(0, -2)] !== undefined ? word.slice(0, -2) : word.endsWith('s') ? word.slice(0, -1) : undefined;
  const shape = singular === undefined ? undefined : SHAPE_WORDS[singular];
  return shape === undefined ? undefined : { shape, plural: true };
}

/**
 * Reads the attributes a prompt asks for (see the grammar above).
 * @throws FramewrightError `INVALID_PARAMS` for an empty prompt or one over {@link MAX_PROMPT_LENGTH} characters
 */
export function parsePrompt(prompt: string): ParsedPrompt {
  if (typeof prompt !== 'string') throw new FramewrightError('INVALID_PARAMS', 'prompt must be a string');
  if (prompt.length > MAX_PROMPT_LENGTH) {
    throw new FramewrightError('INVALID_PARAMS', `prompt is ${prompt.length} characters; the limit is ${MAX_PROMPT_LENGTH}`);
  }
  const words = wordsOf(prompt);
  if (prompt.trim().length === 0) throw new FramewrightError('INVALID_PARAMS', 'prompt is empty; describe the picture, e.g. "a red circle on a blue background"');
  const out: ParsedPrompt = { unknownWords: [] };
  const unknown = (w: string): void => {
    if (!out.unknownWords.includes(w)) out.unknownWords.push(w);
  };
  const conflicts: string[] = [];
  const conflict = (what: string, first: string | number, then: string | number): void => {
    const line = `${what}: ${first}, then ${then}; drawing ${first}`;
    if (first !== then && !conflicts.includes(line)) conflicts.push(line);
  };
  /** `out[key] ??= value`, noting a different second value as a conflict. */
  const setOnce = <K extends 'shape' | 'size' | 'count' | 'background'>(key: K, value: NonNullable<ParsedPrompt[K]>, what: string = key): void => {
    const had = out[key];
    if (had === undefined) out[key] = value;
    else conflict(what, had as string | number, value as string | number);
  };
  const axis = (name: string, had: 0 | 1 | 2 | undefined, value: 0 | 2, words: readonly string[]): 0 | 1 | 2 => {
    if (had !== undefined && had !== value) conflict(name, words[had]!, words[value]!);
    return had ?? value;
  };
  let vertical: 0 | 1 | 2 | undefined;
  let horizontal: 0 | 1 | 2 | undefined;
  let centre = false;
  let article = false; // "a"/"an" before the object
  let markedBackground = false; // the next colour is the background ("on", "against", "background:")
  const plainColours: Colour[] = [];
  words.forEach((word, i) => {
    const colour = COLOUR_WORDS[word];
    if (colour !== undefined) {
      const next = words[i + 1];
      if (markedBackground || (next !== undefined && BACKGROUND_WORDS.has(next))) {
        setOnce('background', colour);
        markedBackground = false;
      } else plainColours.push(colour);
      return;
    }
    // "on"/"against" marks the next colour only when nothing but articles comes between.
    if (!BACKGROUND_MARKERS.has(word) && !ARTICLES.has(word)) markedBackground = false;
    const shape = shapeOf(word);
    if (shape !== undefined) {
      setOnce('shape', shape.shape);
      if (shape.plural) out.count ??= 2;
      return;
    }
    if (BACKGROUND_MARKERS.has(word)) markedBackground = true;
    else if (BACKGROUND_WORDS.has(word)) markedBackground = out.background === undefined && (words[i - 1] === undefined || COLOUR_WORDS[words[i - 1]!] === undefined);
    else if (word in SIZE_WORDS) setOnce('size', SIZE_WORDS[word]!);
    else if (word in VERTICAL) vertical = axis('position', vertical, VERTICAL[word]!, ['top', 'middle', 'bottom']);
    else if (word in HORIZONTAL) horizontal = axis('position', horizontal, HORIZONTAL[word]!, ['left', 'centre', 'right']);
    else if (CENTRE_WORDS.has(word)) centre = true;
    else if (TWO_WORDS.has(word)) out.count ??= 2;
    else if (ONE_WORDS.has(word)) {
      if (word !== 'a' && word !== 'an') out.count ??= 1;
      else if (!markedBackground) article = true; // "on a blue background" counts nothing
    } else if (!FILLER.has(word)) unknown(word);
  });
  // A plain colour is the object's; a second one is the background unless it was named already.
  for (const colour of plainColours) {
    if (out.colour === undefined) out.colour = colour;
    else if (out.background === undefined && colour !== out.colour) out.background = colour;
    else if (colour !== out.colour && colour !== out.background) conflict('object colour', out.colour, colour);
  }
  if (out.colour !== undefined && out.colour === out.background) conflicts.push(`the object and the background are both ${out.colour}; the background is drawn in another colour`);
  if (conflicts.length > 0) out.conflicts = conflicts;
  if (vertical !== undefined || horizontal !== undefined || centre) {
    out.position = POSITIONS[(vertical ?? 1) * 3 + (horizontal ?? 1)]!;
  }
  if (article) out.count ??= 1;
  return out;
}

/** Every attribute of a picture, as {@link completePrompt} settles them. */
export type CompletePrompt = Required<Omit<ParsedPrompt, 'unknownWords' | 'conflicts'>>;

/** The random choices {@link completePrompt} needs (an `Rng` fits). */
export interface AttributeChooser {
  /** A uniform integer in [0, n). */
  int(n: number): number;
}

/** Sizes chosen for a prompt that names none: the model draws small objects cleanly less often (24 of 38 seeds, against 45 of 45 large). */
const UNASKED_SIZES: readonly Size[] = ['medium', 'large'];

/**
 * Fills in what a prompt leaves out, as the grammar promises ("the model chooses it"): shape,
 * colours and position uniformly from `choose`, a medium or large size; one object unless the
 * prompt asks for two; two objects are always small. An object colour equal to the background (a contradiction,
 * reported in {@link ParsedPrompt.conflicts}) keeps the object's colour and draws another
 * background, so the object stays visible.
 */
export function completePrompt(parsed: ParsedPrompt, choose: AttributeChooser): CompletePrompt {
  const pick = <T>(items: readonly T[]): T => items[choose.int(items.length)]!;
  const shape = parsed.shape ?? pick(SHAPES);
  const count = parsed.count ?? 1;
  const colour = parsed.colour ?? pick(COLOUR_NAMES.filter((c) => c !== parsed.background));
  const background = parsed.background !== undefined && parsed.background !== colour ? parsed.background : pick(COLOUR_NAMES.filter((c) => c !== colour));
  const size = count === 2 ? 'small' : (parsed.size ?? pick(UNASKED_SIZES));
  const position = parsed.position ?? pick(POSITIONS);
  return { shape, colour, background, size, position, count };
}
