// Writing framewright-model.json for Whisper as Optimum exports it (`optimum-cli export onnx
// --model openai/whisper-…`): an encoder and a merged decoder with past key values, and the
// tokenizer and feature-extractor files. The interface is checked; nothing here runs speech.
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { FramewrightError } from '../protocol/errors.js';
import { assertValid } from '../protocol/validate.js';
import { createOnnxSession, type OnnxValueSpec } from '../runtime/onnx-session.js';
import { writeFileAtomic } from '../util/fs.js';
import { MODEL_MANIFEST_NAME, ModelManifestSchema, readModelPack, type ModelFile, type ModelManifest, type ModelSource } from './manifest.js';
import { sha256File } from './verify.js';

/** What {@link writeSpeechToTextManifest} needs besides the folder. */
export interface SpeechToTextManifestOptions {
  /** Pack id. */
  readonly id: string;
  /** Licence of the weights (Whisper: Apache-2.0). */
  readonly licence: { name: string; url?: string };
  /** Where the files were pulled from (recorded in the manifest). */
  readonly source?: ModelSource;
  /** SHA-256 of files already hashed (by pull's verification), by path. */
  readonly sha256?: ReadonlyMap<string, string>;
}

/** Roles by file name (at the top of the export or under `onnx/`, as onnx-community repositories keep them). */
const ROLES: Readonly<Record<string, string>> = {
  'encoder_model.onnx': 'encoder',
  'decoder_model_merged.onnx': 'decoder',
  'vocab.json': 'vocab',
  'merges.txt': 'merges',
  'config.json': 'config',
  'generation_config.json': 'generation-config',
  'preprocessor_config.json': 'preprocessor',
  'tokenizer.json': 'tokenizer',
  'added_tokens.json': 'added-tokens',
};

async function filesUnder(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === MODEL_MANIFEST_NAME) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path, root)));
    else if (entry.isFile()) out.push(relative(root, path).split(sep).join('/'));
  }
  return out.sort();
}

/** The first thing about a merged decoder that is not Optimum's Whisper interface, or undefined. */
function decoderProblem(inputs: readonly OnnxValueSpec[], outputs: readonly OnnxValueSpec[]): string | undefined {
  const input = (name: string) => inputs.find((i) => i.name === name);
  if (input('input_ids')?.type !== 'int64') return 'input_ids (int64) is missing';
  if (input('encoder_hidden_states')?.type !== 'float32') return 'encoder_hidden_states (float32) is missing';
  if (input('use_cache_branch')?.type !== 'bool') return 'use_cache_branch (bool) is missing';
  const past = inputs.filter((i) => i.name.startsWith('past_key_values.'));
  const layers = new Set(past.map((i) => i.name.split('.')[1]));
  if (layers.size === 0) return 'it has no past_key_values.N.* inputs';
  for (const layer of layers) {
    for (const part of ['decoder.key', 'decoder.value', 'encoder.key', 'encoder.value']) {
      if (input(`past_key_values.${layer}.${part}`) === undefined) return `past_key_values.${layer}.${part} is missing`;
      if (!outputs.some((o) => o.name === `present.${layer}.${part}`)) return `output present.${layer}.${part} is missing`;
    }
  }
  if (!outputs.some((o) => o.name === 'logits')) return 'output logits is missing';
  return undefined;
}

/**
 * Writes `dir/framewright-model.json` for a Whisper export in Optimum's layout (`encoder_model.onnx`,
 * `decoder_model_merged.onnx`, `vocab.json`, `merges.txt`, at the top or under `onnx/`), after
 * opening both models and checking their interface: the encoder's `input_features`, the merged
 * decoder's `input_ids`, `encoder_hidden_states`, `use_cache_branch` and the
 * `past_key_values.N.{decoder,encoder}.{key,value}` inputs with their `present.N.…` outputs.
 * @throws FramewrightError `MODEL_INVALID` naming a missing file or tensor
 */
export async function writeSpeechToTextManifest(dir: string, options: SpeechToTextManifestOptions): Promise<ModelManifest> {
  const paths = await filesUnder(dir);
  const files: ModelFile[] = [];
  for (const path of paths) {
    const name = path.split('/').pop()!;
    const role = path.split('/').length <= 2 && (path.startsWith('onnx/') || !path.includes('/')) ? ROLES[name] : undefined;
    const full = join(dir, path);
    files.push({ path, sha256: options.sha256?.get(path) ?? (await sha256File(full)), size: (await stat(full)).size, ...(role === undefined ? {} : { role }) });
  }
  for (const role of ['encoder', 'decoder', 'vocab', 'merges']) {
    if (!files.some((f) => f.role === role)) throw new FramewrightError('MODEL_INVALID', `${dir} is not a complete Whisper export (Optimum): ${Object.keys(ROLES).find((k) => ROLES[k] === role)} is missing`);
  }
  for (const file of files.filter((f) => f.role === 'encoder' || f.role === 'decoder')) {
    const session = await createOnnxSession(join(dir, file.path), { intraOpThreads: 1, graphOptimization: 'disabled' });
    const inputs = [...session.inputs];
    const outputs = [...session.outputs];
    await session.release();
    const problem = file.role === 'encoder' ? (inputs.some((i) => i.name === 'input_features' && i.type === 'float32') && outputs.some((o) => o.name === 'last_hidden_state') ? undefined : 'it needs input_features (float32) and last_hidden_state') : decoderProblem(inputs, outputs);
    if (problem !== undefined) throw new FramewrightError('MODEL_INVALID', `${join(dir, file.path)} is not Optimum's Whisper ${file.role}: ${problem}`);
    file.inputs = inputs.map((v) => ({ name: v.name, type: v.type, shape: [...v.dims] }));
    file.outputs = outputs.map((v) => ({ name: v.name, type: v.type, shape: [...v.dims] }));
  }
  const manifest = {
    manifestVersion: 1,
    id: options.id,
    name: `Whisper ONNX export (${options.source?.repo ?? options.id})`,
    family: 'speech-to-text',
    task: 'speech-to-text',
    licence: options.licence,
    files,
    ...(options.source === undefined ? {} : { source: options.source }),
  };
  assertValid(ModelManifestSchema, manifest, `${dir} manifest`, 'MODEL_INVALID');
  await writeFileAtomic(join(dir, MODEL_MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
  return (await readModelPack(dir)).manifest;
}
