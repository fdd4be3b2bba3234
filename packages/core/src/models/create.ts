// Writing framewright-model.json for a folder that already holds a model export, so a user can
// turn an SD-Turbo ONNX export (Hugging Face Optimum layout) into a pack without editing JSON.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { FramewrightError } from '../protocol/errors.js';
import { assertValid } from '../protocol/validate.js';
import { inspectOnnxModel, ONNX_DATA_TYPE } from '../onnx/index.js';
import { createOnnxSession } from '../runtime/onnx-session.js';
import { writeFileAtomic } from '../util/fs.js';
import { MODEL_MANIFEST_NAME, ModelManifestSchema, readModelPack, type ModelFile, type ModelManifest, type ModelSource, type OnnxSignatureEntry } from './manifest.js';
import { sha256File } from './verify.js';
import { looksSdxl } from './layouts.js';

/** Roles of the files of an SD-Turbo export, by path. */
const SD_ROLES: Readonly<Record<string, string>> = {
  'text_encoder/model.onnx': 'text_encoder',
  'unet/model.onnx': 'unet',
  'vae_decoder/model.onnx': 'vae_decoder',
  'tokenizer/vocab.json': 'vocab',
  'tokenizer/merges.txt': 'merges',
};

/** SDXL's: SD-Turbo's and the second text encoder and tokenizer. */
const SDXL_ROLES: Readonly<Record<string, string>> = {
  ...SD_ROLES,
  'text_encoder_2/model.onnx': 'text_encoder_2',
  'tokenizer_2/vocab.json': 'vocab_2',
  'tokenizer_2/merges.txt': 'merges_2',
};

/** What {@link writeSdTurboManifest} needs besides the folder. */
export interface SdTurboManifestOptions {
  /** Pack id (what `--model` names). */
  readonly id: string;
  /** Licence of the weights (SD-Turbo: the Stability AI Non-Commercial Research Community License). */
  readonly licence: { name: string; url?: string };
  /** Where the files were pulled from (recorded in the manifest). */
  readonly source?: ModelSource;
  /** SHA-256 of files already hashed (by pull's verification), by path: not read again. */
  readonly sha256?: ReadonlyMap<string, string>;
}

/** True for ONNX Runtime's "no kernel for this operator on this provider" (CUDA-only contrib ops on CPU). */
export function isMissingKernel(message: string): boolean {
  return /Kernel not found|Could not find an implementation/i.test(message);
}

const TYPE_NAMES: Readonly<Record<number, string>> = {
  [ONNX_DATA_TYPE.FLOAT]: 'float32',
  [ONNX_DATA_TYPE.FLOAT16]: 'float16',
  [ONNX_DATA_TYPE.INT32]: 'int32',
  [ONNX_DATA_TYPE.INT64]: 'int64',
  [ONNX_DATA_TYPE.BOOL]: 'bool',
};

// Reading a model file into JS costs its size in memory: signatures of larger files that no
// session can open here are left out of the manifest (the pipeline checks them when it loads).
const INSPECT_LIMIT_BYTES = 256 * 1024 * 1024;

/**
 * A model's declared inputs and outputs: from a session when one opens here, else (a model whose
 * operators this machine's providers lack) from the file itself. `cudaOnly` is set in that case.
 */
async function signatures(path: string): Promise<{ inputs?: OnnxSignatureEntry[]; outputs?: OnnxSignatureEntry[]; cudaOnly: boolean }> {
  try {
    const session = await createOnnxSession(path, { intraOpThreads: 1, graphOptimization: 'disabled' });
    const inputs = session.inputs.map((v) => ({ name: v.name, type: v.type, shape: [...v.dims] }));
    const outputs = session.outputs.map((v) => ({ name: v.name, type: v.type, shape: [...v.dims] }));
    await session.release();
    return { inputs, outputs, cudaOnly: false };
  } catch (error) {
    if (!(error instanceof FramewrightError) || !isMissingKernel(error.message)) throw error;
    if ((await stat(path)).size > INSPECT_LIMIT_BYTES) return { cudaOnly: true };
    const summary = inspectOnnxModel(await readFile(path), path);
    const entry = (v: { name: string; elemType: number; dims: Array<number | string> }) => ({ name: v.name, type: TYPE_NAMES[v.elemType] ?? `type${v.elemType}`, shape: [...v.dims] });
    return { inputs: summary.inputs.map(entry), outputs: summary.outputs.map(entry), cudaOnly: true };
  }
}

async function filesUnder(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path, root)));
    else if (entry.isFile() && entry.name !== MODEL_MANIFEST_NAME) out.push(relative(root, path).split(sep).join('/'));
  }
  return out.sort();
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  return readFile(path, 'utf8').then((t) => JSON.parse(t) as Record<string, unknown>, () => undefined);
}

const textOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string' ? (v as { content: string }).content : undefined);

