// Tiny random-weight model packs with the exact input/output names, element types and axis
// layout of the real exports (Hugging Face Optimum's SD-Turbo ONNX export: input_ids int32,
// a scalar int64 timestep, 4 latent channels fixed, other axes dynamic), small dims.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MODEL_MANIFEST_NAME, type ModelManifest, type OnnxSignatureEntry } from '../../src/models/index.js';
import type { BuiltinModelInfo } from '../../src/builtin/image/model.js';
import { buildMaskCodebook, GRID, SEQUENCE, ShapesVocabulary } from '../../src/builtin/image/tokens.js';
import { exportToOnnx } from '../../src/transformer/onnx/export.js';
import { OnnxGraphBuilder } from '../../src/onnx/graph-builder.js';
import { TransformerModel } from '../../src/transformer/model.js';
import { initTfjsBackend } from '../../src/runtime/tfjs-backend.js';
import { Rng } from '../../src/transformer/random.js';

/** Dims of the tiny SD-Turbo pack (the real one: hidden 1024, vocab 49408, latents 4×64×64). */
export const TINY_SD = Object.freeze({ hidden: 16, latentChannels: 4, maxTokens: 77, size: 64 });

/** GPT-2 / CLIP byte order: the printable bytes first, then the rest (the vocab's first 256 ids). */
export function clipByteOrder(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const chars = printable.map((b) => String.fromCodePoint(b));
  let extra = 0;
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) chars.push(String.fromCodePoint(256 + extra++));
  return chars;
}

/** Merges of the tiny vocabulary (the real merges.txt holds 48 894). */
export const TINY_MERGES = ['c a', 'ca t</w>', 'p h', 'o t', 'ph ot', 'phot o</w>', 'r e', 're d</w>'];

/**
 * A vocabulary laid out as CLIP's: 256 byte symbols, the same with `</w>`, one token per merge
 * in merge order, then `<|startoftext|>` and `<|endoftext|>`.
 */
export function tinyClipVocab(): Record<string, number> {
  const bytes = clipByteOrder();
  const tokens = [...bytes, ...bytes.map((b) => `${b}</w>`), ...TINY_MERGES.map((m) => m.replace(' ', '')), '<|startoftext|>', '<|endoftext|>'];
  return Object.fromEntries(tokens.map((t, i) => [t, i]));
}

function gaussian(rng: Rng, n: number, std: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * std);
}

function textEncoder(rng: Rng, vocab: number): Uint8Array {
  const { hidden } = TINY_SD;
  const g = new OnnxGraphBuilder('text_encoder');
  const ids = g.input('input_ids', 'int32', ['batch_size', 'sequence_length']);
  const table = g.initializer('text_model.embeddings.token_embedding.weight', gaussian(rng, vocab * hidden, 1), [vocab, hidden]);
  const w = g.initializer('text_model.final_proj.weight', gaussian(rng, hidden * hidden, 0.3), [hidden, hidden]);
  const hiddenStates = g.node('Tanh', [g.node('MatMul', [g.node('Gather', [table, ids]), w])]);
  g.output(hiddenStates, 'last_hidden_state', ['batch_size', 'sequence_length', hidden]);
  g.output(g.node('ReduceMean', [hiddenStates], { axes: [1], keepdims: 0 }), 'pooler_output', ['batch_size', hidden]);
  return g.toBytes();
}

/** Optimum's current export takes the timestep as a scalar; older exports as `[steps]`. */
const TIMESTEP_DIMS = { scalar: [] as string[], steps: ['steps'] };

function unet(rng: Rng, timestepLayout: keyof typeof TIMESTEP_DIMS): Uint8Array {
  const { latentChannels: c, hidden } = TINY_SD;
  const g = new OnnxGraphBuilder('unet');
  const sample = g.input('sample', 'float32', ['batch_size', c, 'height', 'width']);
  const timestep = g.input('timestep', 'int64', TIMESTEP_DIMS[timestepLayout]);
  const context = g.input('encoder_hidden_states', 'float32', ['batch_size', 'sequence_length', hidden]);
  const kernel = g.initializer('conv_in.weight', gaussian(rng, c * c * 9, 0.2), [c, c, 3, 3]);
  const conv = g.node('Conv', [sample, kernel], { pads: [1, 1, 1, 1] });
  // The timestep and the text both move the output, so a wrong feed changes the result.
  const t = g.node('Reshape', [g.node('Cast', [timestep], { to: 1 }), g.constInt64([-1, 1, 1, 1])]);
  const tScale = g.node('Add', [g.constFloat([1], [1]), g.node('Mul', [t, g.constFloat([0.001], [1])])]);
  const text = g.node('Unsqueeze', [g.node('ReduceMean', [context], { axes: [1, 2], keepdims: 1 }), g.constInt64([3])]);
  g.output(g.node('Add', [g.node('Mul', [conv, tScale]), text]), 'out_sample', ['batch_size', c, 'height', 'width']);
  return g.toBytes();
}

