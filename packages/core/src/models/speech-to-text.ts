// The `speech-to-text` model family: Whisper as Hugging Face Optimum exports it to ONNX
// (`optimum-cli export onnx --model openai/whisper-tiny --task automatic-speech-recognition-with-past`).
//
// NOTES — the interface, from its sources (docs/subtitles.md has the whole write-up):
// - optimum/exporters/onnx/model_configs.py (WhisperOnnxConfig) and base.py
//   (OnnxSeq2SeqConfigWithPast.add_past_key_values): encoder_model.onnx takes `input_features`
//   float32 [batch, num_mel_bins, 3000] and gives `last_hidden_state` [batch, 1500, d_model]. The
//   decoder takes `input_ids` int64 [batch, decoder_sequence_length] and `encoder_hidden_states`;
//   with past it also takes `past_key_values.{i}.decoder.key|value` [batch, heads,
//   past_decoder_sequence_length, head_dim] and `past_key_values.{i}.encoder.key|value` [batch,
//   heads, encoder_sequence_length, head_dim], and gives `logits` [batch, seq, vocab] and
//   `present.{i}.decoder.key|value` (past + seq long). decoder_model.onnx (no past) also gives
//   `present.{i}.encoder.key|value`, the cross-attention keys/values of the encoder output, which
//   decoder_with_past_model.onnx takes back and does not give again. decoder_model_merged.onnx is
//   both in one file behind an If on the bool input `use_cache_branch` [1]: the first step passes
//   empty (length-0) past tensors and false; later steps true.
// - transformers WhisperFeatureExtractor (models/whisper/feature_extraction_whisper.py, audio_utils.py):
//   16 kHz, n_fft 400, hop 160, 30 s chunks (480 000 samples, zero-padded) → 3000 frames; see
//   ops/subtitles/mel.ts.
// - generation_config.json of openai/whisper-*: decoder_start_token_id (<|startoftranscript|>),
//   eos_token_id (<|endoftext|>), no_timestamps_token_id, lang_to_id, task_to_id; timestamp tokens
//   start at no_timestamps_token_id + 1 (<|0.00|>) and step 0.02 s. English-only models have no
//   lang_to_id/task_to_id.
import { Type, type Static } from '@sinclair/typebox';
import { FramewrightError } from '../protocol/errors.js';
import type { OnnxValueSpec } from '../runtime/onnx-session.js';

/** Whisper's audio framing: sample rate, FFT size, hop, window length, frames per window, seconds per timestamp token. */
export const WHISPER_AUDIO = Object.freeze({
  sampleRate: 16000,
  nFft: 400,
  hop: 160,
  chunkSeconds: 30,
  chunkSamples: 480_000,
  frames: 3000,
  /** Encoder positions per window (two mel frames each). */
  positions: 1500,
  timestampSeconds: 0.02,
});

/** The tensor names of Optimum's Whisper export. */
export const WHISPER_NAMES = Object.freeze({
  features: 'input_features',
  hidden: 'last_hidden_state',
  inputIds: 'input_ids',
  encoderStates: 'encoder_hidden_states',
  useCacheBranch: 'use_cache_branch',
  logits: 'logits',
  past: (layer: number, side: 'decoder' | 'encoder', kind: 'key' | 'value') => `past_key_values.${layer}.${side}.${kind}`,
  present: (layer: number, side: 'decoder' | 'encoder', kind: 'key' | 'value') => `present.${layer}.${side}.${kind}`,
});

/** The token ids of one Whisper model, from its generation_config.json. */
export const WhisperGenerationConfigSchema = Type.Object(
  {
    decoder_start_token_id: Type.Integer({ minimum: 0 }),
    eos_token_id: Type.Integer({ minimum: 0 }),
    no_timestamps_token_id: Type.Integer({ minimum: 0 }),
    lang_to_id: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 0 }))),
    task_to_id: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 0 }))),
    is_multilingual: Type.Optional(Type.Boolean()),
    max_length: Type.Optional(Type.Integer({ minimum: 1 })),
    max_initial_timestamp_index: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { description: "Whisper's generation_config.json (fields this project reads; others are allowed)" },
);
/** Whisper's generation_config.json, the fields read here. */
export type WhisperGenerationConfig = Static<typeof WhisperGenerationConfigSchema>;

/** How one Whisper export is laid out, found by {@link whisperModelIo}. */
export interface WhisperModelIo {
  /** Mel bins the encoder takes (80; 128 for large-v3). */
  readonly melBins: number;
  /** Decoder layers (pairs of past key/value inputs). */
  readonly layers: number;
  /** Attention heads and head width of the self-attention cache (when the export fixes them). */
  readonly heads: number;
  readonly headDim: number;
  /** Vocabulary size of the logits. */
  readonly vocab: number;
  /** `merged`: decoder_model_merged.onnx with use_cache_branch; `split`: decoder_model.onnx + decoder_with_past_model.onnx. */
  readonly layout: 'merged' | 'split';
}

