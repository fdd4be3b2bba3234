// Prompt following of the built-in video model: prompt cases and their scoring by the clip
// checker, for the model tests and bench/video-quality.ts.
import { NATIVE_SIZE, paintMask } from '../../src/builtin/image/scene.js';
import { type MotionClip, describeClip, renderClipMasks, sampleClip } from '../../src/builtin/video/motion.js';
import type { RawRgbImage } from '../../src/media/index.js';
import { Rng, mixSeed } from '../../src/transformer/random.js';
import { type CheckedClip, checkClip } from './video-checker.js';

/** Minimal model surface scored here (the built-in video model, or one loaded from another folder). */
interface ClipModel {
  generate(req: { prompt: string; seed: number; steps?: number; guidance?: number; pinColours?: boolean }): Promise<{ frames: RawRgbImage[] }>;
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

/** Sampling options of a scored run: the model's defaults unless given; `pinColours` is the colour-pinning sampling aid (off unless true). */
export interface ClipSamplingOptions {
  steps?: number | undefined;
  guidance?: number | undefined;
  pinColours?: boolean | undefined;
}

/** Generates every case and reads each clip back with {@link checkClip}. */
export async function scoreClipPromptFollowing(model: ClipModel, cases: readonly ClipPromptCase[], options: ClipSamplingOptions = {}): Promise<ClipPromptScore> {
  const results: ClipPromptScore['results'] = [];
  const { steps, guidance, pinColours } = options;
  for (const c of cases) {
    const { frames } = await model.generate({ prompt: c.prompt, seed: c.seed, ...(steps === undefined ? {} : { steps }), ...(guidance === undefined ? {} : { guidance }), ...(pinColours === true ? { pinColours } : {}) });
    results.push({ case: c, read: checkClip(frames) });
  }
  return figures(results);
}

/**
 * The checker's chance level on `cases`: each case is scored against `draws` clean clips drawn
 * from the training distribution independently of its prompt (rendered exactly, so every figure
 * is what a perfect drawer that ignores the prompt gets). Deterministic in `seed`.
 */
export function scoreChanceClips(cases: readonly ClipPromptCase[], draws = 4, seed = 2027): ClipPromptScore {
  const rng = new Rng(mixSeed(seed, 5));
  const results = cases.flatMap((c) =>
    Array.from({ length: draws }, () => {
      const clip = sampleClip(rng, 'train');
      const frames = renderClipMasks(clip).map((mask) => ({ width: NATIVE_SIZE, height: NATIVE_SIZE, rgb: paintMask(mask, clip.colour, clip.background) }));
      return { case: c, read: checkClip(frames) };
    }),
  );
  return figures(results);
}

function figures(results: ClipPromptScore['results']): ClipPromptScore {
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
