// What image-gen checks a request against at submit: the model's sizes and steps and the memory
// it will hold, read from its description (model.json, the pack manifest) without loading it.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DIFFUSION_FAMILIES, type ModelSearchOptions } from '../../models/index.js';
import { FramewrightError } from '../../protocol/errors.js';
import type { ImageModelTerms } from './generator.js';
import { MAX_STEPS, builtinImageModelDir, readBuiltinModelInfo } from '../../builtin/index.js';
import { BUILTIN_IMAGE_MODEL_ID, findTextToImagePack } from './models.js';
import { SD_ONNX_NAMES, SD_TURBO_MAX_STEPS } from './sd-turbo/pipeline.js';

/** A model's limits and memory, known before it is loaded. */
export interface ImageModelLimits extends ImageModelTerms {
  /** Sides must be multiples of this (a diffusion model's VAE factor). */
  readonly sizeMultiple: number;
  /** The only size it draws, when its UNet declares fixed latent sizes. */
  readonly fixedSize?: { readonly width: number; readonly height: number };
  /** Bytes held whatever the size: its weights (its files on disk) and the runtime around them. */
  readonly baseBytes: number;
  /** Bytes held per output pixel while one picture is made. */
  readonly bytesPerPixel: number;
}

/** ONNX Runtime, tfjs and the ESRGAN upscaler (whose tensors stop at 256 px) around the built-in model's weights. */
const BUILTIN_RUNTIME_BYTES = 96 * 2 ** 20;
/**
 * The built-in model's pictures, per output pixel: the resized picture and its source, the PNG's
 * filtered rows and the deflate output, in RGB bytes.
 */
const BUILTIN_BYTES_PER_PIXEL = 16;
/** ONNX Runtime around a diffusion pack's weights. */
const DIFFUSION_RUNTIME_BYTES = 256 * 2 ** 20;
/**
 * A diffusion pack per output pixel: the VAE decoder's last blocks run 128-channel float32 maps at
 * full size (512 bytes a pixel each), about three alive at once, plus the latents and the picture.
 */
const DIFFUSION_BYTES_PER_PIXEL = 2048;

async function builtinLimits(dir: string, id: string): Promise<ImageModelLimits> {
  const info = await readBuiltinModelInfo(dir);
  const weights = await stat(join(dir, info.onnx)).then((s) => s.size, () => 0);
  return {
    id, nativeWidth: info.nativeSize, nativeHeight: info.nativeSize, upscales: true, defaultSteps: info.sampling.steps, maxSteps: MAX_STEPS,
    sizeMultiple: 8, baseBytes: weights + BUILTIN_RUNTIME_BYTES, bytesPerPixel: BUILTIN_BYTES_PER_PIXEL,
  };
}

/**
 * The limits of `modelId` (default: the built-in model) from its `model.json` or pack manifest.
 * @throws FramewrightError `MODEL_NOT_FOUND` for an unknown id, `MODEL_INVALID` for a broken pack
 */
export async function describeImageModel(modelId: string | undefined, search: ModelSearchOptions = {}): Promise<ImageModelLimits> {
  if (modelId === undefined || modelId === BUILTIN_IMAGE_MODEL_ID) return builtinLimits(builtinImageModelDir(), BUILTIN_IMAGE_MODEL_ID);
  const pack = await findTextToImagePack(modelId, search);
  const { manifest } = pack;
  if (!DIFFUSION_FAMILIES.includes(manifest.family)) return builtinLimits(pack.dir, manifest.id);
  const { diffusion, recommended } = manifest;
  if (diffusion === undefined || recommended === undefined) throw new FramewrightError('MODEL_INVALID', `model pack ${manifest.id} has no diffusion or recommended settings`);
  const f = diffusion.vaeScaleFactor;
  const shape = manifest.files.find((file) => file.role === 'unet')?.inputs?.find((i) => i.name === SD_ONNX_NAMES.unet.sample)?.shape;
  const [, , h, w] = shape ?? [];
  const fixedSize = typeof w === 'number' && typeof h === 'number' && w > 0 && h > 0 ? { width: w * f, height: h * f } : undefined;
  return {
    id: manifest.id, nativeWidth: recommended.width, nativeHeight: recommended.height, upscales: false, defaultSteps: recommended.steps,
    maxSteps: SD_TURBO_MAX_STEPS, sizeMultiple: f, ...(fixedSize === undefined ? {} : { fixedSize }),
    baseBytes: manifest.files.reduce((sum, file) => sum + file.size, 0) + DIFFUSION_RUNTIME_BYTES, bytesPerPixel: DIFFUSION_BYTES_PER_PIXEL,
  };
}
