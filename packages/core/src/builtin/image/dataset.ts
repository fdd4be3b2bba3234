import { type Scene, sampleScene } from './scene.js';
import { ATTRIBUTE_SLOTS, SEQUENCE, type ShapesVocabulary } from './tokens.js';
import { type MentionedAttributes, describeScene } from './captions.js';
import { parsePrompt } from './prompt.js';
import type { Rng } from '../../transformer/random.js';

/** Chance that a caption leaves one attribute out (the model learns to choose it). */
const OMIT_PROBABILITY = 0.2;
/** Chance that a training example has no prompt at all. */
const UNCONDITIONAL_PROBABILITY = 0.05;

/** One training example: a caption, and the token sequence (attribute tokens from the parsed caption). */
export interface ShapesExample {
  /** The scene drawn. */
  scene: Scene;
  /** Its caption; empty for an unconditional example. */
  caption: string;
  /** `SEQUENCE` token ids: attributes of the parsed caption, palette, patch codes. */
  tokens: Int32Array;
}

/**
 * A training example drawn from `rng`: a scene, a caption that may leave attributes out, and the
 * tokens the model sees — the attributes come from {@link parsePrompt} on the caption, so the
 * model is trained on exactly what the grammar produces at generation time. `jitter: false` puts
 * every object exactly on its cell centre (the random stream is the same either way).
 */
export function sampleExample(rng: Rng, vocab: ShapesVocabulary, jitter = true): ShapesExample {
  const drawn = sampleScene(rng, 'train');
  const scene: Scene = jitter ? drawn : { ...drawn, jitter: [0, 0] };
  const unconditional = rng.float() < UNCONDITIONAL_PROBABILITY;
  const keep = (): boolean => !unconditional && rng.float() >= OMIT_PROBABILITY;
  const mention: MentionedAttributes = { shape: keep(), colour: keep(), background: keep(), size: keep(), position: keep(), count: keep() };
  const anything = Object.values(mention).some((m) => m);
  const caption = anything ? describeScene(scene, rng, mention) : '';
  const tokens = new Int32Array(SEQUENCE);
  tokens.set(vocab.encodePrompt(anything ? parsePrompt(caption) : { }), 0);
  tokens.set(vocab.encodeScene(scene), ATTRIBUTE_SLOTS);
  return { scene, caption, tokens };
}