interface Signature {
  readonly inputs: readonly OnnxValueSpec[];
  readonly outputs: readonly OnnxValueSpec[];
}

const text = (v: OnnxValueSpec) => `${v.name} ${v.type} [${v.dims.map((d) => (d === '' ? '?' : d)).join(', ')}]`;
const fixed = (d: number | string | undefined): number | undefined => (typeof d === 'number' ? d : undefined);

function need(model: Signature, name: string, where: 'input' | 'output', type: string, rank: number, what: string): OnnxValueSpec {
  const list = where === 'input' ? model.inputs : model.outputs;
  const value = list.find((v) => v.name === name);
  if (value === undefined) {
    throw new FramewrightError('MODEL_INVALID', `${what} has no ${where} named ${name} (it has ${list.map(text).join(', ') || 'none'}); Whisper packs are Optimum exports (docs/subtitles.md)`);
  }
  if (value.type !== type || value.dims.length !== rank) {
    throw new FramewrightError('MODEL_INVALID', `${what}: ${where} ${text(value)} is not Whisper's; Optimum's export has ${type} of rank ${rank}`);
  }
  return value;
}

function decoderLayers(model: Signature, what: string): number {
  let layers = 0;
  while (model.inputs.some((i) => i.name === WHISPER_NAMES.past(layers, 'decoder', 'key'))) layers++;
  if (layers === 0) throw new FramewrightError('MODEL_INVALID', `${what} has no past_key_values.0.decoder.key input; export Whisper with --task automatic-speech-recognition-with-past`);
  for (let l = 0; l < layers; l++) {
    for (const side of ['decoder', 'encoder'] as const) {
      for (const kind of ['key', 'value'] as const) need(model, WHISPER_NAMES.past(l, side, kind), 'input', 'float32', 4, what);
      for (const kind of ['key', 'value'] as const) if (side === 'decoder') need(model, WHISPER_NAMES.present(l, side, kind), 'output', 'float32', 4, what);
    }
  }
  return layers;
}

/**
 * Checks that an encoder and a decoder (merged, or the decoder with past when `withPast` is
 * given beside the first-step `decoder`) have Optimum's Whisper interface, and reads its sizes.
 * @throws FramewrightError `MODEL_INVALID` naming the file and the tensor that is wrong
 */
export function whisperModelIo(encoder: Signature, decoder: Signature, withPast: Signature | undefined, what: { encoder: string; decoder: string; withPast?: string }): WhisperModelIo {
  const features = need(encoder, WHISPER_NAMES.features, 'input', 'float32', 3, what.encoder);
  const melBins = fixed(features.dims[1]);
  if (melBins === undefined || (features.dims[2] !== WHISPER_AUDIO.frames && typeof features.dims[2] === 'number')) {
    throw new FramewrightError('MODEL_INVALID', `${what.encoder}: input ${text(features)} is not Whisper's [batch, 80 or 128, 3000]`);
  }
  need(encoder, WHISPER_NAMES.hidden, 'output', 'float32', 3, what.encoder);
  need(decoder, WHISPER_NAMES.inputIds, 'input', 'int64', 2, what.decoder);
  need(decoder, WHISPER_NAMES.encoderStates, 'input', 'float32', 3, what.decoder);
  const logits = need(decoder, WHISPER_NAMES.logits, 'output', 'float32', 3, what.decoder);
  const merged = decoder.inputs.some((i) => i.name === WHISPER_NAMES.useCacheBranch);
  let layers: number;
  let cacheModel: Signature;
  if (merged) {
    need(decoder, WHISPER_NAMES.useCacheBranch, 'input', 'bool', 1, what.decoder);
    layers = decoderLayers(decoder, what.decoder);
    cacheModel = decoder;
  } else {
    if (withPast === undefined) throw new FramewrightError('MODEL_INVALID', `${what.decoder} has no use_cache_branch input, so the pack needs decoder_with_past_model.onnx (role decoder_with_past) beside it`);
    const withPastWhat = what.withPast ?? 'decoder_with_past_model.onnx';
    need(withPast, WHISPER_NAMES.inputIds, 'input', 'int64', 2, withPastWhat);
    layers = decoderLayers(withPast, withPastWhat);
    for (let l = 0; l < layers; l++) for (const kind of ['key', 'value'] as const) need(decoder, WHISPER_NAMES.present(l, 'encoder', kind), 'output', 'float32', 4, what.decoder);
    cacheModel = withPast;
  }
  const key = cacheModel.inputs.find((i) => i.name === WHISPER_NAMES.past(0, 'decoder', 'key'))!;
  return { melBins, layers, heads: fixed(key.dims[1]) ?? 0, headDim: fixed(key.dims[3]) ?? 0, vocab: fixed(logits.dims[2]) ?? 0, layout: merged ? 'merged' : 'split' };
}
