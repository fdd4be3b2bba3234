// Native-size pictures → the requested size: ESRGAN super-resolution (the RDN "slim" models that
// @upscalerjs/esrgan-slim ships as tfjs layers models inside the npm package), loaded from disk
// on the tfjs backend the runtime chose, then an area/bilinear resize and a centre crop.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { resizeRgb, type RgbImage } from '../../image/index.js';
import { FramewrightError, oneLine } from '../../protocol/errors.js';
import { initTfjsBackend } from '../../runtime/tfjs-backend.js';

/** The npm package whose weights do the super-resolution. */
export const ESRGAN_PACKAGE = '@upscalerjs/esrgan-slim';

/** Scale factors the package ships models for. */
export const ESRGAN_SCALES = [2, 3, 4, 8] as const;

/** One of {@link ESRGAN_SCALES}. */
export type EsrganScale = (typeof ESRGAN_SCALES)[number];

const require = createRequire(import.meta.url);

/**
 * The folder of the package's models (`models/x2` …), found from its entry point, since its
 * `exports` map does not expose the model files.
 * @throws FramewrightError `MODEL_NOT_FOUND` when the package is not installed
 */
export function esrganModelsDir(): string {
  let entry: string;
  try {
    entry = require.resolve(ESRGAN_PACKAGE);
  } catch {
    throw new FramewrightError('MODEL_NOT_FOUND', `the upscaler package ${ESRGAN_PACKAGE} is not installed (npm install ${ESRGAN_PACKAGE})`);
  }
  for (let dir = dirname(entry); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'models', 'x2', 'model.json'))) return join(dir, 'models');
  }
  throw new FramewrightError('MODEL_NOT_FOUND', `${ESRGAN_PACKAGE} is installed without its models folder`);
}

interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** A tfjs IO handler reading model.json and its weight shards from a folder (no fetch, no URLs). */
function fileHandler(modelJson: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(modelJson, 'utf8')) as { modelTopology: object; format?: string; weightsManifest: WeightsGroup[] };
      const shards = await Promise.all(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFile(join(dirname(modelJson), p)))));
      const weights = Buffer.concat(shards);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
        ...(json.format === undefined ? {} : { format: json.format }),
      };
    },
  };
}

const models = new Map<EsrganScale, Promise<tf.LayersModel>>();

/** Loads (once) the ESRGAN model for `scale`. @throws FramewrightError `MODEL_NOT_FOUND`, `MODEL_INVALID` */
export function loadEsrgan(scale: EsrganScale): Promise<tf.LayersModel> {
  let model = models.get(scale);
  if (model === undefined) {
    model = (async () => {
      const path = join(esrganModelsDir(), `x${scale}`, 'model.json');
      await initTfjsBackend();
      try {
        return await tf.loadLayersModel(fileHandler(path));
      } catch (error) {
        throw new FramewrightError('MODEL_INVALID', `cannot load the ESRGAN model ${path}: ${oneLine(error instanceof Error ? error.message : String(error))}`, { cause: error });
      }
    })();
    model.catch(() => models.delete(scale));
    models.set(scale, model);
  }
  return model;
}

/** The smallest shipped scale that reaches `ratio` (the largest when none does); 1 when no upscaling is needed. */
export function esrganScaleFor(ratio: number): EsrganScale | 1 {
  if (ratio <= 1) return 1;
  return ESRGAN_SCALES.find((s) => s >= ratio) ?? ESRGAN_SCALES[ESRGAN_SCALES.length - 1]!;
}

/** Runs the RDN model (input and output in 0 … 255) on one picture. */
export async function esrganUpscale(image: RgbImage, scale: EsrganScale): Promise<RgbImage> {
  const model = await loadEsrgan(scale);
  const output = tf.tidy(() => {
    const input = tf.tensor4d(Float32Array.from(image.rgb), [1, image.height, image.width, 3]);
    return (model.predict(input) as tf.Tensor).clipByValue(0, 255).round();
  });
  try {
    const [, height, width] = output.shape as [number, number, number, number];
    return { width, height, rgb: Uint8Array.from(await output.data()) };
  } finally {
    output.dispose();
  }
}

/**
 * Brings a picture to `width × height`: ESRGAN at the smallest shipped scale that reaches the
 * larger side (none when shrinking), then a resize that covers the target and a centre crop,
 * so the aspect ratio of what was drawn is kept.
 */
export async function upscaleTo(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  const scale = esrganScaleFor(Math.max(width / image.width, height / image.height));
  const sharp = scale === 1 ? image : await esrganUpscale(image, scale);
  const cover = Math.max(width / sharp.width, height / sharp.height);
  const coverWidth = Math.max(width, Math.round(sharp.width * cover));
  const coverHeight = Math.max(height, Math.round(sharp.height * cover));
  const resized = resizeRgb(sharp, coverWidth, coverHeight);
  if (coverWidth === width && coverHeight === height) return resized;
  const left = Math.floor((coverWidth - width) / 2);
  const top = Math.floor((coverHeight - height) / 2);
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) rgb.set(resized.rgb.subarray(((top + y) * coverWidth + left) * 3, ((top + y) * coverWidth + left + width) * 3), y * width * 3);
  return { width, height, rgb };
}
