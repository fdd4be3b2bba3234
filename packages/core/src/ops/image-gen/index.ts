// image-gen: prompt → PNG files. The generator (built-in model or a model pack) draws each
// picture; pictures at native size are upscaled (ESRGAN + resize); each PNG carries its
// generation parameters in text chunks. Everything is checked (the names too) before anything is
// drawn; the files go through the run's output ledger, so a failure or cancel leaves none.
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { encodePng, resizeRgb, type RgbImage } from '../../image/index.js';
import { listInstalledModels, TEXT_TO_IMAGE_FAMILIES } from '../../models/index.js';
import { cancelled, FramewrightError, isFramewrightError, oneLine, type ImageGenParams, type ImageGenProgress, type ImageGenResult } from '../../protocol/index.js';
import { writeFileAtomic } from '../../util/fs.js';
import { ledgerOf, runInLedger } from '../output-ledger.js';
import type { Operation, OperationCheck, OperationContext } from '../types.js';
import type { ImageModelTerms } from './generator.js';
import { describeImageModel } from './limits.js';
import { BUILTIN_IMAGE_MODEL_ID, BUILTIN_MAX_SIDE, builtinModelInstalled, loadImageGenerator } from './models.js';
import { upscaleTo } from './upscale.js';

/** Defaults for params left out. */
export const IMAGE_GEN_DEFAULTS = Object.freeze({
  /** Output side for models that upscale (the built-in model draws 32 px). */
  upscaledSize: 256,
  count: 1,
});

/** Largest side of a step preview. */
export const PREVIEW_MAX_SIDE = 64;

/** The `Software` text chunk of every PNG. */
export const IMAGE_GEN_SOFTWARE = 'Framewright 0.1.0 image-gen';


/** A short file-name stem from the prompt: lowercase words joined by dashes. */
export function promptStem(prompt: string): string {
  const words = prompt.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, ' ').trim().split(' ').filter(Boolean);
  return words.slice(0, 6).join('-').slice(0, 48).replace(/-+$/, '') || 'image';
}

/** The text chunks of one output PNG, in a fixed order (so the bytes are reproducible). NULs, which PNG text cannot hold, become spaces. */
export function pngTextOf(params: { prompt: string; negativePrompt?: string; seed: number; model: string; steps: number; width: number; height: number }): Record<string, string> {
  const text = (v: string) => v.replaceAll('\0', ' ');
  return {
    prompt: text(params.prompt),
    ...(params.negativePrompt === undefined || params.negativePrompt === '' ? {} : { negative_prompt: text(params.negativePrompt) }),
    seed: String(params.seed),
    model: params.model,
    steps: String(params.steps),
    size: `${params.width}x${params.height}`,
    Software: IMAGE_GEN_SOFTWARE,
  };
}

function preview(image: RgbImage): NonNullable<ImageGenProgress['preview']> {
  const scale = Math.min(1, PREVIEW_MAX_SIDE / Math.max(image.width, image.height));
  const small = scale === 1 ? image : resizeRgb(image, Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)));
  return { width: small.width, height: small.height, pngBase64: Buffer.from(encodePng(small)).toString('base64') };
}

interface Plan {
  width: number;
  height: number;
  steps: number;
  seeds: number[];
}

/** Checks the params against the model (loaded, or described at submit) and fills in defaults; nothing has been drawn yet. */
function planRun(params: ImageGenParams, generator: ImageModelTerms): Plan {
  const fallback = generator.upscales ? IMAGE_GEN_DEFAULTS.upscaledSize : undefined;
  const width = params.width ?? fallback ?? generator.nativeWidth;
  const height = params.height ?? fallback ?? generator.nativeHeight;
  if (generator.upscales && Math.max(width, height) > BUILTIN_MAX_SIDE) {
    const pointer = width > BUILTIN_MAX_SIDE ? '/width' : '/height';
    throw new FramewrightError('INVALID_PARAMS', `image-gen: ${generator.id} makes pictures up to ${BUILTIN_MAX_SIDE} px a side; ${width}x${height} asked`, { pointer });
  }
  const steps = params.steps ?? generator.defaultSteps;
  if (steps > generator.maxSteps) throw new FramewrightError('INVALID_PARAMS', `image-gen: ${generator.id} takes 1 to ${generator.maxSteps} steps; ${steps} asked`, { pointer: '/steps' });
  const first = params.seed ?? randomInt(0, 2 ** 32);
  const seeds = Array.from({ length: params.count ?? IMAGE_GEN_DEFAULTS.count }, (_, i) => (first + i) % 2 ** 32);
  return { width, height, steps, seeds };
}

function requirePrompt(params: ImageGenParams): void {
  if (params.prompt.trim() === '') throw new FramewrightError('INVALID_PARAMS', 'image-gen: the prompt is empty', { pointer: '/prompt' });
}

const searchOf = (params: ImageGenParams) => (params.modelDir === undefined ? {} : { modelDirs: [params.modelDir] });

/**
 * The submit-time check: the model's sizes and steps (read from its description, not loaded)
 * and the memory one picture at a time holds.
 */
