import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';
import type { NamedTensor } from './tensor-file.js';

/**
 * Exponential moving average of weights: after each step `shadow = decay·shadow + (1−decay)·p`
 * (the shadow starts as a copy of the weights). Sampling from the averaged weights is usually
 * cleaner than from the last step's.
 */
export class WeightEma {
  /** Averaging factor per step, e.g. 0.999. */
  readonly decay: number;
  private readonly shadow = new Map<string, tf.Tensor>();

  /**
   * Starts the averages as copies of `variables`.
   * @param variables - the weights to average
   * @param decay - in [0, 1)
   */
  constructor(variables: ReadonlyMap<string, tf.Variable>, decay: number) {
    if (!(decay >= 0 && decay < 1)) throw new FramewrightError('INVALID_PARAMS', `ema decay must be in [0, 1), got ${decay}`);
    this.decay = decay;
    for (const [name, v] of variables) this.shadow.set(name, tf.keep(tf.clone(v)));
  }

  /** Moves the average towards the current weights. */
  update(variables: ReadonlyMap<string, tf.Variable>): void {
    for (const [name, v] of variables) {
      const old = this.shadow.get(name)!;
      this.shadow.set(name, tf.keep(tf.tidy(() => tf.add(tf.mul(old, this.decay), tf.mul(v, 1 - this.decay)))));
      old.dispose();
    }
  }

  /** The averaged weights by variable name. */
  state(): Map<string, NamedTensor> {
    const out = new Map<string, NamedTensor>();
    for (const [name, t] of this.shadow) out.set(name, { shape: [...t.shape], data: t.dataSync() as Float32Array });
    return out;
  }

  /** Restores averaged weights saved by {@link WeightEma.state} (checks every name and shape first). */
  load(state: ReadonlyMap<string, NamedTensor>): void {
    for (const name of this.shadow.keys()) {
      if (!state.has(name)) throw new FramewrightError('CHECKPOINT_INVALID', `ema state has no tensor ${name}`);
    }
    for (const [name, t] of state) {
      const old = this.shadow.get(name);
      if (old === undefined) throw new FramewrightError('CHECKPOINT_INVALID', `ema state has tensor ${name} that the model does not have`);
      if (t.shape.join() !== old.shape.join()) {
        throw new FramewrightError('CHECKPOINT_INVALID', `ema tensor ${name} has shape [${t.shape.join(', ')}], model expects [${old.shape.join(', ')}]`);
      }
    }
    for (const [name, t] of state) {
      this.shadow.get(name)!.dispose();
      this.shadow.set(name, tf.keep(tf.tensor(t.data, t.shape, 'float32')));
    }
  }

  /** Frees the averages. */
  dispose(): void {
    for (const t of this.shadow.values()) t.dispose();
    this.shadow.clear();
  }
}
