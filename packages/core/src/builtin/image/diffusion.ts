import * as tf from '@tensorflow/tfjs';
import type { RgbImage } from '../../image/index.js';
import { FramewrightError } from '../../protocol/errors.js';
import type { TransformerModel } from '../../transformer/model.js';
import { unpatchify } from '../../transformer/patch.js';
import type { Rng } from '../../transformer/random.js';
import { PromptTokenizer } from '../../transformer/tokenizer.js';
import { TIMESTEP_SCALE } from './conditioned-tasks.js';

/** Options of {@link sampleDiffusion}. */
export interface DiffusionSampleOptions {
  /** Deterministic (DDIM) steps from t = 1 to t = 0; default 20. */
  steps?: number;
  /** Classifier-free guidance weight: `v = v∅ + w·(v_prompt − v∅)`; 1 (default) = no guidance. */
  guidance?: number;
}

/**
 * Draws pictures from a text-conditioned v-prediction diffusion model trained by the
 * `shapes-diffusion` / `captioned-diffusion` tasks: start from noise drawn from `rng`; at each
 * step from t to s < t predict v, recover `x0 = α_t·x − σ_t·v` and `ε = σ_t·x + α_t·v`, and move
 * to `x = α_s·x0 + σ_s·ε` (α = cos(πt/2), σ = sin(πt/2)); the last x0 is the picture.
 *
 * @example
 * ```ts
 * const [picture] = sampleDiffusion(model, ['a red circle on a blue background'], new Rng(1), { steps: 20 });
 * ```
 */
export function sampleDiffusion(model: TransformerModel, prompts: readonly string[], rng: Rng, options: DiffusionSampleOptions = {}): RgbImage[] {
  const c = model.config;
  if (c.input.kind !== 'patches' || c.positions.kind !== 'sincos2d' || c.text === undefined || c.timestep === undefined) {
    throw new FramewrightError('INVALID_PARAMS', 'sampleDiffusion needs a patch model with sincos2d positions, a timestep and a prompt encoder (model.text)');
  }
  const p = c.input.patchSize;
  const { rows, cols } = c.positions;
  const [h, w, n] = [rows * p, cols * p, prompts.length];
  const steps = options.steps ?? 20;
  const guidance = options.guidance ?? 1;
  const tokenizer = new PromptTokenizer(c.text.encoder.tokenizer);
  const guided = guidance !== 1;
  const encoded = tokenizer.encode(guided ? [...prompts, ...prompts.map(() => '')] : prompts, c.text.encoder.maxLength);
  const promptIds = tf.tensor2d(encoded.ids, encoded.shape, 'int32');
  const promptMask = tf.tensor2d(encoded.mask, encoded.shape);
  let x: tf.Tensor = tf.tensor(Float32Array.from({ length: n * h * w * 3 }, () => rng.normal()), [n, h, w, 3]);
  let x0: tf.Tensor | undefined;
  for (let k = steps; k >= 1; k--) {
    const t = k / steps;
    const s = (k - 1) / steps;
    const next = tf.tidy(() => {
      const input = guided ? tf.concat([x, x]) : x;
      const out = model.forward(input, { timestep: tf.fill([input.shape[0]!], t * TIMESTEP_SCALE) as tf.Tensor1D, promptIds, promptMask });
      let v = unpatchify(out, { rows, cols }, p, 3);
      if (guided) {
        const [cond, uncond] = tf.split(v, 2, 0) as [tf.Tensor, tf.Tensor];
        v = tf.add(uncond, tf.mul(tf.sub(cond, uncond), guidance));
      }
      const [at, st] = [Math.cos((Math.PI / 2) * t), Math.sin((Math.PI / 2) * t)];
      const [as, ss] = [Math.cos((Math.PI / 2) * s), Math.sin((Math.PI / 2) * s)];
      const predicted = tf.clipByValue(tf.sub(tf.mul(x, at), tf.mul(v, st)), -1, 1);
      const eps = tf.add(tf.mul(x, st), tf.mul(v, at));
      return [tf.add(tf.mul(predicted, as), tf.mul(eps, ss)), predicted] as const;
    });
    x.dispose();
    x0?.dispose();
    [x, x0] = next;
  }
  const pixels = x0!.dataSync();
  tf.dispose([x, x0!, promptIds, promptMask]);
  return Array.from({ length: n }, (_, i) => ({
    width: w,
    height: h,
    rgb: Uint8Array.from({ length: h * w * 3 }, (_, k) => Math.round((pixels[i * h * w * 3 + k]! + 1) * 127.5)),
  }));
}