function vaeDecoder(rng: Rng): Uint8Array {
  const { latentChannels: c } = TINY_SD;
  const g = new OnnxGraphBuilder('vae_decoder');
  const latents = g.input('latent_sample', 'float32', ['batch_size', c, 'latent_height', 'latent_width']);
  const kernel = g.initializer('decoder.up.weight', gaussian(rng, c * 3 * 64, 0.3), [c, 3, 8, 8]);
  const up = g.node('ConvTranspose', [latents, kernel], { strides: [8, 8], kernel_shape: [8, 8] });
  g.output(g.node('Tanh', [g.node('Mul', [up, g.constFloat([0.5], [1])])]), 'sample', ['batch_size', 3, 'height', 'width']);
  return g.toBytes();
}

const sig = (name: string, type: string, shape: Array<number | string>): OnnxSignatureEntry => ({ name, type, shape });

/** What {@link writeTinySdTurboPack} can change to make broken packs. */
export interface TinyPackOptions {
  /** Manifest id (default `tiny-sd-turbo`). */
  id?: string;
  /** Scheduler (default `euler`). */
  scheduler?: 'euler' | 'euler-ancestral';
  /** Guidance scale (default 0, as SD-Turbo). */
  guidanceScale?: number;
  /** `scalar` (default, Optimum's current export) or `steps` (older exports: shape [steps]). */
  timestepLayout?: keyof typeof TIMESTEP_DIMS;
  /** Edits the manifest before it is written. */
  editManifest?: (manifest: Record<string, unknown>) => void;
}

/**
 * Writes a tiny SD-Turbo pack into `dir` (text_encoder/model.onnx, unet/model.onnx,
 * vae_decoder/model.onnx, tokenizer/vocab.json + merges.txt, framewright-model.json with
 * hashes, sizes and signatures) and returns its manifest.
 */
