import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCapabilities, runOperation } from '../src/engine/index.js';
import { decodePng } from '../src/image/index.js';
import { readModelPack } from '../src/models/index.js';
import { SdTurboPipeline } from '../src/ops/image-gen/sd-turbo/pipeline.js';
import { eulerStep, inferenceTimesteps, planSampling, predictOriginal, type NoiseSchedule } from '../src/ops/image-gen/sd-turbo/scheduler.js';
import type { ImageGenProgress } from '../src/protocol/index.js';
import { createOnnxSession } from '../src/runtime/onnx-session.js';
import { Rng } from '../src/transformer/random.js';
import { TINY_SD, writeTinySdTurboPack } from './helpers/tiny-packs.js';

const SD_TURBO_SCHEDULE: NoiseSchedule = {
  trainTimesteps: 1000,
  betaStart: 0.00085,
  betaEnd: 0.012,
  betaSchedule: 'scaled_linear',
  timestepSpacing: 'trailing',
  stepsOffset: 1,
};

/** σ_t = √((1-ᾱ_t)/ᾱ_t) with β from the scaled-linear schedule, computed here independently. */
function expectedSigma(t: number): number {
  let alphaBar = 1;
  for (let i = 0; i <= t; i++) {
    const sqrtBeta = Math.sqrt(0.00085) + (i / 999) * (Math.sqrt(0.012) - Math.sqrt(0.00085));
    alphaBar *= 1 - sqrtBeta * sqrtBeta;
  }
  return Math.sqrt((1 - alphaBar) / alphaBar);
}

describe('SD-Turbo scheduler', () => {
  it('spreads 1-4 steps as trailing timesteps (1 step = t 999)', () => {
    expect(inferenceTimesteps(SD_TURBO_SCHEDULE, 1)).toEqual([999]);
    expect(inferenceTimesteps(SD_TURBO_SCHEDULE, 2)).toEqual([999, 499]);
    expect(inferenceTimesteps(SD_TURBO_SCHEDULE, 3)).toEqual([999, 666, 332]);
    expect(inferenceTimesteps(SD_TURBO_SCHEDULE, 4)).toEqual([999, 749, 499, 249]);
    // 1000/16 = 62.5: numpy rounds the halves to even (937.5 → 938, 812.5 → 812).
    expect(inferenceTimesteps(SD_TURBO_SCHEDULE, 16).slice(0, 4)).toEqual([999, 937, 874, 811]);
  });

  it('gives the sigmas of the scaled-linear beta schedule, ending in 0', () => {
    for (const steps of [1, 2, 3, 4]) {
      const plan = planSampling(SD_TURBO_SCHEDULE, steps);
      expect(plan.sigmas).toHaveLength(steps + 1);
      expect(plan.sigmas.at(-1)).toBe(0);
      plan.timesteps.forEach((t, i) => expect(plan.sigmas[i]).toBeCloseTo(expectedSigma(t), 6));
      expect(plan.initNoiseSigma).toBe(plan.sigmas[0]);
    }
    // The values diffusers' EulerDiscreteScheduler gives for 4 steps (computed with numpy).
    const four = planSampling(SD_TURBO_SCHEDULE, 4).sigmas;
    [14.614641, 4.081729, 1.612886, 0.693205, 0].forEach((want, i) => expect(four[i]).toBeCloseTo(want, 5));
  });
});

