import * as tf from '@tensorflow/tfjs';

/** Warmup + cosine learning-rate schedule. */
export interface ScheduleConfig {
  /** Steps of linear warmup from lr/warmupSteps to lr; default 0. */
  warmupSteps?: number;
  /** Final learning rate as a fraction of the peak; default 0.1. */
  minLrRatio?: number;
}

/**
 * Learning rate of 0-based `step` out of `totalSteps`: linear warmup `lr·(step+1)/warmup`, then
 * cosine decay from `lr` to `lr·minLrRatio` at the last step.
 */
export function learningRate(step: number, totalSteps: number, lr: number, schedule: ScheduleConfig = {}): number {
  const warmup = schedule.warmupSteps ?? 0;
  const floor = lr * (schedule.minLrRatio ?? 0.1);
  if (step < warmup) return (lr * (step + 1)) / warmup;
  const span = Math.max(1, totalSteps - 1 - warmup);
  const progress = Math.min(1, (step - warmup) / span);
  return floor + 0.5 * (lr - floor) * (1 + Math.cos(Math.PI * progress));
}

/**
 * Scales `grads` in place so their global L2 norm is at most `maxNorm`; returns the norm before
 * clipping. (`scale = maxNorm / max(norm, maxNorm)`.)
 */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): number {
  const norm = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))).dataSync()[0]!);
  if (norm > maxNorm) {
    const scale = maxNorm / norm;
    for (const [name, g] of grads) {
      grads.set(name, tf.mul(g, scale));
      g.dispose();
    }
  }
  return norm;
}
