// Which generator runs a request: the built-in model, or a model pack by id.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RgbImage } from '../../image/index.js';
import { DIFFUSION_FAMILIES, findModelPack, type ModelPack, type ModelSearchOptions } from '../../models/index.js';
import { FramewrightError } from '../../protocol/errors.js';
import { MAX_STEPS, builtinImageModelDir, loadBuiltinImageModel, readBuiltinModelInfo, type BuiltinImageModel } from '../../builtin/index.js';
import type { GeneratedImage, GenerationRequest, ImageGenerator, StepListener } from './generator.js';
import { SdTurboPipeline } from './sd-turbo/pipeline.js';

/** Id of the built-in model, image-gen's default. */
export const BUILTIN_IMAGE_MODEL_ID = 'framewright-shapes-32';

/** Largest side the built-in model is upscaled to (ESRGAN ×8 reaches 256 px; beyond 1024 is resize only). */
export const BUILTIN_MAX_SIDE = 1024;

/** The built-in masked-token model behind the {@link ImageGenerator} interface. */
class BuiltinGenerator implements ImageGenerator {
  readonly upscales = true;
  readonly maxSteps: number;
  constructor(
    private readonly model: BuiltinImageModel,
    readonly id: string,
    maxSteps: number,
  ) {
    this.maxSteps = maxSteps;
  }
  get nativeWidth(): number {
    return this.model.nativeSize;
  }
  get nativeHeight(): number {
    return this.model.nativeSize;
  }
  get defaultSteps(): number {
    return this.model.defaultSteps;
  }
  async generate(request: GenerationRequest, onStep: StepListener, signal: AbortSignal): Promise<GeneratedImage> {
    const warnings: string[] = [];
    if (request.negativePrompt !== undefined && request.negativePrompt !== '') warnings.push(`${this.id} has no negative prompts; it was ignored`);
    // The scene is laid out on the asked aspect here, so the upscale that follows need not crop it.
    const out = await this.model.generate({ prompt: request.prompt, seed: request.seed, steps: request.steps, width: request.width, height: request.height }, (step, steps) => onStep(step, steps), signal);
    const image: RgbImage = { width: out.width, height: out.height, rgb: out.rgb };
    return { image, warnings: [...warnings, ...out.warnings] };
  }
}

/**
 * True when the built-in model's files are present (its `model.json` and the ONNX file it names).
 * Nothing is loaded.
 */
export async function builtinModelInstalled(): Promise<{ installed: boolean; reason?: string }> {
  try {
    const dir = builtinImageModelDir();
    const info = await readBuiltinModelInfo(dir);
    if (!existsSync(join(dir, info.onnx))) return { installed: false, reason: `the built-in image model file ${join(dir, info.onnx)} is missing` };
    return { installed: true };
  } catch (error) {
    return { installed: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

async function generatorOfPack(pack: ModelPack): Promise<ImageGenerator> {
  if (DIFFUSION_FAMILIES.includes(pack.manifest.family)) return SdTurboPipeline.load(pack);
  return new BuiltinGenerator(await loadBuiltinImageModel(pack.dir), pack.manifest.id, MAX_STEPS);
}

/**
 * Loads the generator for `modelId` (default: the built-in model). Packs are looked up in the
 * search folders of {@link ModelSearchOptions}.
 * @throws FramewrightError `MODEL_NOT_FOUND` for an unknown id, `MODEL_INVALID` for a broken pack
 */
export async function loadImageGenerator(modelId: string | undefined, search: ModelSearchOptions = {}): Promise<ImageGenerator> {
  if (modelId === undefined || modelId === BUILTIN_IMAGE_MODEL_ID) {
    return new BuiltinGenerator(await loadBuiltinImageModel(), BUILTIN_IMAGE_MODEL_ID, MAX_STEPS);
  }
  return generatorOfPack(await findTextToImagePack(modelId, search));
}

/**
 * The text-to-image pack `modelId` (its manifest read, nothing loaded).
 * @throws FramewrightError `MODEL_NOT_FOUND` for an unknown id, `MODEL_INVALID` for a broken pack or one of another task
 */
export async function findTextToImagePack(modelId: string, search: ModelSearchOptions = {}): Promise<ModelPack> {
  const pack = await findModelPack(modelId, search).catch((error: unknown) => {
    if (error instanceof FramewrightError && error.code === 'MODEL_NOT_FOUND') {
      throw new FramewrightError('MODEL_NOT_FOUND', `${error.message}; the built-in model is ${BUILTIN_IMAGE_MODEL_ID}`);
    }
    throw error;
  });
  if (pack.manifest.task !== 'text-to-image') throw new FramewrightError('MODEL_INVALID', `model ${modelId} is a ${pack.manifest.task} model, not text-to-image`);
  return pack;
}