describe('Euler steps', () => {
  it('steps to σ_next along (x - x̂₀)/σ; ancestral goes to σ_down and adds σ_up noise', () => {
    const x = Float32Array.of(1, -2);
    const x0 = Float32Array.of(0, 0);
    // Plain Euler from σ=2 to σ=1: x + (x - x̂₀)/2 · (1 - 2) = x / 2.
    expect([...eulerStep(x, x0, 2, 1, false, new Rng(1))]).toEqual([0.5, -1]);
    // Ancestral: σ_up = √(1·(4-1)/4) = √0.75, σ_down = √(1 - 0.75) = 0.5, so x + x/2 · (0.5 - 2) = x / 4, plus noise.
    const rng = new Rng(9);
    const noise = [rng.normal(), rng.normal()];
    const out = eulerStep(x, x0, 2, 1, true, new Rng(9));
    [0.25 + Math.sqrt(0.75) * noise[0]!, -0.5 + Math.sqrt(0.75) * noise[1]!].forEach((want, i) => expect(out[i]).toBeCloseTo(want, 6));
    // The last step (σ_next = 0) lands on x̂₀ and adds no noise.
    expect([...eulerStep(x, Float32Array.of(0.25, 0.5), 3, 0, true, new Rng(2))]).toEqual([0.25, 0.5]);
  });

  it('recovers x̂₀ from ε and from v predictions', () => {
    const x = Float32Array.of(3);
    expect(predictOriginal(x, Float32Array.of(0.5), 2, 'epsilon')[0]).toBeCloseTo(2, 6);
    // v-prediction: x̂₀ = x/(σ²+1) − σ·v/√(σ²+1).
    expect(predictOriginal(x, Float32Array.of(0.5), 2, 'v_prediction')[0]).toBeCloseTo(3 / 5 - (2 * 0.5) / Math.sqrt(5), 6);
  });
});

