// Prompt following of the built-in image model: prompt cases and their scoring by the pixel
// checker, for the model test and bench/image-quality.ts.
import { describeScene } from '../../src/builtin/image/captions.js';
import { resolvePrompt } from '../../src/builtin/image/model.js';
import { COLOUR_NAMES } from '../../src/builtin/image/prompt.js';
import { NATIVE_SIZE, type Scene, type SceneAttributes, paintMask, renderSceneMask, sampleScene } from '../../src/builtin/image/scene.js';
import { Rng, mixSeed } from '../../src/transformer/random.js';
import { type CheckedImage, checkImage, nearestColour } from './image-checker.js';

/** Minimal model surface scored here (the built-in model, or one loaded from another folder). */
interface ImageModel {
  generate(req: { prompt: string; seed: number; steps?: number }): Promise<{ width: number; height: number; rgb: Uint8Array }>;
}

/** One prompt of the prompt-following test: the scene it describes, its text, the seed to draw with. */
export interface PromptCase {
  /** The scene the prompt describes (every attribute named). */
  scene: Scene;
  /** The prompt. */
  prompt: string;
  /** Generation seed. */
  seed: number;
}

/** Attributes scored, in report order. */
export const SCORED_ATTRIBUTES = ['background', 'colour', 'position', 'shape', 'size', 'count'] as const;

/** Share (0–1) of prompts whose picture shows each attribute as asked, plus the failures. */
export interface PromptFollowingScore {
  /** Prompts scored. */
  prompts: number;
  /** Fraction right per attribute. */
  accuracy: Record<(typeof SCORED_ATTRIBUTES)[number], number>;
  /** Each case with what the checker read from its picture. */
  results: { case: PromptCase; read: CheckedImage }[];
}

/**
 * `n` prompts naming every attribute: `held-out` draws only combinations never trained on
 * (purple squares, orange circles), `train` only trained combinations. Deterministic in `seed`.
 */
export function promptFollowingCases(split: 'train' | 'held-out', n: number, seed = 2026): PromptCase[] {
  const rng = new Rng(mixSeed(seed, split === 'train' ? 1 : 2));
  return Array.from({ length: n }, (_, i) => {
    const scene = sampleScene(rng, split);
    return { scene, prompt: describeScene(scene, rng), seed: i };
  });
}

/** Generates every case and reads each picture back with {@link checkImage}. */
export async function scorePromptFollowing(model: ImageModel, cases: readonly PromptCase[], steps?: number): Promise<PromptFollowingScore> {
  const results: PromptFollowingScore['results'] = [];
  for (const c of cases) {
    const image = await model.generate({ prompt: c.prompt, seed: c.seed, ...(steps === undefined ? {} : { steps }) });
    results.push({ case: c, read: checkImage(image.rgb, image.width, image.height) });
  }
  const share = (k: (typeof SCORED_ATTRIBUTES)[number]): number => results.filter((r) => r.read[k] === r.case.scene[k]).length / Math.max(1, results.length);
  const accuracy = Object.fromEntries(SCORED_ATTRIBUTES.map((k) => [k, share(k)])) as PromptFollowingScore['accuracy'];
  return { prompts: results.length, accuracy, results };
}

/**
 * Intersection over union of the object pixels of a generated picture (every pixel whose nearest
 * palette colour is not its most common one) and of the ideal render of `scene` on its cell
 * centre (a prompt carries no jitter). 1 = the asked object exactly; 0 = nothing in common.
 */
