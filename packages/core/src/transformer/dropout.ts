import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';
import type { Rng } from './random.js';

/** Dropout rates of a model (each in [0, 1); 0 or absent = off). */
export interface DropoutRates {
  /** Share of attention probabilities zeroed (after the softmax, before the product with the values). */
  attention?: number;
  /** Share of each sub-layer's output zeroed before it is added to the residual stream. */
  residual?: number;
}

/** Throws `MODEL_INVALID` naming a rate outside [0, 1). */
export function validateDropoutRates(rates: DropoutRates, field: string): void {
  for (const k of ['attention', 'residual'] as const) {
    const r = rates[k];
    if (r !== undefined && !(typeof r === 'number' && r >= 0 && r < 1)) {
      throw new FramewrightError('MODEL_INVALID', `model config ${field}.${k} must be a number in [0, 1), got ${JSON.stringify(r)}`);
    }
  }
}

/**
 * Inverted dropout in training mode: each element is kept with probability `1 − rate` and scaled
 * by `1 / (1 − rate)`, so evaluation (no dropout at all) needs no rescaling. The keep masks are
 * drawn from the run's {@link Rng}, not from tfjs's own generator, so a run resumed from a
 * checkpoint (which stores the rng state) draws the same masks as an uninterrupted one.
 */
export class Dropout {
  /**
   * Dropout for one training run.
   * @param rates - the model's rates
   * @param rng - the training run's generator (advanced by every mask drawn)
   */
  constructor(
    readonly rates: DropoutRates,
    private readonly rng: Rng,
  ) {}

  /** `x` with a share `rate` of its elements zeroed and the rest scaled by `1 / (1 − rate)`. */
  apply<T extends tf.Tensor>(x: T, rate: number | undefined): T {
    if (rate === undefined || rate <= 0) return x;
    const keep = 1 - rate;
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = this.rng.float() < keep ? 1 / keep : 0;
    return tf.mul(x, tf.tensor(mask, x.shape, 'float32')) as T;
  }

  /** Dropout on attention probabilities. */
  attention<T extends tf.Tensor>(p: T): T {
    return this.apply(p, this.rates.attention);
  }

  /** Dropout on a sub-layer's output, before the residual add. */
  residual<T extends tf.Tensor>(h: T): T {
    return this.apply(h, this.rates.residual);
  }
}
