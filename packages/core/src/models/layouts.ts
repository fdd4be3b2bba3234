// The public export layouts Framewright adopts as they are, told apart by their file lists, and
// which of their files each family needs. Interfaces and sources: docs/models.md.
import { FramewrightError } from '../protocol/errors.js';
import type { ModelFamily } from './manifest.js';

/** A family's export layout as a file list shows it. */
export interface ExportLayout {
  /** The pack family it becomes. */
  readonly family: Extract<ModelFamily, 'sd-turbo' | 'sdxl-turbo' | 'shot-detection' | 'frame-interpolation' | 'speech-to-text'>;
  /** What the export is, for messages: `diffusers ONNX (Optimum / onnxruntime)`. */
  readonly name: string;
  /** Files that must be there (paths relative to the export's root). */
  readonly required: readonly string[];
  /** Globs (fnmatch, `*` crosses `/`, as huggingface_hub's allow_patterns) of the files the pipeline reads. */
  readonly include: readonly string[];
}

/**
 * Stable Diffusion ONNX exports in the diffusers folder layout: Optimum's
 * (`optimum-cli export onnx --model stabilityai/sd-turbo`, float32, weights of large models in
 * `model.onnx_data` beside `model.onnx`) and onnxruntime's (`onnxruntime/sd-turbo`, float16,
 * Olive-optimised for CUDA). The VAE encoder (image-to-image) is not needed.
 */
export const DIFFUSERS_ONNX_LAYOUT: ExportLayout = Object.freeze({
  family: 'sd-turbo',
  name: 'diffusers ONNX export (Optimum or onnxruntime)',
  required: ['text_encoder/model.onnx', 'unet/model.onnx', 'vae_decoder/model.onnx', 'tokenizer/vocab.json', 'tokenizer/merges.txt'],
  include: ['model_index.json', 'scheduler/*', 'tokenizer/*', 'text_encoder/*', 'unet/*', 'vae_decoder/*'],
});

/**
 * SDXL-Turbo as Optimum exports it (`optimum-cli export onnx --model stabilityai/sdxl-turbo`, and
 * the ONNX files `stabilityai/sdxl-turbo` itself holds beside its PyTorch weights): two CLIP text
 * encoders (`text_encoder/`, and `text_encoder_2/` with the projection, its weights in
 * `model.onnx_data`), two tokenizers, a UNet taking `text_embeds` and `time_ids` (weights in
 * `model.onnx_data`), a float32 VAE decoder. Only the ONNX files and configs are fetched: the
 * repository's safetensors (PyTorch, 6.9 to 13.9 GB each) and the VAE encoder are not needed.
 */
export const SDXL_OPTIMUM_LAYOUT: ExportLayout = Object.freeze({
  family: 'sdxl-turbo',
  name: 'SDXL diffusers ONNX export (Optimum)',
  required: [
    'text_encoder/model.onnx',
    'text_encoder_2/model.onnx',
    'unet/model.onnx',
    'vae_decoder/model.onnx',
    'tokenizer/vocab.json',
    'tokenizer/merges.txt',
    'tokenizer_2/vocab.json',
    'tokenizer_2/merges.txt',
  ],
  include: [
    'model_index.json',
    'scheduler/*',
    'tokenizer/*',
    'tokenizer_2/*',
    ...['text_encoder', 'text_encoder_2', 'unet', 'vae_decoder'].flatMap((m) => [`${m}/model.onnx`, `${m}/model.onnx_data`, `${m}/config.json`]),
  ],
});

/**
 * Whether a diffusers export's files are SDXL's: its second text encoder or tokenizer tells it
 * apart (either is enough, so a folder missing the other is named as incomplete SDXL).
 */
export function looksSdxl(paths: readonly string[]): boolean {
  return paths.some((p) => p.startsWith('text_encoder_2/') || p.startsWith('tokenizer_2/'));
}

/** A single TransNetV2 ONNX file (with its config, if any): only its `.onnx` is needed. */
export const SINGLE_ONNX_SHOT_LAYOUT: ExportLayout = Object.freeze({
  family: 'shot-detection',
  name: 'single-file ONNX export (TransNetV2)',
  required: [],
  include: ['*.onnx'],
});

/** A single RIFE 4.x ONNX file: two frames and a timestep in, the frame between out. */
export const SINGLE_ONNX_INTERPOLATION_LAYOUT: ExportLayout = Object.freeze({
  family: 'frame-interpolation',
  name: 'single-file ONNX export (RIFE)',
  required: [],
  include: ['*.onnx'],
});

