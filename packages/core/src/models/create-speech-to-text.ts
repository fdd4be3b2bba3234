// Writing framewright-model.json for a folder holding Whisper as Optimum exports it, so a user can
// make a speech-to-text pack without editing JSON (docs/subtitles.md), and `models pull` and
// `models import` can adopt one.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FramewrightError } from '../protocol/errors.js';
import { assertValid } from '../protocol/validate.js';
import { createOnnxSession, type OnnxSession, type OnnxValueSpec } from '../runtime/onnx-session.js';
import { writeFileAtomic } from '../util/fs.js';
import { MODEL_MANIFEST_NAME, ModelManifestSchema, readModelPack, type ModelManifest, type ModelSource } from './manifest.js';
import { whisperModelIo } from './speech-to-text.js';
import { sha256File } from './verify.js';

/** What {@link writeSpeechToTextManifest} needs besides the folder. */
export interface SpeechToTextManifestOptions {
  /** Pack id (what `subtitles --model` names). */
  readonly id: string;
  /** Licence of the weights (openai/whisper-*: MIT). */
  readonly licence: { name: string; url?: string };
  /** Where the files were pulled from (recorded in the manifest). */
  readonly source?: ModelSource;
  /** SHA-256 of files already hashed (by pull's verification), by path. */
  readonly sha256?: ReadonlyMap<string, string>;
}

const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);

/** The first of `names` that exists in `dir` or `dir/onnx` (the Hub's onnx-community layout), relative to `dir`. */
async function find(dir: string, names: readonly string[]): Promise<string | undefined> {
  for (const name of names) for (const sub of ['', 'onnx/']) if (await isFile(join(dir, sub + name))) return sub + name;
  return undefined;
}

/**
 * Writes `dir/framewright-model.json` for a Whisper export: encoder_model.onnx, and
 * decoder_model_merged.onnx or decoder_model.onnx + decoder_with_past_model.onnx (in the folder or
 * its onnx/ sub-folder), generation_config.json and vocab.json, each with its size and SHA-256,
 * and the ONNX files' signatures. The models are opened and checked for Optimum's interface first.
 * @throws FramewrightError `MODEL_INVALID` naming the missing file or the tensor that is wrong
 */
export async function writeSpeechToTextManifest(dir: string, options: SpeechToTextManifestOptions): Promise<ModelManifest> {
  const need = async (role: string, names: readonly string[]) => {
    const path = await find(dir, names);
    if (path === undefined) throw new FramewrightError('MODEL_INVALID', `${dir} has no ${names.join(' or ')} (role ${role}); export Whisper with optimum-cli export onnx --task automatic-speech-recognition-with-past`);
    return path;
  };
  const encoder = await need('encoder', ['encoder_model.onnx']);
  const merged = await find(dir, ['decoder_model_merged.onnx']);
  const decoder = merged ?? (await need('decoder', ['decoder_model.onnx']));
  const withPast = merged === undefined ? await need('decoder_with_past', ['decoder_with_past_model.onnx']) : undefined;
  const onnxFiles: [string, string][] = [['encoder', encoder], ['decoder', decoder], ...(withPast === undefined ? [] : [['decoder_with_past', withPast] as [string, string]])];
  const sessions: OnnxSession[] = [];
  try {
    for (const [, path] of onnxFiles) sessions.push(await createOnnxSession(join(dir, path), { intraOpThreads: 1, graphOptimization: 'disabled' }));
    whisperModelIo(sessions[0]!, sessions[1]!, sessions[2], { encoder: join(dir, encoder), decoder: join(dir, decoder), ...(withPast === undefined ? {} : { withPast: join(dir, withPast) }) });
    const signature = (v: OnnxValueSpec) => ({ name: v.name, type: v.type, shape: [...v.dims] });
    const entry = async (role: string, path: string, session?: OnnxSession) => ({
      path,
      role,
      size: (await stat(join(dir, path))).size,
      sha256: options.sha256?.get(path) ?? (await sha256File(join(dir, path))),
      ...(session === undefined ? {} : { inputs: session.inputs.map(signature), outputs: session.outputs.map(signature) }),
    });
    const files = [
      ...(await Promise.all(onnxFiles.map(([role, path], i) => entry(role, path, sessions[i])))),
      await entry('generation_config', await need('generation_config', ['generation_config.json'])),
      await entry('vocab', await need('vocab', ['vocab.json'])),
    ];
    const manifest = {
      manifestVersion: 1, id: options.id, name: `Whisper ONNX export (${options.source?.repo ?? options.id})`, family: 'speech-to-text', task: 'speech-to-text', licence: options.licence, files,
      ...(options.source === undefined ? {} : { source: options.source }),
    };
    assertValid(ModelManifestSchema, manifest, `${dir} manifest`, 'MODEL_INVALID');
    await writeFileAtomic(join(dir, MODEL_MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
  } finally {
    for (const s of sessions) await s.release();
  }
  return (await readModelPack(dir)).manifest;
}
