// Prompt following of the built-in video model: prompt cases and their scoring by the clip
// checker, for the model tests and bench/video-quality.ts.
import { type MotionClip, describeClip, sampleClip } from '../../src/builtin/video/motion.js';
import type { RawRgbImage } from '../../src/media/index.js';
import { Rng, mixSeed } from '../../src/transformer/random.js';
import { type CheckedClip, checkClip } from './video-checker.js';

/** Minimal model surface scored here (the built-in video model, or one loaded from another folder). */
interface ClipModel {
  generate(req: { prompt: string; seed: number; steps?: number; guidance?: number }): Promise<{ frames: RawRgbImage[] }>;
}

/** One prompt of the text-to-video prompt-following test. */
export interface ClipPromptCase {
  /** The clip the prompt describes (every attribute named). */
  clip: MotionClip;
  /** The prompt. */
  prompt: string;
  /** Generation seed. */
  seed: number;
}

/** Prompt-following figures of a set of generated clips. */
export interface ClipPromptScore {
  /** Prompts scored. */
  prompts: number;
  /** Share (0–1) of clips whose object colour is the prompt's. */
  colour: number;
  /** Share of clips whose object centre moved in the prompt's direction. */
  direction: number;
  /** Share of clips whose background is the prompt's. */
  background: number;
  /** Share of clips whose object shape is the prompt's. */
  shape: number;
  /** Mean flicker ({@link CheckedClip.flicker}) over the clips. */
  flicker: number;
  /** Each case with what the checker read from its clip. */
  results: { case: ClipPromptCase; read: CheckedClip }[];
}

/**
 * `n` prompts naming every attribute: `held-out` draws only combinations never trained on
 * (purple squares, orange circles, and the held-out colour × direction pairs), `train` only
 * trained ones. Deterministic in `seed`.
 */
export function clipPromptCases(split: 'train' | 'held-out', n: number, seed = 2026): ClipPromptCase[] {
  const rng = new Rng(mixSeed(seed, split === 'train' ? 3 : 4));
  return Array.from({ length: n }, (_, i) => {
    const clip = sampleClip(rng, split);
    return { clip, prompt: describeClip(clip, rng), seed: i };
  });
}

/** Generates every case (decoding steps and guidance: the model's defaults unless given) and reads each clip back with {@link checkClip}. */
export async function scoreClipPromptFollowing(model: ClipModel, cases: readonly ClipPromptCase[], options: { steps?: number | undefined; guidance?: number | undefined } = {}): Promise<ClipPromptScore> {
  const results: ClipPromptScore['results'] = [];
  for (const c of cases) {
    const { steps, guidance } = options;
    const { frames } = await model.generate({ prompt: c.prompt, seed: c.seed, ...(steps === undefined ? {} : { steps }), ...(guidance === undefined ? {} : { guidance }) });
    results.push({ case: c, read: checkClip(frames) });
  }
  const n = Math.max(1, results.length);
  const share = (ok: (r: (typeof results)[number]) => boolean): number => results.filter(ok).length / n;
  return {
    prompts: results.length,
    colour: share((r) => r.read.colour === r.case.clip.colour),
    direction: share((r) => r.read.direction === r.case.clip.direction),
    background: share((r) => r.read.background === r.case.clip.background),
    shape: share((r) => r.read.shape === r.case.clip.shape),
    flicker: results.reduce((s, r) => s + r.read.flicker, 0) / n,
    results,
  };
}
