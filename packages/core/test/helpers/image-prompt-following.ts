// Prompt following of the built-in image model: prompt cases and their scoring by the pixel
// checker, for the model test and bench/image-quality.ts.
import { describeScene } from '../../src/builtin/image/captions.js';
import { type Scene, sampleScene } from '../../src/builtin/image/scene.js';
import { Rng, mixSeed } from '../../src/transformer/random.js';
import { type CheckedImage, checkImage } from './image-checker.js';

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