async function check(params: ImageGenParams): Promise<OperationCheck> {
  requirePrompt(params);
  const model = await describeImageModel(params.model, searchOf(params));
  const { width, height, seeds } = planRun(params, model);
  if (width % model.sizeMultiple !== 0 || height % model.sizeMultiple !== 0) {
    throw new FramewrightError('INVALID_PARAMS', `image-gen: ${model.id} generates sizes that are multiples of ${model.sizeMultiple}; got ${width}x${height}`, { pointer: width % model.sizeMultiple !== 0 ? '/width' : '/height' });
  }
  const fixed = model.fixedSize;
  if (fixed !== undefined && (fixed.width !== width || fixed.height !== height)) {
    throw new FramewrightError('INVALID_PARAMS', `image-gen: ${model.id} draws only ${fixed.width}x${fixed.height}; ${width}x${height} asked`, { pointer: fixed.width !== width ? '/width' : '/height' });
  }
  const pictures = seeds.length === 1 ? 'a picture' : `${seeds.length} pictures, one at a time,`;
  return { memory: { bytes: model.baseBytes + width * height * model.bytesPerPixel, what: `${pictures} of ${width}×${height} with ${model.id}`, pointer: '/width' } };
}

async function run(params: ImageGenParams, context: OperationContext<'image-gen'>): Promise<ImageGenResult> {
  const { signal, outputDir } = context;
  const emit = context.onProgress;
  requirePrompt(params);
  emit({ stage: 'load', fraction: 0 });
  const generator = await loadImageGenerator(params.model, searchOf(params));
  const plan = planRun(params, generator);
  if (signal.aborted) throw cancelled('image-gen');

  const result: ImageGenResult = { model: generator.id, images: [], warnings: [], files: [] };
  const total = plan.seeds.length;
  const stem = promptStem(params.prompt);
  const pathOf = (seed: number) => join(outputDir, `${stem}-${seed}.png`);
  await ledgerOf(context, params.overwrite).refuseExisting(plan.seeds.map(pathOf));
  try {
    for (const [index, seed] of plan.seeds.entries()) {
      const base = index / total;
      const share = 1 / total;
      emit({ stage: 'generate', fraction: base, image: index, step: 0, steps: plan.steps });
      const request = { prompt: params.prompt, width: plan.width, height: plan.height, seed, steps: plan.steps, ...(params.negativePrompt === undefined ? {} : { negativePrompt: params.negativePrompt }) };
      const drawn = await generator.generate(
        request,
        (step, steps, picture) =>
          emit({ stage: 'generate', fraction: base + share * 0.8 * (step / steps), image: index, step, steps, ...(picture === undefined ? {} : { preview: preview(picture) }) }),
        signal,
      );
      for (const w of drawn.warnings) if (!result.warnings.includes(w)) result.warnings.push(w);
      if (signal.aborted) throw cancelled('image-gen');
      let image = drawn.image;
      if (image.width !== plan.width || image.height !== plan.height) {
        emit({ stage: 'upscale', fraction: base + share * 0.8, image: index, preview: preview(image) });
        image = await upscaleTo(image, plan.width, plan.height);
      }
      if (signal.aborted) throw cancelled('image-gen');
      emit({ stage: 'write', fraction: base + share * 0.95, image: index });
      const path = pathOf(seed);
      const text = pngTextOf({ ...request, model: generator.id });
      await writeFileAtomic(path, encodePng(image, text));
      result.files.push(path);
      result.images.push({ path, width: image.width, height: image.height, seed });
    }
  } catch (error) {
    if (signal.aborted) throw cancelled('image-gen');
    if (isFramewrightError(error)) throw error;
    throw new FramewrightError('OUTPUT_FAILED', `image-gen could not write its outputs in ${outputDir}: ${oneLine(String((error as Error).message ?? error))}`, { cause: error });
  }
  emit({ stage: 'write', fraction: 1 });
  return result;
}

/**
 * The image-gen operation: prompt → PNG files, each with its generation parameters in PNG text
 * chunks. The same seed, params, model and backend give byte-identical files.
 *
 * @example
 * ```ts
 * const result = await imageGenOperation.run(
 *   { prompt: 'a red circle on a blue background', seed: 7, width: 256, height: 256 },
 *   { signal: new AbortController().signal, onProgress: console.log, outputDir: '/tmp/out' },
 * );
 * console.log(result.images[0]); // { path: '/tmp/out/a-red-circle-on-a-blue-7.png', width: 256, height: 256, seed: 7 }
 * ```
 */
export const imageGenOperation: Operation<'image-gen'> = {
  name: 'image-gen',
  async availability() {
    const builtin = await builtinModelInstalled();
    // Without the built-in model, image-gen still runs the packs the user installed.
    const packs = (await listInstalledModels()).filter((m) => m.status === 'ok' && m.family !== undefined && TEXT_TO_IMAGE_FAMILIES.includes(m.family));
    const models = [...(builtin.installed ? [BUILTIN_IMAGE_MODEL_ID] : []), ...packs.map((p) => p.id)];
    if (models.length > 0) return { available: true, models };
    return { available: false, reason: `${builtin.reason ?? 'the built-in image model is missing'}, and no model pack is installed` };
  },
  check,
  run(params, context) {
    return runInLedger('image-gen', context, params.overwrite, (outputs) => run(params, { ...context, outputs }));
  },
};

export { BUILTIN_IMAGE_MODEL_ID, loadImageGenerator } from './models.js';
export { imageGenKeyframePainter } from './keyframe-painter.js';
export type { GeneratedImage, GenerationRequest, ImageGenerator, StepListener } from './generator.js';
export { ClipTokenizer, type ClipEncoding } from './sd-turbo/clip-tokenizer.js';
export { SdTurboPipeline, SD_ONNX_NAMES } from './sd-turbo/pipeline.js';
export { alphasCumprod, inferenceTimesteps, planSampling, type NoiseSchedule, type SamplingPlan } from './sd-turbo/scheduler.js';
export { esrganScaleFor, upscaleTo } from './upscale.js';