/**
 * Whisper as Optimum exports it: `encoder_model.onnx` and `decoder_model_merged.onnx` (with past
 * key values), the BPE tokenizer and the feature-extractor config, at the top of the export or
 * under `onnx/` (onnx-community repositories). The unmerged decoders are not needed.
 */
export const WHISPER_OPTIMUM_LAYOUT: ExportLayout = Object.freeze({
  family: 'speech-to-text',
  name: 'Whisper ONNX export (Optimum)',
  required: ['encoder_model.onnx', 'decoder_model_merged.onnx', 'generation_config.json', 'vocab.json', 'merges.txt'],
  include: [
    'encoder_model.onnx',
    'encoder_model.onnx_data',
    'decoder_model_merged.onnx',
    'decoder_model_merged.onnx_data',
    'onnx/encoder_model.onnx',
    'onnx/encoder_model.onnx_data',
    'onnx/decoder_model_merged.onnx',
    'onnx/decoder_model_merged.onnx_data',
    '*.json',
    'merges.txt',
  ],
});

/** fnmatch as Python's: `*` anything (slashes too), `?` one character, `[...]` a class. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** The files of `paths` that match one of `globs`, in order. */
export function selectFiles(paths: readonly string[], globs: readonly string[]): string[] {
  const patterns = globs.map(globToRegExp);
  return paths.filter((p) => patterns.some((r) => r.test(p)));
}

/**
 * The layout of an export from its file list: `family` picks one when given; otherwise a
 * diffusers ONNX folder is recognised by its files. Single-file exports say nothing of their
 * family, so they need `family`.
 * @throws FramewrightError `MODEL_INVALID` naming the missing file, or asking for `--family`
 */
export function detectLayout(paths: readonly string[], where: string, family?: string): ExportLayout {
  if (family === 'shot-detection' || family === 'frame-interpolation') {
    const onnx = paths.filter((p) => p.endsWith('.onnx') && !p.includes('/'));
    if (onnx.length !== 1) throw new FramewrightError('MODEL_INVALID', `${where} must hold exactly one .onnx file at its top for a ${family} pack; it holds ${onnx.length === 0 ? 'none' : onnx.join(', ')} (choose one with --include)`);
    return family === 'shot-detection' ? SINGLE_ONNX_SHOT_LAYOUT : SINGLE_ONNX_INTERPOLATION_LAYOUT;
  }
  if (family !== undefined && family !== 'sd-turbo' && family !== 'sdxl-turbo' && family !== 'speech-to-text') throw new FramewrightError('INVALID_PARAMS', `--family must be sd-turbo, sdxl-turbo, shot-detection, frame-interpolation or speech-to-text, got ${JSON.stringify(family)}`);
  const whisperRoot = ['', 'onnx/'].find((prefix) => paths.includes(`${prefix}encoder_model.onnx`) || paths.includes(`${prefix}decoder_model_merged.onnx`));
  if (family === 'speech-to-text' || (family === undefined && whisperRoot !== undefined)) {
    const at = (name: string) => (name.endsWith('.onnx') ? [`${whisperRoot ?? ''}${name}`] : [name]);
    const missing = WHISPER_OPTIMUM_LAYOUT.required.filter((r) => !at(r).some((p) => paths.includes(p)));
    if (missing.length > 0) throw new FramewrightError('MODEL_INVALID', `${where} is not a complete ${WHISPER_OPTIMUM_LAYOUT.name}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`);
    return WHISPER_OPTIMUM_LAYOUT;
  }
  const looksDiffusers = paths.includes('model_index.json') || DIFFUSERS_ONNX_LAYOUT.required.some((r) => paths.includes(r));
  const sdxl = looksSdxl(paths);
  if (family === 'sd-turbo' || family === 'sdxl-turbo' || looksDiffusers || sdxl) {
    const layout = family === 'sdxl-turbo' || (family !== 'sd-turbo' && sdxl) ? SDXL_OPTIMUM_LAYOUT : DIFFUSERS_ONNX_LAYOUT;
    const missing = layout.required.filter((r) => !paths.includes(r));
    if (missing.length > 0) {
      const pytorch = paths.some((p) => /^unet\/.*\.(safetensors|bin)$/.test(p));
      const hint = pytorch ? ' (it holds PyTorch weights: export them with `optimum-cli export onnx --model REPO DIR`, then `framewright models import DIR`)' : '';
      throw new FramewrightError('MODEL_INVALID', `${where} is not a complete ${layout.name}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing${hint}`);
    }
    return layout;
  }
  throw new FramewrightError('MODEL_INVALID', `cannot tell which family ${where} is (no model_index.json or unet/model.onnx): give --family shot-detection for a single TransNetV2 .onnx file, --family frame-interpolation for a RIFE one`);
}