describe('SD-Turbo pipeline on a tiny random-weight pack', () => {
  let root: string;
  let packDir: string;
  const previous = process.env['FRAMEWRIGHT_MODELS_DIR'];
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'fw-sd-'));
    packDir = join(root, 'packs', 'tiny');
    writeTinySdTurboPack(packDir);
    writeTinySdTurboPack(join(root, 'packs', 'tiny-ancestral'), { id: 'tiny-sd-turbo-ancestral', scheduler: 'euler-ancestral', timestepLayout: 'steps' });
    process.env['FRAMEWRIGHT_MODELS_DIR'] = join(root, 'packs');
  });
  afterAll(() => {
    if (previous === undefined) delete process.env['FRAMEWRIGHT_MODELS_DIR'];
    else process.env['FRAMEWRIGHT_MODELS_DIR'] = previous;
    rmSync(root, { recursive: true, force: true });
  });

  const generate = async (params: Record<string, unknown>, out: string, events: ImageGenProgress[] = []) =>
    runOperation('image-gen', { model: 'tiny-sd-turbo', prompt: 'a red cat', width: 64, height: 64, seed: 5, outputDir: join(root, out), ...params }, { onProgress: (p) => events.push(p) });

  it('writes a PNG of the requested size whose pixels are one Euler step decoded by the VAE', async () => {
    const result = await generate({ steps: 1 }, 'one');
    expect(result.model).toBe('tiny-sd-turbo');
    expect(result.images).toEqual([{ path: join(root, 'one', 'a-red-cat-5.png'), width: 64, height: 64, seed: 5 }]);
    const png = decodePng(readFileSync(result.images[0]!.path));
    expect(png.text).toMatchObject({ prompt: 'a red cat', seed: '5', model: 'tiny-sd-turbo', steps: '1', size: '64x64' });

    // The same maths by hand: x_T = σ_max·ε; the UNet sees x_T/√(σ²+1) at t = 999; one Euler
    // step to σ = 0 lands on x̂₀ = x_T − σ·ε̂; the VAE decodes x̂₀ / 0.18215.
    const pack = await readModelPack(packDir);
    const pipeline = await SdTurboPipeline.load(pack);
    const { hidden } = await pipeline.encodePrompt('a red cat');
    const sigma = expectedSigma(999);
    const rng = new Rng(5);
    const dims = [1, 4, 8, 8];
    const latents = Float32Array.from({ length: 256 }, () => rng.normal() * sigma);
    const unet = await createOnnxSession(join(packDir, 'unet/model.onnx'));
    const eps = (await unet.run({ sample: { data: latents.map((v) => v / Math.sqrt(sigma * sigma + 1)), dims }, timestep: { data: BigInt64Array.of(999n), dims: [] }, encoder_hidden_states: hidden })).out_sample!.data as Float32Array;
    const x0 = latents.map((v, i) => v - sigma * eps[i]!);
    const vae = await createOnnxSession(join(packDir, 'vae_decoder/model.onnx'));
    const decoded = (await vae.run({ latent_sample: { data: x0.map((v) => v / 0.18215), dims } })).sample!.data as Float32Array;
    const expected = new Uint8Array(64 * 64 * 3);
    for (let i = 0; i < 64 * 64; i++) for (let c = 0; c < 3; c++) expected[i * 3 + c] = Math.min(255, Math.max(0, Math.round((decoded[c * 4096 + i]! / 2 + 0.5) * 255)));
    const diff = png.rgb.reduce((worst, v, i) => Math.max(worst, Math.abs(v - expected[i]!)), 0);
    expect(diff).toBeLessThanOrEqual(1);
    await Promise.all([unet.release(), vae.release()]);
  });

  it('is byte-identical for the same seed and params, and differs for another seed', async () => {
    const a = await generate({ steps: 2 }, 'det-a');
    const b = await generate({ steps: 2 }, 'det-b');
    const c = await generate({ steps: 2, seed: 6 }, 'det-c');
    const bytes = (r: typeof a) => readFileSync(r.images[0]!.path);
    expect(bytes(a).equals(bytes(b))).toBe(true);
    expect(bytes(a).equals(bytes(c))).toBe(false);
  });

  it('reports one progress event per step, each with a small preview (a [steps]-shaped timestep pack)', async () => {
    for (const steps of [1, 3, 4]) {
      const events: ImageGenProgress[] = [];
      await generate({ steps, model: 'tiny-sd-turbo-ancestral' }, `steps-${steps}`, events);
      const stepEvents = events.filter((e) => e.stage === 'generate' && (e.step ?? 0) > 0);
      expect(stepEvents.map((e) => e.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
      expect(stepEvents.every((e) => e.steps === steps && e.preview !== undefined)).toBe(true);
      const preview = decodePng(Buffer.from(stepEvents[0]!.preview!.pngBase64, 'base64'));
      expect([preview.width, preview.height]).toEqual([TINY_SD.size / 8, TINY_SD.size / 8]);
    }
  });

  it('makes count pictures with consecutive seeds, and sizes other than the native one', async () => {
    const result = await generate({ count: 2, width: 48, height: 32, seed: 4294967295 }, 'count');
    expect(result.images.map((i) => [i.width, i.height, i.seed])).toEqual([
      [48, 32, 4294967295],
      [48, 32, 0],
    ]);
    expect(decodePng(readFileSync(result.images[1]!.path)).width).toBe(48);
  });

  it('is listed in the capabilities as a model image-gen can run', async () => {
    const imageGen = (await listCapabilities()).find((c) => c.op === 'image-gen')!;
    expect(imageGen.available).toBe(true);
    expect(imageGen.models).toEqual(expect.arrayContaining(['tiny-sd-turbo', 'tiny-sd-turbo-ancestral']));
  });

  it('refuses more steps than SD-Turbo takes, writing nothing', async () => {
    await expect(generate({ steps: 5 }, 'too-many')).rejects.toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('1 to 4 steps') });
    // A refused run leaves not even the output folder it would have made.
    expect(existsSync(join(root, 'too-many'))).toBe(false);
  });

  it('cancels between steps and leaves no file behind', async () => {
    const controller = new AbortController();
    const run = runOperation(
      'image-gen',
      { model: 'tiny-sd-turbo', prompt: 'a cat', seed: 1, steps: 4, count: 3, outputDir: join(root, 'cancel') },
      { signal: controller.signal, onProgress: (p) => p.image === 1 && p.step === 2 && controller.abort() },
    );
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    // The run made the folder, so undoing it removes the folder, temporary files and all.
    expect(existsSync(join(root, 'cancel'))).toBe(false);
  });
});
