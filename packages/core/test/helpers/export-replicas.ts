// Tiny random-weight replicas of the public SD-Turbo exports, folder for folder as the Hub holds
// them (docs/models.md, "Text to image"), so pull, import and image-gen run the code a real
// download runs:
//   optimum-fp32           Optimum's `optimum-cli export onnx --model stabilityai/sd-turbo`:
//                          float32, input_ids int32, scalar int64 timestep, the UNet's weights in
//                          unet/model.onnx_data (external data, as for its 3.5 GB UNet)
//   onnxruntime-fp16       onnxruntime/sd-turbo's interface (Olive, float16): every float input
//                          and output float16, timestep float16 [batch]; standard operators only,
//                          so ONNX Runtime's CPU provider runs it (inserting casts)
//   onnxruntime-fp16-cuda  the same with Olive's fused com.microsoft GroupNorm in the UNet, a
//                          kernel only the CUDA provider has: the real export's situation on CPU
// Weights are stored in the export's dtype; float16 ones are cast to float32 inside the graph.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeOnnxModel, OnnxGraphBuilder, type OnnxModel } from '../../src/onnx/index.js';
import { float32ToHalf } from '../../src/runtime/onnx-session.js';
import { Rng } from '../../src/transformer/random.js';
import { TINY_MERGES, TINY_SD, tinyClipVocab } from './tiny-packs.js';

/** The SD-Turbo export layouts a replica can take. */
export const SD_EXPORT_LAYOUTS = ['optimum-fp32', 'onnxruntime-fp16', 'onnxruntime-fp16-cuda'] as const;
/** One of {@link SD_EXPORT_LAYOUTS}. */
export type SdExportLayout = (typeof SD_EXPORT_LAYOUTS)[number];

type Float = 'float32' | 'float16';

function gaussian(rng: Rng, n: number, std: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * std);
}

/** A weight in the export's dtype, as a float32 value of the graph. */
function weight(g: OnnxGraphBuilder, name: string, values: Float32Array, dims: number[], dtype: Float): string {
  if (dtype === 'float32') return g.initializer(name, values, dims);
  return g.node('Cast', [g.initializer(name, float32ToHalf(values), dims, 'float16')], { to: 1 });
}

/** Graph input of `dtype`, as a float32 value. */
function floatInput(g: OnnxGraphBuilder, name: string, dims: Array<number | string>, dtype: Float): string {
  const x = g.input(name, dtype, dims);
  return dtype === 'float32' ? x : g.node('Cast', [x], { to: 1 });
}

/** Publishes a float32 value as output `name` of `dtype`. */
function floatOutput(g: OnnxGraphBuilder, value: string, name: string, dims: Array<number | string>, dtype: Float): void {
  g.output(dtype === 'float32' ? value : g.node('Cast', [value], { to: 10 }), name, dims, dtype);
}

function textEncoder(rng: Rng, vocab: number, dtype: Float): OnnxModel {
  const { hidden } = TINY_SD;
  const g = new OnnxGraphBuilder('text_encoder');
  const ids = g.input('input_ids', 'int32', ['batch_size', 'sequence_length']);
  const table = weight(g, 'text_model.embeddings.token_embedding.weight', gaussian(rng, vocab * hidden, 1), [vocab, hidden], dtype);
  const w = weight(g, 'text_model.final_proj.weight', gaussian(rng, hidden * hidden, 0.3), [hidden, hidden], dtype);
  const states = g.node('Tanh', [g.node('MatMul', [g.node('Gather', [table, ids]), w])]);
  floatOutput(g, states, 'last_hidden_state', ['batch_size', 'sequence_length', hidden], dtype);
  floatOutput(g, g.node('ReduceMean', [states], { axes: [1], keepdims: 0 }), 'pooler_output', ['batch_size', hidden], dtype);
  return g.toModel();
}

