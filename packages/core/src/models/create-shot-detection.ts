// Writing framewright-model.json for a folder holding a TransNetV2 ONNX export, so a user can make
// a shot-detection pack without editing JSON (see "Shot detection packs" in docs/models.md).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FramewrightError } from '../protocol/errors.js';
import { assertValid } from '../protocol/validate.js';
import { createOnnxSession, type OnnxValueSpec } from '../runtime/onnx-session.js';
import { writeFileAtomic } from '../util/fs.js';
import { MODEL_MANIFEST_NAME, ModelManifestSchema, readModelPack, type ModelManifest, type ModelSource } from './manifest.js';
import { SHOT_MODEL_DEFAULT_NAMES, shotModelIo, type ShotDetectionSettings } from './shot-detection.js';
import { sha256File } from './verify.js';

/** What {@link writeShotDetectionManifest} needs besides the folder. */
export interface ShotDetectionManifestOptions {
  /** Pack id (what clip-cut's `model` names). */
  readonly id: string;
  /** Licence of the weights (TransNetV2: MIT). */
  readonly licence: { name: string; url?: string };
  /** Whether the export applies the sigmoid itself (default: its outputs are logits, as TransNetV2's). */
  readonly outputs?: 'logits' | 'probabilities';
  /** Where the file was pulled from (recorded in the manifest). */
  readonly source?: ModelSource;
}

/**
 * Tensor names for the manifest: TransNetV2's own where the export kept them; otherwise its only
 * input, and its outputs in the order TransNetV2 returns them (the cut head, then many_hot), which
 * tf2onnx and torch.onnx.export keep.
 */
function namesOf(inputs: readonly OnnxValueSpec[], outputs: readonly OnnxValueSpec[]): ShotDetectionSettings {
  const has = (list: readonly OnnxValueSpec[], name: string) => list.some((v) => v.name === name);
  const input = has(inputs, SHOT_MODEL_DEFAULT_NAMES.input) || inputs.length !== 1 ? SHOT_MODEL_DEFAULT_NAMES.input : inputs[0]!.name;
  const named = has(outputs, SHOT_MODEL_DEFAULT_NAMES.cutOutput);
  const cutOutput = named || outputs.length === 0 ? SHOT_MODEL_DEFAULT_NAMES.cutOutput : outputs[0]!.name;
  const transitionOutput = has(outputs, SHOT_MODEL_DEFAULT_NAMES.transitionOutput) ? SHOT_MODEL_DEFAULT_NAMES.transitionOutput : !named && outputs.length === 2 ? outputs[1]!.name : undefined;
  return { interface: 'transnetv2', input, cutOutput, ...(transitionOutput === undefined ? {} : { transitionOutput }) };
}

/**
 * Writes `dir/framewright-model.json` for a folder holding one ONNX file with TransNetV2's
 * interface: the file's size, SHA-256 and signature, and the names of its tensors. The model is
 * opened and checked for the interface before anything is written.
 * @throws FramewrightError `MODEL_INVALID` when the folder holds no ONNX file or several, or the
 *   model does not have TransNetV2's interface (naming the tensor)
 */
export async function writeShotDetectionManifest(dir: string, options: ShotDetectionManifestOptions): Promise<ModelManifest> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw new FramewrightError('MODEL_NOT_FOUND', `no folder at ${dir}`);
  });
  const onnx = entries.filter((e) => e.isFile() && e.name.endsWith('.onnx')).map((e) => e.name);
  if (onnx.length !== 1) throw new FramewrightError('MODEL_INVALID', `${dir} must hold exactly one .onnx file for a shot-detection pack; it holds ${onnx.length === 0 ? 'none' : onnx.join(', ')}`);
  const path = join(dir, onnx[0]!);
  const session = await createOnnxSession(path, { intraOpThreads: 1, graphOptimization: 'disabled' });
  let shotDetection: ShotDetectionSettings;
  try {
    shotDetection = { ...namesOf(session.inputs, session.outputs), ...(options.outputs === undefined ? {} : { outputs: options.outputs }) };
    shotModelIo(session, shotDetection, path);
  } finally {
    await session.release();
  }
  const signature = (v: OnnxValueSpec) => ({ name: v.name, type: v.type, shape: [...v.dims] });
  const manifest = {
    manifestVersion: 1,
    id: options.id,
    name: `TransNetV2 ONNX export (${options.id})`,
    family: 'shot-detection',
    task: 'shot-detection',
    licence: options.licence,
    files: [{ path: onnx[0]!, role: 'model', size: (await stat(path)).size, sha256: await sha256File(path), inputs: session.inputs.map(signature), outputs: session.outputs.map(signature) }],
    shotDetection,
    ...(options.source === undefined ? {} : { source: options.source }),
  };
  assertValid(ModelManifestSchema, manifest, `${dir} manifest`, 'MODEL_INVALID');
  await writeFileAtomic(join(dir, MODEL_MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
  return (await readModelPack(dir)).manifest;
}
