import { cancelled, FramewrightError } from '../../protocol/errors.js';
import { Rng, mixSeed } from '../../transformer/random.js';
import { ATTRIBUTE_SLOTS, SEQUENCE, type ShapesVocabulary } from './tokens.js';

/** Logits `[SEQUENCE · vocabulary]` for one token sequence (ONNX Runtime or tfjs behind it). */
export type LogitsFunction = (tokens: Int32Array) => Promise<Float32Array>;

/** Options of {@link sampleTokens}. */
export interface SampleOptions {
  /** Parallel decoding steps (1 … 64). */
  steps: number;
  /** Seed: the same seed, attributes and model give the same tokens. */
  seed: number;
  /** Softmax temperature of the token draws (default 1; lower = closer to the most likely token). */
  temperature?: number;
  /**
   * Classifier-free guidance weight w (default 1 = off): logits = u + w·(c − u), with u the
   * logits for the same tokens and every prompt attribute set to "not given". Costs a second
   * forward pass per step.
   */
  guidance?: number;
  /** The attribute tokens of "no prompt" for guidance, shaped like `attributes` (default: every attribute slot's null id). */
  unconditional?: Int32Array;
  /** Gumbel noise on the confidences at the first step, falling linearly to 0 (MaskGIT's choice temperature). */
  choiceTemperature?: number;
  /** Called after each step. */
  onStep?: (step: number, steps: number) => void;
  /** Checked before each step; aborting throws `CANCELLED`. */
  signal?: AbortSignal;
  /**
   * Pictures in one sequence (video frames, frame-major; default 1): the sequence is
   * `frames·SEQUENCE` ids, each frame laid out like one picture, all decoded together.
   */
  frames?: number;
}

function guided(conditional: Float32Array, unconditional: Float32Array, weight: number): Float32Array {
  return conditional.map((c, i) => unconditional[i]! + weight * (c - unconditional[i]!));
}

/** Largest number of decoding steps accepted. */
export const MAX_STEPS = 64;

/**
 * MaskGIT decoding: start with every picture token masked; at each step sample every masked
 * position from the model's distribution (restricted to the ids its slot may hold), then keep
 * the most confident samples and re-mask the rest, so that `⌊N·cos(π/2·(t+1)/steps)⌋` stay
 * masked after step t (none after the last). Deterministic given the seed.
 *
 * @param attributes - the 6 prompt-attribute tokens ({@link ShapesVocabulary.encodePrompt}), given to every frame, or 6 per frame (frame-major)
 * @returns the full token sequence (`frames·SEQUENCE` ids)
 */
export async function sampleTokens(logitsOf: LogitsFunction, vocab: ShapesVocabulary, attributes: Int32Array, options: SampleOptions): Promise<Int32Array> {
  const { steps, seed } = options;
  if (!Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS) throw new FramewrightError('INVALID_PARAMS', `steps must be an integer from 1 to ${MAX_STEPS}, got ${steps}`);
  const frames = options.frames ?? 1;
  if (!Number.isInteger(frames) || frames < 1) throw new FramewrightError('INVALID_PARAMS', `frames must be a positive integer, got ${frames}`);
  const rng = new Rng(mixSeed(seed, 0x5ea7));
  const length = frames * SEQUENCE;
  const tokens = new Int32Array(length);
  const perFrame = attributes.length === frames * ATTRIBUTE_SLOTS && frames > 1;
  if (attributes.length !== ATTRIBUTE_SLOTS && !perFrame) throw new FramewrightError('INVALID_PARAMS', `expected ${ATTRIBUTE_SLOTS} attribute tokens (or ${ATTRIBUTE_SLOTS} per frame), got ${attributes.length}`);
  for (let f = 0; f < frames; f++) tokens.set(perFrame ? attributes.subarray(f * ATTRIBUTE_SLOTS, (f + 1) * ATTRIBUTE_SLOTS) : attributes, f * SEQUENCE);
  const predicted = frames * (SEQUENCE - ATTRIBUTE_SLOTS);
  const isPredicted = (p: number): boolean => p % SEQUENCE >= ATTRIBUTE_SLOTS;
  for (let p = 0; p < length; p++) if (isPredicted(p)) tokens[p] = vocab.maskId(p % SEQUENCE);
  const choiceTemperature = options.choiceTemperature ?? 4.5;
  const guidance = options.guidance ?? 1;
  const nullAttributes = options.unconditional ?? Int32Array.from({ length: ATTRIBUTE_SLOTS }, (_, slot) => vocab.rangeOf(slot).base);
  const unconditioned = (t: Int32Array): Int32Array => {
    const u = t.slice();
    for (let f = 0; f < frames; f++) u.set(nullAttributes.length === ATTRIBUTE_SLOTS ? nullAttributes : nullAttributes.subarray(f * ATTRIBUTE_SLOTS, (f + 1) * ATTRIBUTE_SLOTS), f * SEQUENCE);
    return u;
  };
  const inverseTemperature = 1 / Math.max(1e-3, options.temperature ?? 1);
  for (let t = 0; t < steps; t++) {
    if (options.signal?.aborted === true) throw cancelled('generation', `at step ${t} of ${steps}`);
    const logits = guidance === 1 ? await logitsOf(tokens) : guided(await logitsOf(tokens), await logitsOf(unconditioned(tokens)), guidance);
    const width = logits.length / length;
    const candidates: { slot: number; id: number; confidence: number }[] = [];
    for (let slot = 0; slot < length; slot++) {
      if (!isPredicted(slot) || tokens[slot] !== vocab.maskId(slot % SEQUENCE)) continue;
      const { base, size } = vocab.rangeOf(slot % SEQUENCE);
      const row = logits.subarray(slot * width + base, slot * width + base + size - 1).map((v) => v * inverseTemperature); // without the mask id
      let max = -Infinity;
      for (const v of row) max = Math.max(max, v);
      let total = 0;
      for (const v of row) total += Math.exp(v - max);
      let u = rng.float() * total;
      let pick = row.length - 1;
      for (let k = 0; k < row.length; k++) {
        u -= Math.exp(row[k]! - max);
        if (u <= 0) {
          pick = k;
          break;
        }
      }
      const logProb = row[pick]! - max - Math.log(total);
      const gumbel = -Math.log(-Math.log(Math.min(1 - 1e-12, Math.max(1e-12, rng.float()))));
      candidates.push({ slot, id: base + pick, confidence: logProb + choiceTemperature * (1 - (t + 1) / steps) * gumbel });
    }
    const remaining = t === steps - 1 ? 0 : Math.floor(predicted * Math.cos((Math.PI / 2) * ((t + 1) / steps)));
    const keep = Math.max(1, candidates.length - remaining);
    candidates.sort((a, b) => b.confidence - a.confidence || a.slot - b.slot);
    for (const c of candidates.slice(0, keep)) tokens[c.slot] = c.id;
    options.onStep?.(t + 1, steps);
  }
  return tokens;
}