/**
 * Writes `dir/framewright-model.json` for an SD-Turbo or SDXL-Turbo ONNX export (an `sdxl-turbo`
 * pack when the folder has `text_encoder_2/` or `tokenizer_2/`): every file with its size and
 * SHA-256, each model's input/output signature as ONNX Runtime reports it, and the diffusion
 * settings from `scheduler/scheduler_config.json`, `vae_decoder/config.json` and the tokenizers'
 * `special_tokens_map.json` (SD-Turbo's values where a file is absent). The result is read back
 * through the schema before it is written.
 * @throws FramewrightError `MODEL_INVALID` when a required file is missing or a model does not load
 */
export async function writeSdTurboManifest(dir: string, options: SdTurboManifestOptions): Promise<ModelManifest> {
  const paths = (await filesUnder(dir)).filter((p) => !p.split('/').some((part) => part.startsWith('.')));
  const sdxl = looksSdxl(paths);
  const roles = sdxl ? SDXL_ROLES : SD_ROLES;
  for (const required of Object.keys(roles)) {
    if (!paths.includes(required)) throw new FramewrightError('MODEL_INVALID', `${dir} is not an ${sdxl ? 'SDXL-Turbo' : 'SD-Turbo'} ONNX export: ${required} is missing`);
  }
  const files: ModelFile[] = [];
  let cudaOnly = false;
  for (const path of paths) {
    const full = join(dir, path);
    const role = roles[path];
    const file: ModelFile = { path, sha256: options.sha256?.get(path) ?? (await sha256File(full)), size: (await stat(full)).size, ...(role === undefined ? {} : { role }) };
    if (path.endsWith('.onnx')) {
      const found = await signatures(full);
      if (found.inputs !== undefined) file.inputs = found.inputs;
      if (found.outputs !== undefined) file.outputs = found.outputs;
      cudaOnly ||= found.cudaOnly;
    }
    files.push(file);
  }
  const float16 = files.some((f) => f.role === 'unet' && f.inputs?.some((i) => i.name === 'sample' && i.type === 'float16'));
  const scheduler = (await readJson(join(dir, 'scheduler', 'scheduler_config.json'))) ?? {};
  const vae = (await readJson(join(dir, 'vae_decoder', 'config.json'))) ?? {};
  const special = (await readJson(join(dir, 'tokenizer', 'special_tokens_map.json'))) ?? {};
  const special2 = sdxl ? ((await readJson(join(dir, 'tokenizer_2', 'special_tokens_map.json'))) ?? {}) : undefined;
  const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);
  // SDXL-Turbo's scheduler is EulerAncestralDiscreteScheduler, SD-Turbo's EulerDiscreteScheduler.
  const sampler = scheduler['_class_name'] === 'EulerAncestralDiscreteScheduler' ? 'euler-ancestral' : 'euler';
  const manifest = {
    manifestVersion: 1,
    id: options.id,
    name: `${sdxl ? 'SDXL-Turbo' : 'SD-Turbo'} ONNX export, ${float16 ? 'float16' : 'float32'} (${options.source === undefined ? options.id : options.source.repo})`,
    family: sdxl ? 'sdxl-turbo' : 'sd-turbo',
    task: 'text-to-image',
    licence: options.licence,
    files,
    ...(options.source === undefined ? {} : { source: options.source }),
    ...(cudaOnly ? { runsOn: ['cuda'] } : {}),
    // Both are distilled for 512×512 in 1-4 steps without guidance (their model cards).
    recommended: { width: 512, height: 512, steps: 1, guidanceScale: 0, scheduler: sampler },
    diffusion: {
      trainTimesteps: num(scheduler['num_train_timesteps'], 1000),
      betaStart: num(scheduler['beta_start'], 0.00085),
      betaEnd: num(scheduler['beta_end'], 0.012),
      betaSchedule: scheduler['beta_schedule'] === 'linear' ? 'linear' : 'scaled_linear',
      predictionType: scheduler['prediction_type'] === 'v_prediction' ? 'v_prediction' : 'epsilon',
      timestepSpacing: scheduler['timestep_spacing'] === 'leading' || scheduler['timestep_spacing'] === 'linspace' ? scheduler['timestep_spacing'] : 'trailing',
      stepsOffset: num(scheduler['steps_offset'], 1),
      latentChannels: num(vae['latent_channels'], 4),
      vaeScaleFactor: 8,
      vaeScalingFactor: num(vae['scaling_factor'], 0.18215),
      maxTokens: 77,
      padToken: textOf(special['pad_token']) ?? '!',
      ...(special2 === undefined ? {} : { padToken2: textOf(special2['pad_token']) ?? '!' }),
    },
  };
  assertValid(ModelManifestSchema, manifest, `${dir} manifest`, 'MODEL_INVALID');
  await writeFileAtomic(join(dir, MODEL_MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
  return (await readModelPack(dir)).manifest;
}
