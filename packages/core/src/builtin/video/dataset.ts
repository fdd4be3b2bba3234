import { type MentionedClipAttributes, type MotionClip, describeClip, parseMotionPrompt, sampleClip } from './motion.js';
import type { MotionVocabulary } from './tokens.js';
import type { Rng } from '../../transformer/random.js';

/** Chance that a caption leaves one attribute out (the model learns to choose it). */
const OMIT_PROBABILITY = 0.1;
/** Chance that a training example has no prompt at all. */
const UNCONDITIONAL_PROBABILITY = 0.05;

/** One training clip: its attributes, a caption, and the token sequence. */
export interface MotionExample {
  /** The clip drawn. */
  clip: MotionClip;
  /** Its caption; empty for an unconditional example. */
  caption: string;
  /** `CLIP_SEQUENCE` ids: the parsed caption's attributes in every frame's slot row, palettes, patch codes. */
  tokens: Int32Array;
}

/**
 * A training clip drawn from `rng` (train split: no held-out combination): a caption that may
 * leave attributes out, and the tokens the model sees — the attributes come from
 * {@link parseMotionPrompt} on the caption, exactly what generation will feed the model.
 */
export function sampleMotionExample(rng: Rng, vocab: MotionVocabulary): MotionExample {
  const clip = sampleClip(rng, 'train');
  const unconditional = rng.float() < UNCONDITIONAL_PROBABILITY;
  const keep = (): boolean => !unconditional && rng.float() >= OMIT_PROBABILITY;
  const mention: MentionedClipAttributes = { shape: keep(), colour: keep(), background: keep(), size: keep(), direction: keep() };
  const anything = Object.values(mention).some((m) => m);
  const caption = anything ? describeClip(clip, rng, mention) : '';
  const tokens = vocab.encodeClip(clip, vocab.encodePrompt(anything ? parseMotionPrompt(caption) : {}));
  return { clip, caption, tokens };
}