function unet(rng: Rng, layout: SdExportLayout): OnnxModel {
  const { latentChannels: c, hidden } = TINY_SD;
  const dtype: Float = layout === 'optimum-fp32' ? 'float32' : 'float16';
  const g = new OnnxGraphBuilder('unet');
  let sample = floatInput(g, 'sample', ['batch_size', c, 'height', 'width'], dtype);
  // Optimum: a scalar int64 timestep; Olive's export: float16 of [batch].
  const timestep = dtype === 'float32' ? g.node('Cast', [g.input('timestep', 'int64', [])], { to: 1 }) : floatInput(g, 'timestep', ['batch_size'], dtype);
  const context = floatInput(g, 'encoder_hidden_states', ['batch_size', 'sequence_length', hidden], dtype);
  if (layout === 'onnxruntime-fp16-cuda') {
    // Olive's GroupNorm fusion: NHWC float16 in and out, com.microsoft domain (CUDA kernel only).
    const nhwc = g.node('Cast', [g.node('Transpose', [sample], { perm: [0, 2, 3, 1] })], { to: 10 });
    const gamma = g.initializer('norm.gamma', new Float32Array(c).fill(1), [c]);
    const beta = g.initializer('norm.beta', new Float32Array(c), [c]);
    const norm = g.node('GroupNorm', [nhwc, gamma, beta], { epsilon: 1e-5, groups: 2, activation: 0, channels_last: 1 });
    sample = g.node('Transpose', [g.node('Cast', [norm], { to: 1 })], { perm: [0, 3, 1, 2] });
  }
  const kernel = weight(g, 'conv_in.weight', gaussian(rng, c * c * 9, 0.2), [c, c, 3, 3], dtype);
  const conv = g.node('Conv', [sample, kernel], { pads: [1, 1, 1, 1] });
  // The timestep and the text both move the output, so a wrong feed changes the result.
  const t = g.node('Reshape', [timestep, g.constInt64([-1, 1, 1, 1])]);
  const tScale = g.node('Add', [g.constFloat([1], [1]), g.node('Mul', [t, g.constFloat([0.001], [1])])]);
  const text = g.node('Unsqueeze', [g.node('ReduceMean', [context], { axes: [1, 2], keepdims: 1 }), g.constInt64([3])]);
  floatOutput(g, g.node('Add', [g.node('Mul', [conv, tScale]), text]), 'out_sample', ['batch_size', c, 'height', 'width'], dtype);
  const model = g.toModel();
  const groupNorm = model.graph.node.find((n) => n.opType === 'GroupNorm');
  if (groupNorm !== undefined) {
    groupNorm.domain = 'com.microsoft';
    model.opsetImport.push({ domain: 'com.microsoft', version: 1 });
  }
  return model;
}

function vaeDecoder(rng: Rng, dtype: Float): OnnxModel {
  const { latentChannels: c } = TINY_SD;
  const g = new OnnxGraphBuilder('vae_decoder');
  const latents = floatInput(g, 'latent_sample', ['batch_size', c, 'latent_height', 'latent_width'], dtype);
  const kernel = weight(g, 'decoder.up.weight', gaussian(rng, c * 3 * 64, 0.3), [c, 3, 8, 8], dtype);
  const up = g.node('ConvTranspose', [latents, kernel], { strides: [8, 8], kernel_shape: [8, 8] });
  floatOutput(g, g.node('Tanh', [g.node('Mul', [up, g.constFloat([0.5], [1])])]), 'sample', ['batch_size', 3, 'height', 'width'], dtype);
  return g.toModel();
}

/**
 * Moves every initializer of at least `minBytes` into one external file `location` beside the
 * model, contiguously, as `onnx.save_model(..., save_as_external_data=True,
 * all_tensors_to_one_file=True)` writes it (Optimum's layout for models over 2 GB).
 */
