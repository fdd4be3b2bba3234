// Euler and Euler-ancestral sampling over the Karras-style sigma parameterisation
// (x_t = x_0 + σ·ε), as diffusers' EulerDiscreteScheduler / EulerAncestralDiscreteScheduler.
import type { Rng } from '../../../transformer/random.js';

/** The noise schedule a model was trained with (a pack's `diffusion` settings). */
export interface NoiseSchedule {
  /** Training timesteps (1000). */
  readonly trainTimesteps: number;
  /** β at the first timestep (0.00085). */
  readonly betaStart: number;
  /** β at the last timestep (0.012). */
  readonly betaEnd: number;
  /** `scaled_linear`: β linear in √β (Stable Diffusion); `linear`: β linear. */
  readonly betaSchedule: 'scaled_linear' | 'linear';
  /** How the inference timesteps are spread: SD-Turbo uses `trailing` (1 step → t = 999). */
  readonly timestepSpacing: 'trailing' | 'leading' | 'linspace';
  /** Added to `leading` timesteps (1 in Stable Diffusion configs). */
  readonly stepsOffset: number;
}

/** The timesteps and sigmas of one sampling run. */
export interface SamplingPlan {
  /** Model timestep per step, high to low. */
  readonly timesteps: number[];
  /** σ per step plus a final 0 (length steps + 1). */
  readonly sigmas: number[];
  /** Standard deviation of the starting noise. */
  readonly initNoiseSigma: number;
}

/** ᾱ_t for every training timestep. */
export function alphasCumprod(schedule: NoiseSchedule): Float64Array {
  const n = schedule.trainTimesteps;
  const out = new Float64Array(n);
  let product = 1;
  for (let i = 0; i < n; i++) {
    const f = n === 1 ? 0 : i / (n - 1);
    const beta =
      schedule.betaSchedule === 'scaled_linear'
        ? (Math.sqrt(schedule.betaStart) + f * (Math.sqrt(schedule.betaEnd) - Math.sqrt(schedule.betaStart))) ** 2
        : schedule.betaStart + f * (schedule.betaEnd - schedule.betaStart);
    product *= 1 - beta;
    out[i] = product;
  }
  return out;
}

/** The inference timesteps for `steps` steps, high to low (diffusers' `set_timesteps`). */
export function inferenceTimesteps(schedule: NoiseSchedule, steps: number): number[] {
  const n = schedule.trainTimesteps;
  if (schedule.timestepSpacing === 'trailing') {
    // numpy: round(arange(n, 0, -n/steps)) - 1, rounding halves to even as numpy does.
    const ratio = n / steps;
    return Array.from({ length: steps }, (_, i) => roundHalfEven(n - i * ratio) - 1);
  }
  if (schedule.timestepSpacing === 'leading') {
    const ratio = Math.floor(n / steps);
    return Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + schedule.stepsOffset);
  }
  // linspace(0, n - 1, steps) reversed; fractional timesteps interpolate sigmas.
  return Array.from({ length: steps }, (_, i) => (steps === 1 ? 0 : ((n - 1) * (steps - 1 - i)) / (steps - 1)));
}

/** Rounds to the nearest integer, halves to the even one (numpy's `round`). */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** σ at a (possibly fractional) timestep: √((1-ᾱ)/ᾱ), linearly interpolated between integers. */
function sigmaAt(sigmas: readonly number[], t: number): number {
  const low = Math.floor(t);
  const high = Math.min(sigmas.length - 1, low + 1);
  const w = t - low;
  return (1 - w) * sigmas[low]! + w * sigmas[high]!;
}

/**
 * Plans a run of `steps` steps: timesteps, their sigmas (plus the final 0) and the starting
 * noise scale (σ_max for trailing/linspace spacing, √(σ_max²+1) for leading, as diffusers).
 *
 * @example
 * ```ts
 * planSampling(SD_TURBO_SCHEDULE, 1); // { timesteps: [999], sigmas: [14.6146…, 0], initNoiseSigma: 14.6146… }
 * ```
 */
export function planSampling(schedule: NoiseSchedule, steps: number): SamplingPlan {
  const alphas = alphasCumprod(schedule);
  const all = Array.from(alphas, (a) => Math.sqrt((1 - a) / a));
  const timesteps = inferenceTimesteps(schedule, steps);
  const sigmas = [...timesteps.map((t) => sigmaAt(all, t)), 0];
  const max = Math.max(...sigmas);
  const initNoiseSigma = schedule.timestepSpacing === 'leading' ? Math.sqrt(max * max + 1) : max;
  return { timesteps, sigmas, initNoiseSigma };
}

/** The model input at σ: x / √(σ²+1) (diffusers' `scale_model_input`). */
export function scaleModelInput(sample: Float32Array, sigma: number): Float32Array {
  const k = 1 / Math.sqrt(sigma * sigma + 1);
  return sample.map((v) => v * k);
}

/** The denoised estimate x̂₀ from the model output. */
export function predictOriginal(sample: Float32Array, modelOutput: Float32Array, sigma: number, prediction: 'epsilon' | 'v_prediction'): Float32Array {
  if (prediction === 'epsilon') return sample.map((x, i) => x - sigma * modelOutput[i]!);
  const c = sigma * sigma + 1;
  return sample.map((x, i) => modelOutput[i]! * (-sigma / Math.sqrt(c)) + x / c);
}

/**
 * One Euler step from σ to σ_next given x̂₀. Euler-ancestral goes down to σ_down and adds fresh
 * noise of σ_up (√(σ_next²(σ²−σ_next²)/σ²)), drawn from `rng`.
 */
export function eulerStep(
  sample: Float32Array,
  original: Float32Array,
  sigma: number,
  sigmaNext: number,
  ancestral: boolean,
  rng: Rng,
): Float32Array {
  let sigmaUp = 0;
  let target = sigmaNext;
  if (ancestral) {
    sigmaUp = Math.sqrt((sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext)) / (sigma * sigma));
    target = Math.sqrt(sigmaNext * sigmaNext - sigmaUp * sigmaUp);
  }
  const dt = target - sigma;
  const out = new Float32Array(sample.length);
  for (let i = 0; i < sample.length; i++) {
    const derivative = (sample[i]! - original[i]!) / sigma;
    out[i] = sample[i]! + derivative * dt;
  }
  if (sigmaUp > 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! + rng.normal() * sigmaUp;
  return out;
}