export function writeTinySdTurboPack(dir: string, options: TinyPackOptions = {}): ModelManifest {
  const rng = new Rng(20240611);
  const vocab = tinyClipVocab();
  const { hidden, latentChannels: c } = TINY_SD;
  const files: Array<{ path: string; role: string; bytes: Uint8Array | string; inputs?: OnnxSignatureEntry[]; outputs?: OnnxSignatureEntry[] }> = [
    {
      path: 'text_encoder/model.onnx',
      role: 'text_encoder',
      bytes: textEncoder(rng, Object.keys(vocab).length),
      inputs: [sig('input_ids', 'int32', ['batch_size', 'sequence_length'])],
      outputs: [sig('last_hidden_state', 'float32', ['batch_size', 'sequence_length', hidden]), sig('pooler_output', 'float32', ['batch_size', hidden])],
    },
    {
      path: 'unet/model.onnx',
      role: 'unet',
      bytes: unet(rng, options.timestepLayout ?? 'scalar'),
      inputs: [
        sig('sample', 'float32', ['batch_size', c, 'height', 'width']),
        sig('timestep', 'int64', TIMESTEP_DIMS[options.timestepLayout ?? 'scalar']),
        sig('encoder_hidden_states', 'float32', ['batch_size', 'sequence_length', hidden]),
      ],
      outputs: [sig('out_sample', 'float32', ['batch_size', c, 'height', 'width'])],
    },
    {
      path: 'vae_decoder/model.onnx',
      role: 'vae_decoder',
      bytes: vaeDecoder(rng),
      inputs: [sig('latent_sample', 'float32', ['batch_size', c, 'latent_height', 'latent_width'])],
      outputs: [sig('sample', 'float32', ['batch_size', 3, 'height', 'width'])],
    },
    { path: 'tokenizer/vocab.json', role: 'vocab', bytes: JSON.stringify(vocab) },
    { path: 'tokenizer/merges.txt', role: 'merges', bytes: `#version: 0.2\n${TINY_MERGES.join('\n')}\n` },
  ];
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.bytes);
  }
  const manifest: ModelManifest = {
    manifestVersion: 1,
    id: options.id ?? 'tiny-sd-turbo',
    name: 'Tiny random-weight SD-Turbo layout (tests)',
    family: 'sd-turbo',
    task: 'text-to-image',
    licence: { name: 'MIT' },
    files: files.map((f) => {
      const bytes = typeof f.bytes === 'string' ? Buffer.from(f.bytes) : f.bytes;
      return {
        path: f.path,
        role: f.role,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size: bytes.length,
        ...(f.inputs === undefined ? {} : { inputs: f.inputs }),
        ...(f.outputs === undefined ? {} : { outputs: f.outputs }),
      };
    }),
    recommended: { width: TINY_SD.size, height: TINY_SD.size, steps: 1, guidanceScale: options.guidanceScale ?? 0, scheduler: options.scheduler ?? 'euler' },
    diffusion: {
      trainTimesteps: 1000,
      betaStart: 0.00085,
      betaEnd: 0.012,
      betaSchedule: 'scaled_linear',
      predictionType: 'epsilon',
      timestepSpacing: 'trailing',
      stepsOffset: 1,
      latentChannels: c,
      vaeScaleFactor: 8,
      vaeScalingFactor: 0.18215,
      maxTokens: TINY_SD.maxTokens,
      padToken: '!',
    },
  };
  const json = JSON.parse(JSON.stringify(manifest)) as Record<string, unknown>;
  options.editManifest?.(json);
  writeFileSync(join(dir, MODEL_MANIFEST_NAME), `${JSON.stringify(json, null, 2)}\n`);
  return manifest;
}


/**
 * Writes a `framewright-builtin` pack with random weights in the built-in model's format
 * (model.json + model.onnx: input `ids` [batch, 72] int32, output `output` [batch, 72, vocab]),
 * a one-block transformer of width 16 — the operation's built-in path without the shipped weights.
 */
export async function writeTinyBuiltinPack(dir: string, id = 'tiny-builtin'): Promise<ModelManifest> {
  await initTfjsBackend();
  const codebook = buildMaskCodebook();
  const vocab = new ShapesVocabulary(codebook).size;
  const model = new TransformerModel(
    { input: { kind: 'tokens', vocabSize: vocab }, positions: { kind: 'sincos2d', rows: GRID + 1, cols: GRID }, width: 16, heads: 2, ffnHidden: 32, activation: 'gelu', blocks: 1, outputSize: vocab },
    new Rng(3),
  );
  const { bytes } = exportToOnnx(model);
  model.dispose();
  mkdirSync(dir, { recursive: true });
  const modelInfo: BuiltinModelInfo = {
    id: 'framewright-shapes-32',
    nativeSize: 32,
    onnx: 'model.onnx',
    sequence: SEQUENCE,
    vocabularySize: vocab,
    codebook,
    sampling: { steps: 4, temperature: 1, choiceTemperature: 1, guidance: 1 },
    training: { note: 'random weights (tests)' },
  };
  const info = JSON.stringify(modelInfo);
  writeFileSync(join(dir, 'model.onnx'), bytes);
  writeFileSync(join(dir, 'model.json'), info);
  const hash = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
  const manifest: ModelManifest = {
    manifestVersion: 1,
    id,
    family: 'framewright-builtin',
    task: 'text-to-image',
    licence: { name: 'MIT' },
    files: [
      {
        path: 'model.onnx',
        role: 'model',
        sha256: hash(bytes),
        size: bytes.length,
        inputs: [sig('ids', 'int32', ['batch', 'seq'])],
        outputs: [sig('output', 'float32', ['batch', 'seq', vocab])],
      },
      { path: 'model.json', role: 'info', sha256: hash(info), size: Buffer.byteLength(info) },
    ],
    recommended: { width: 256, height: 256, steps: 4 },
  };
  writeFileSync(join(dir, MODEL_MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
