// Writing framewright-model.json for a folder holding one RIFE-style ONNX export, so pull and
// import make frame-interpolation packs without hand-written JSON (the interface: docs/models.md).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FramewrightError } from '../protocol/errors.js';
import { assertValid } from '../protocol/validate.js';
import { createOnnxSession, type OnnxValueSpec } from '../runtime/onnx-session.js';
import { writeFileAtomic } from '../util/fs.js';
import { MODEL_MANIFEST_NAME, ModelManifestSchema, readModelPack, type ModelManifest, type ModelSource } from './manifest.js';
import { sha256File } from './verify.js';

/** What {@link writeFrameInterpolationManifest} needs besides the folder. */
export interface FrameInterpolationManifestOptions {
  /** Pack id (what video-gen's `model` names). */
  readonly id: string;
  /** Licence of the weights (RIFE: MIT). */
  readonly licence: { name: string; url?: string };
  /** Frame sides are padded to a multiple of this (RIFE 4.x: 32, its coarsest flow scale). */
  readonly alignment?: number;
  /** Where the file was pulled from (recorded in the manifest). */
  readonly source?: ModelSource;
}

const isFrame = (v: OnnxValueSpec) => v.type === 'float32' && v.dims.length === 4 && v.dims[1] === 3;

/**
 * Writes `dir/framewright-model.json` for a folder holding one ONNX file with the interface
 * video-gen's model interpolation runs: two float32 frames `[1, 3, H, W]` in 0..1 and a float32
 * timestep in, one frame out. The model is opened and its inputs checked before anything is written.
 * @throws FramewrightError `MODEL_INVALID` when the folder holds no ONNX file or several, or the
 *   model's inputs are not that interface (naming them)
 */
export async function writeFrameInterpolationManifest(dir: string, options: FrameInterpolationManifestOptions): Promise<ModelManifest> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw new FramewrightError('MODEL_NOT_FOUND', `no folder at ${dir}`);
  });
  const onnx = entries.filter((e) => e.isFile() && e.name.endsWith('.onnx')).map((e) => e.name);
  if (onnx.length !== 1) throw new FramewrightError('MODEL_INVALID', `${dir} must hold exactly one .onnx file for a frame-interpolation pack; it holds ${onnx.length === 0 ? 'none' : onnx.join(', ')}`);
  const path = join(dir, onnx[0]!);
  const session = await createOnnxSession(path, { intraOpThreads: 1, graphOptimization: 'disabled' });
  const signature = (v: OnnxValueSpec) => ({ name: v.name, type: v.type, shape: [...v.dims] });
  const inputs = session.inputs.map(signature);
  const outputs = session.outputs.map(signature);
  const frames = session.inputs.filter(isFrame);
  const timestep = session.inputs.find((i) => !frames.slice(0, 2).includes(i));
  await session.release();
  if (frames.length < 2 || session.inputs.length !== 3 || timestep?.type !== 'float32' || outputs.length === 0) {
    throw new FramewrightError('MODEL_INVALID', `${path} is not a frame-interpolation model: it needs two float32 [1,3,H,W] frame inputs and a float32 timestep; it has ${inputs.map((i) => `${i.name} ${i.type} [${i.shape.join(',')}]`).join(', ')}`);
  }
  const manifest = {
    manifestVersion: 1,
    id: options.id,
    name: `Frame interpolation ONNX export (${options.source?.repo ?? options.id})`,
    family: 'frame-interpolation',
    task: 'frame-interpolation',
    licence: options.licence,
    files: [{ path: onnx[0]!, role: 'model', size: (await stat(path)).size, sha256: await sha256File(path), inputs, outputs }],
    alignment: options.alignment ?? 32,
    ...(options.source === undefined ? {} : { source: options.source }),
  };
  assertValid(ModelManifestSchema, manifest, `${dir} manifest`, 'MODEL_INVALID');
  await writeFileAtomic(join(dir, MODEL_MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
  return (await readModelPack(dir)).manifest;
}