export function objectIoU(rgb: Uint8Array, width: number, height: number, scene: SceneAttributes): number {
  if (width !== NATIVE_SIZE || height !== NATIVE_SIZE) throw new Error(`objectIoU compares ${NATIVE_SIZE}×${NATIVE_SIZE} pictures, got ${width}×${height}`);
  const n = width * height;
  const index = new Uint8Array(n);
  const counts = new Array<number>(COLOUR_NAMES.length).fill(0);
  for (let i = 0; i < n; i++) counts[(index[i] = nearestColour(rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!))]!++;
  const bg = counts.indexOf(Math.max(...counts));
  const ideal = renderSceneMask({ ...scene, jitter: [0, 0] });
  let inter = 0;
  let union = 0;
  for (let i = 0; i < n; i++) {
    const a = index[i] !== bg;
    const b = ideal[i] === 1;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/**
 * Prompts written by hand, independently of the caption generator ({@link describeScene}):
 * paraphrases, other word orders, synonyms, and prompts that leave attributes out. Each is drawn
 * with its seed; what it leaves out is what the model chose ({@link resolvePrompt}).
 */
export const INDEPENDENT_PROMPTS: readonly string[] = [
  'draw a big blue ball in the upper right',
  'yellow box, lower left, black backdrop',
  'circle',
  'an orange pyramid in the center against white',
  'tiny red square on the right side',
  'green disc at the bottom on a purple background',
  'two blue triangles on yellow',
  'a white dot near the top',
  'square in the middle',
  'a purple triangle',
  'big black circle centered, orange background',
  'the red block at the upper left',
  'lower right: a green ring',
  'white background with a blue square at the bottom right',
  'a large yellow triangle',
  'on green, a small white box top right',
  'one orange ball',
  'blue',
  'a pair of red dots in the centre',
  'a medium green pyramid at the left on black',
  'picture of a yellow circle on blue',
  'red triangle bottom left',
  'a square, white on purple',
  'black background, large white disk',
];

/** The hand-written prompts as cases: the scene each asks for (omissions as the model chose them) and its seed. */
export function independentPromptCases(seed = 11): PromptCase[] {
  return INDEPENDENT_PROMPTS.map((prompt, i) => {
    const s = mixSeed(seed, i);
    return { scene: { ...resolvePrompt(prompt, s).attributes, jitter: [0, 0] }, prompt, seed: s };
  });
}

/** Mean IoU against the ideal render, and the share of pictures at or above 0.8. */
export async function scoreIoU(model: ImageModel, cases: readonly PromptCase[]): Promise<{ mean: number; atLeast08: number; values: number[] }> {
  const values: number[] = [];
  for (const c of cases) {
    const image = await model.generate({ prompt: c.prompt, seed: c.seed });
    values.push(objectIoU(image.rgb, image.width, image.height, c.scene));
  }
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, atLeast08: values.filter((v) => v >= 0.8).length / values.length, values };
}

/**
 * The checker's chance baseline for shape: pictures of a shapeless blob (a random walk grown to
 * the area of a medium object) of the asked colour at the asked cell, scored against the asked
 * shape. A checker without bias scores about 1/3 here; `named` counts the shapes it read.
 */
export function checkerShapeBaseline(n: number, seed = 5): { accuracy: number; named: Record<string, number> } {
  const rng = new Rng(seed);
  const named: Record<string, number> = {};
  let right = 0;
  for (let k = 0; k < n; k++) {
    const scene = { ...sampleScene(rng, 'train'), size: 'medium' as const, count: 1 as const, jitter: [0, 0] as const };
    const ideal = renderSceneMask(scene);
    const area = ideal.reduce((a, b) => a + b, 0);
    const mask = new Uint8Array(NATIVE_SIZE * NATIVE_SIZE);
    const start = ideal.findIndex((_, i) => ideal[i] === 1 && ideal[i - 1] === 1 && ideal[i + 1] === 1);
    let x = start % NATIVE_SIZE;
    let y = Math.floor(start / NATIVE_SIZE);
    for (let filled = 0, guard = 0; filled < area && guard < 100 * area; guard++) {
      if (mask[y * NATIVE_SIZE + x] === 0) {
        mask[y * NATIVE_SIZE + x] = 1;
        filled++;
      }
      const d = rng.int(4);
      x = Math.min(NATIVE_SIZE - 1, Math.max(0, x + (d === 0 ? 1 : d === 1 ? -1 : 0)));
      y = Math.min(NATIVE_SIZE - 1, Math.max(0, y + (d === 2 ? 1 : d === 3 ? -1 : 0)));
    }
    const read = checkImage(paintMask(mask, scene.colour, scene.background), NATIVE_SIZE, NATIVE_SIZE);
    named[read.shape ?? 'none'] = (named[read.shape ?? 'none'] ?? 0) + 1;
    if (read.shape === scene.shape) right++;
  }
  return { accuracy: right / n, named };
}