export function withExternalData(model: OnnxModel, location: string, minBytes = 64): { model: Uint8Array; data: Uint8Array } {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const tensor of model.graph.initializer) {
    if (tensor.rawData.length < minBytes) continue;
    chunks.push(tensor.rawData);
    tensor.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(tensor.rawData.length) },
    ];
    tensor.dataLocation = 1;
    offset += tensor.rawData.length;
    tensor.rawData = new Uint8Array();
  }
  return { model: encodeOnnxModel(model), data: Buffer.concat(chunks) };
}

/** The licence fields of SD-Turbo's model card (stabilityai/sd-turbo, onnxruntime/sd-turbo). */
export const SD_TURBO_CARD = Object.freeze({ license: 'other', license_name: 'sai-nc-community', license_link: 'https://huggingface.co/stabilityai/sd-turbo/blob/main/LICENSE.md' });

/**
 * Writes a tiny SD-Turbo export in `layout` into `dir`, with the files the real repository has
 * (model_index.json, scheduler/, tokenizer/, text_encoder/, unet/, vae_decoder/, vae_encoder/,
 * README.md with the card's licence) and no framewright manifest. Returns the paths written.
 */
export function writeSdTurboExport(dir: string, layout: SdExportLayout): string[] {
  const rng = new Rng(20240611);
  const dtype: Float = layout === 'optimum-fp32' ? 'float32' : 'float16';
  const vocab = tinyClipVocab();
  const files: Record<string, Uint8Array | string> = {};
  files['model_index.json'] = JSON.stringify({ _class_name: layout === 'optimum-fp32' ? 'ORTStableDiffusionPipeline' : 'OnnxStableDiffusionPipeline', _diffusers_version: '0.24.0' });
  files['scheduler/scheduler_config.json'] = JSON.stringify({ _class_name: 'EulerDiscreteScheduler', num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', prediction_type: 'epsilon', timestep_spacing: 'trailing', steps_offset: 1 });
  files['tokenizer/vocab.json'] = JSON.stringify(vocab);
  files['tokenizer/merges.txt'] = `#version: 0.2\n${TINY_MERGES.join('\n')}\n`;
  files['tokenizer/special_tokens_map.json'] = JSON.stringify({ bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: '!', unk_token: '<|endoftext|>' });
  files['tokenizer/tokenizer_config.json'] = JSON.stringify({ model_max_length: TINY_SD.maxTokens });
  files['text_encoder/model.onnx'] = encodeOnnxModel(textEncoder(rng, Object.keys(vocab).length, dtype));
  files['text_encoder/config.json'] = JSON.stringify({ hidden_size: TINY_SD.hidden, max_position_embeddings: TINY_SD.maxTokens });
  const unetModel = unet(rng, layout);
  if (layout === 'optimum-fp32') {
    const split = withExternalData(unetModel, 'model.onnx_data');
    files['unet/model.onnx'] = split.model;
    files['unet/model.onnx_data'] = split.data;
  } else files['unet/model.onnx'] = encodeOnnxModel(unetModel);
  files['unet/config.json'] = JSON.stringify({ in_channels: TINY_SD.latentChannels, sample_size: TINY_SD.size / 8 });
  const vae = vaeDecoder(rng, dtype);
  files['vae_decoder/model.onnx'] = encodeOnnxModel(vae);
  files['vae_decoder/config.json'] = JSON.stringify({ latent_channels: TINY_SD.latentChannels, scaling_factor: 0.18215 });
  files['vae_encoder/model.onnx'] = encodeOnnxModel(vaeDecoder(new Rng(5), dtype));
  files['README.md'] = `---\nlicense: ${SD_TURBO_CARD.license}\nlicense_name: ${SD_TURBO_CARD.license_name}\nlicense_link: ${SD_TURBO_CARD.license_link}\n---\n# Tiny random-weight replica (${layout})\n`;
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
  return Object.keys(files).sort();
}

/**
 * A tiny RIFE-style frame interpolator with the interface video-gen runs (two float32 frames
 * `img0`, `img1` `[1, 3, height, width]` in 0..1 and `timestep` `[1, 1, 1, 1]`, the frame at that
 * time out as `output`): the blend `img0 + t·(img1 − img0)` plus a small random 1×1 convolution of
 * the difference, so it is not the identity of any one input.
 */
export function rifeReplica(seed = 7): Uint8Array {
  const rng = new Rng(seed);
  const g = new OnnxGraphBuilder('rife');
  const img0 = g.input('img0', 'float32', [1, 3, 'height', 'width']);
  const img1 = g.input('img1', 'float32', [1, 3, 'height', 'width']);
  const t = g.input('timestep', 'float32', [1, 1, 1, 1]);
  const diff = g.node('Sub', [img1, img0]);
  const mix = g.initializer('flow.mix', gaussian(rng, 9, 0.01), [3, 3, 1, 1]);
  const blend = g.node('Add', [img0, g.node('Mul', [diff, t])]);
  g.output(g.node('Add', [blend, g.node('Conv', [diff, mix])]), 'output', [1, 3, 'height', 'width']);
  return g.toBytes();
}

/** Dims of the tiny Whisper (whisper-tiny: d_model 384, 6 heads of 64, 4 decoder layers, 80 mel bins, 51865 tokens). */
export const TINY_WHISPER = Object.freeze({ mels: 80, width: 8, heads: 2, headDim: 4, layers: 2 });

/**
 * Writes a tiny Whisper export in Optimum's layout into `dir` (`prefix` `onnx/` for the
 * onnx-community layout): `encoder_model.onnx` (`input_features` float32 `[batch_size, 80,
 * encoder_sequence_length]` → `last_hidden_state` at half the length), `decoder_model_merged.onnx`
 * (`input_ids` int64, `encoder_hidden_states`, `past_key_values.N.{decoder,encoder}.{key,value}`
 * `[batch_size, heads, length, head_dim]`, `use_cache_branch` bool `[1]` → `logits`, `present.N.…`),
 * and the tokenizer and config files. Returns the paths written.
 */
export function writeWhisperExport(dir: string, prefix: '' | 'onnx/' = ''): string[] {
  const rng = new Rng(31);
  const { mels, width: d, heads, headDim, layers } = TINY_WHISPER;
  const vocab = tinyClipVocab();
  const vocabSize = Object.keys(vocab).length;
  const enc = new OnnxGraphBuilder('encoder');
  const features = enc.input('input_features', 'float32', ['batch_size', mels, 'encoder_sequence_length']);
  const conv = enc.node('Conv', [features, enc.initializer('conv1.weight', gaussian(rng, d * mels * 3, 0.05), [d, mels, 3])], { pads: [1, 1], strides: [2] });
  enc.output(enc.node('Tanh', [enc.node('Transpose', [conv], { perm: [0, 2, 1] })]), 'last_hidden_state', ['batch_size', 'encoder_sequence_length / 2', d]);

  const dec = new OnnxGraphBuilder('decoder_merged');
  const ids = dec.input('input_ids', 'int64', ['batch_size', 'decoder_sequence_length']);
  const states = dec.input('encoder_hidden_states', 'float32', ['batch_size', 'encoder_sequence_length / 2', d]);
  const splitHeads = (x: string) => dec.node('Transpose', [dec.node('Reshape', [x, dec.constInt64([0, -1, heads, headDim])])], { perm: [0, 2, 1, 3] });
  const embed = dec.initializer('embed_tokens.weight', gaussian(rng, vocabSize * d, 0.5), [vocabSize, d]);
  const tokens = dec.node('Gather', [embed, ids]);
  const past: Array<[string, string]> = [];
  for (let layer = 0; layer < layers; layer++) {
    for (const part of ['decoder.key', 'decoder.value', 'encoder.key', 'encoder.value']) {
      const length = part.startsWith('decoder') ? 'past_decoder_sequence_length' : 'encoder_sequence_length_out';
      past.push([part, dec.input(`past_key_values.${layer}.${part}`, 'float32', ['batch_size', heads, length, headDim])]);
    }
  }
  dec.input('use_cache_branch', 'bool', [1]);
  const context = dec.node('ReduceMean', [states], { axes: [1], keepdims: 1 });
  const hidden = dec.node('Add', [tokens, context]);
  dec.output(dec.node('MatMul', [hidden, dec.node('Transpose', [embed], { perm: [1, 0] })]), 'logits', ['batch_size', 'decoder_sequence_length', vocabSize]);
  past.forEach(([part, value], i) => {
    const layer = Math.floor(i / 4);
    const w = dec.initializer(`layers.${layer}.${part}.weight`, gaussian(rng, d * d, 0.3), [d, d]);
    const fresh = splitHeads(dec.node('MatMul', [part.startsWith('decoder') ? hidden : states, w]));
    // The self-attention cache grows by the new tokens; the cross-attention one is the encoder's.
    const present = part.startsWith('decoder') ? dec.node('Concat', [value, fresh], { axis: 2 }) : fresh;
    dec.output(present, `present.${layer}.${part}`, ['batch_size', heads, part.startsWith('decoder') ? 'present_sequence_length' : 'encoder_sequence_length_out', headDim]);
  });
  const files: Record<string, Uint8Array | string> = {
    [`${prefix}encoder_model.onnx`]: enc.toBytes(),
    [`${prefix}decoder_model_merged.onnx`]: dec.toBytes(),
    [`${prefix}decoder_model.onnx`]: dec.toBytes(),
    'vocab.json': JSON.stringify(vocab),
    'merges.txt': `#version: 0.2\n${TINY_MERGES.join('\n')}\n`,
    'config.json': JSON.stringify({ model_type: 'whisper', d_model: d, decoder_attention_heads: heads, decoder_layers: layers, num_mel_bins: mels, vocab_size: vocabSize }),
    'generation_config.json': JSON.stringify({ decoder_start_token_id: vocabSize - 2 }),
    'preprocessor_config.json': JSON.stringify({ feature_extractor_type: 'WhisperFeatureExtractor', feature_size: mels, sampling_rate: 16000, hop_length: 160, n_fft: 400, chunk_length: 30 }),
    'README.md': '---\nlicense: apache-2.0\n---\n# Tiny random-weight Whisper replica\n',
  };
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
  return Object.keys(files).sort();
}

/**
 * Dims of the tiny SDXL-Turbo (the real one: text_encoder 768 wide, text_encoder_2 1280 wide with a
 * 1280 projection, so a 2048-wide context; 12 and 32 layers; latents 4×64×64).
 */
export const TINY_SDXL = Object.freeze({ width1: 8, width2: 12, projection: 12, layers: 2, latentChannels: 4, size: 64 });

/** The licence fields of SDXL-Turbo's model card (stabilityai/sdxl-turbo). */
export const SDXL_TURBO_CARD = Object.freeze({ license: 'other', license_name: 'sai-nc-community', license_link: 'https://huggingface.co/stabilityai/sdxl-turbo/blob/main/LICENSE.md' });

/**
 * A CLIP text encoder as Optimum exports SDXL's with `output_hidden_states`: `input_ids` int32 in;
 * `hidden_states.0` (the embeddings) … `hidden_states.L` (each layer), `last_hidden_state` (the
 * final layer norm of the last), and `pooler_output` (text_encoder, CLIPTextOnnxConfig) or
 * `text_embeds` first (text_encoder_2, CLIPTextWithProjectionOnnxConfig, whose declared axes name
 * its second one `sequence_length`).
 */
function sdxlTextEncoder(rng: Rng, vocab: number, width: number, projection?: number): OnnxModel {
  const { layers } = TINY_SDXL;
  const g = new OnnxGraphBuilder(projection === undefined ? 'text_encoder' : 'text_encoder_2');
  const ids = g.input('input_ids', 'int32', ['batch_size', 'sequence_length']);
  const table = g.initializer('text_model.embeddings.token_embedding.weight', gaussian(rng, vocab * width, 1), [vocab, width]);
  const states = [g.node('Gather', [table, ids])];
  for (let layer = 0; layer < layers; layer++) {
    const w = g.initializer(`text_model.encoder.layers.${layer}.mlp.fc1.weight`, gaussian(rng, width * width, 0.5), [width, width]);
    states.push(g.node('Tanh', [g.node('MatMul', [states[layer]!, w])]));
  }
  const last = g.node('Mul', [states[layers]!, g.constFloat([0.9], [1])]);
  const pooled = g.node('ReduceMean', [last], { axes: [1], keepdims: 0 });
  if (projection !== undefined) {
    const proj = g.initializer('text_projection.weight', gaussian(rng, width * projection, 0.5), [width, projection]);
    g.output(g.node('MatMul', [pooled, proj]), 'text_embeds', ['batch_size', 'sequence_length']);
  }
  g.output(last, 'last_hidden_state', ['batch_size', 'sequence_length', width]);
  if (projection === undefined) g.output(pooled, 'pooler_output', ['batch_size', width]);
  states.forEach((state, i) => g.output(g.node('Identity', [state]), `hidden_states.${i}`, ['batch_size', 'sequence_length', width]));
  return g.toModel();
}

/** SDXL's UNet as UNetOnnxConfig declares it with `addition_embed_type` `text_time`. */
function sdxlUnet(rng: Rng): OnnxModel {
  const { latentChannels: c, width1, width2, projection } = TINY_SDXL;
  const g = new OnnxGraphBuilder('unet');
  const sample = g.input('sample', 'float32', ['batch_size', c, 'height', 'width']);
  const timestep = g.node('Cast', [g.input('timestep', 'int64', [])], { to: 1 });
  const context = g.input('encoder_hidden_states', 'float32', ['batch_size', 'sequence_length', width1 + width2]);
  const textEmbeds = g.input('text_embeds', 'float32', ['batch_size', projection]);
  const timeIds = g.input('time_ids', 'float32', ['batch_size', 6]);
  const kernel = g.initializer('conv_in.weight', gaussian(rng, c * c * 9, 0.2), [c, c, 3, 3]);
  const conv = g.node('Conv', [sample, kernel], { pads: [1, 1, 1, 1] });
  const t = g.node('Reshape', [timestep, g.constInt64([-1, 1, 1, 1])]);
  const tScale = g.node('Add', [g.constFloat([1], [1]), g.node('Mul', [t, g.constFloat([0.001], [1])])]);
  // The context, the pooled embedding and the size conditioning each move the output.
  const perBatch = (x: string) => g.node('Reshape', [x, g.constInt64([-1, 1, 1, 1])]);
  const text = perBatch(g.node('ReduceMean', [context], { axes: [1, 2], keepdims: 0 }));
  const pooled = perBatch(g.node('ReduceMean', [textEmbeds], { axes: [1], keepdims: 0 }));
  const size = perBatch(g.node('Mul', [g.node('ReduceMean', [timeIds], { axes: [1], keepdims: 0 }), g.constFloat([0.002], [1])]));
  const add = g.node('Add', [g.node('Add', [text, pooled]), size]);
  g.output(g.node('Add', [g.node('Mul', [conv, tScale]), add]), 'out_sample', ['batch_size', c, 'height', 'width']);
  return g.toModel();
}

/**
 * Writes a tiny SDXL-Turbo export as Optimum writes it (`optimum-cli export onnx --model
 * stabilityai/sdxl-turbo`; the same folders `stabilityai/sdxl-turbo` holds in ONNX) into `dir`:
 * model_index.json, scheduler/ (EulerAncestral, trailing), tokenizer/ (pads with <|endoftext|>),
 * tokenizer_2/ (pads with !), text_encoder/, text_encoder_2/ (weights in model.onnx_data, as for
 * its 2.78 GB), unet/ (weights in model.onnx_data), vae_decoder/ (float32, scaling_factor
 * 0.13025), vae_encoder/, README.md with the card's licence. Returns the paths written.
 */
export function writeSdxlTurboExport(dir: string): string[] {
  const rng = new Rng(20231128);
  const vocab = tinyClipVocab();
  const vocabSize = Object.keys(vocab).length;
  const files: Record<string, Uint8Array | string> = {};
  files['model_index.json'] = JSON.stringify({ _class_name: 'StableDiffusionXLPipeline', _diffusers_version: '0.24.0.dev0', force_zeros_for_empty_prompt: true });
  files['scheduler/scheduler_config.json'] = JSON.stringify({ _class_name: 'EulerAncestralDiscreteScheduler', beta_end: 0.012, beta_schedule: 'scaled_linear', beta_start: 0.00085, num_train_timesteps: 1000, prediction_type: 'epsilon', steps_offset: 1, timestep_spacing: 'trailing' });
  for (const [folder, pad] of [['tokenizer', '<|endoftext|>'], ['tokenizer_2', '!']] as const) {
    files[`${folder}/vocab.json`] = JSON.stringify(vocab);
    files[`${folder}/merges.txt`] = `#version: 0.2\n${TINY_MERGES.join('\n')}\n`;
    files[`${folder}/special_tokens_map.json`] = JSON.stringify({ bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: pad, unk_token: '<|endoftext|>' });
    files[`${folder}/tokenizer_config.json`] = JSON.stringify({ model_max_length: TINY_SD.maxTokens });
  }
  files['text_encoder/model.onnx'] = encodeOnnxModel(sdxlTextEncoder(rng, vocabSize, TINY_SDXL.width1));
  files['text_encoder/config.json'] = JSON.stringify({ architectures: ['CLIPTextModel'], hidden_size: TINY_SDXL.width1, num_hidden_layers: TINY_SDXL.layers });
  const second = withExternalData(sdxlTextEncoder(rng, vocabSize, TINY_SDXL.width2, TINY_SDXL.projection), 'model.onnx_data');
  files['text_encoder_2/model.onnx'] = second.model;
  files['text_encoder_2/model.onnx_data'] = second.data;
  files['text_encoder_2/config.json'] = JSON.stringify({ architectures: ['CLIPTextModelWithProjection'], hidden_size: TINY_SDXL.width2, projection_dim: TINY_SDXL.projection, num_hidden_layers: TINY_SDXL.layers });
  const unetSplit = withExternalData(sdxlUnet(rng), 'model.onnx_data');
  files['unet/model.onnx'] = unetSplit.model;
  files['unet/model.onnx_data'] = unetSplit.data;
  files['unet/config.json'] = JSON.stringify({ addition_embed_type: 'text_time', addition_time_embed_dim: 256, cross_attention_dim: TINY_SDXL.width1 + TINY_SDXL.width2, in_channels: TINY_SDXL.latentChannels, projection_class_embeddings_input_dim: TINY_SDXL.projection + 6 * 256 });
  files['vae_decoder/model.onnx'] = encodeOnnxModel(vaeDecoder(rng, 'float32'));
  files['vae_decoder/config.json'] = JSON.stringify({ force_upcast: true, latent_channels: TINY_SDXL.latentChannels, scaling_factor: 0.13025 });
  files['vae_encoder/model.onnx'] = encodeOnnxModel(vaeDecoder(new Rng(6), 'float32'));
  files['README.md'] = `---\nlicense: ${SDXL_TURBO_CARD.license}\nlicense_name: ${SDXL_TURBO_CARD.license_name}\nlicense_link: ${SDXL_TURBO_CARD.license_link}\n---\n# Tiny random-weight SDXL-Turbo replica (Optimum)\n`;
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
  return Object.keys(files).sort();
}
