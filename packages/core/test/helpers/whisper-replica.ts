// A tiny random-weight replica of Whisper's Optimum ONNX export (see src/models/speech-to-text.ts
// and docs/subtitles.md), in the split layout: encoder_model.onnx (`input_features` [batch, 80,
// 3000] → `last_hidden_state` [batch, 1500, d]), decoder_model.onnx (`input_ids`,
// `encoder_hidden_states` → `logits`, `present.{i}.decoder|encoder.key|value`) and
// decoder_with_past_model.onnx (`input_ids`, `past_key_values.{i}.*` → `logits`,
// `present.{i}.decoder.*`; like real exports it does not take `encoder_hidden_states`). A real
// decoder: token + learned positions, causal self-attention over the cache, cross-attention over
// the encoder output, a feed-forward block, logits tied to the token embedding.
//
// `script` makes its outputs the test's: a successor table (token id → next token id) whose
// one-hot, scaled by 50, is added to the logits, so greedy decoding follows the script while the
// random network (and its cache) still runs underneath. Token ids come from a small vocabulary
// laid out like Whisper's (text, <|endoftext|>, <|startoftranscript|>, languages, tasks,
// <|notimestamps|>, then 1501 timestamp tokens).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_MANIFEST_NAME } from '../../src/models/index.js';
import { encodeOnnxModel, ONNX_ATTRIBUTE_TYPE, ONNX_DATA_TYPE, OnnxGraphBuilder, type OnnxModel } from '../../src/onnx/index.js';
import { Rng } from '../../src/transformer/index.js';

/** The words of the replica's vocabulary, ids 0…; each is one token with a leading space (Ġ). */
export const REPLICA_WORDS = [
  'hello', 'world', 'this', 'is', 'a', 'test', 'of', 'the', 'caption', 'maker', 'it', 'speaks', 'slowly', 'and', 'then', 'stops',
  'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'again', 'we', 'are', 'done', 'now', 'good',
] as const;
/** Punctuation tokens, after the words. */
export const REPLICA_PUNCTUATION = ['.', ',', '?'] as const;

/** Token ids of the multilingual replica (English-only shifts the specials, see {@link replicaIds}). */
export interface ReplicaIds {
  readonly eos: number;
  readonly start: number;
  readonly languages: Readonly<Record<string, number>>;
  readonly translate?: number;
  readonly transcribe?: number;
  readonly noTimestamps: number;
  readonly timestampBegin: number;
  readonly vocab: number;
}

/** Ids of the replica's specials: multilingual (en, fr, de; both tasks) or English-only. */
export function replicaIds(multilingual = true): ReplicaIds {
  const eos = 100;
  if (!multilingual) return { eos, start: eos + 1, languages: {}, noTimestamps: eos + 2, timestampBegin: eos + 3, vocab: eos + 3 + 1501 };
  return { eos, start: 101, languages: { en: 102, fr: 103, de: 104 }, translate: 105, transcribe: 106, noTimestamps: 107, timestampBegin: 108, vocab: 108 + 1501 };
}

/** The id of a word or punctuation token. */
export function wordId(word: string): number {
  const w = (REPLICA_WORDS as readonly string[]).indexOf(word);
  if (w >= 0) return w;
  const p = (REPLICA_PUNCTUATION as readonly string[]).indexOf(word);
  if (p >= 0) return REPLICA_WORDS.length + p;
  throw new Error(`no replica token for ${word}`);
}

/** Sizes of the replica. */
export const REPLICA_DIMS = Object.freeze({ melBins: 80, d: 8, heads: 2, headDim: 4, layers: 2, positions: 448 });

export interface WhisperReplicaOptions {
  readonly seed?: number;
  readonly multilingual?: boolean;
  /** Successor table: after token `key` the argmax is token `value`. */
  readonly script?: ReadonlyMap<number, number>;
  /** Mel bins the encoder declares (80; 128 for large-v3). */
  readonly melBins?: number;
  /** split (default): decoder_model.onnx + decoder_with_past_model.onnx; merged: decoder_model_merged.onnx with use_cache_branch. */
  readonly layout?: 'split' | 'merged';
}

/** The replica's files, by name. */
export type WhisperReplicaFiles = Partial<Record<WhisperReplicaFile, Uint8Array>>;
type WhisperReplicaFile = 'encoder_model.onnx' | 'decoder_model.onnx' | 'decoder_with_past_model.onnx' | 'decoder_model_merged.onnx' | 'generation_config.json' | 'vocab.json';

/** Builds the replica's ONNX files, generation_config.json and vocab.json. */
export function buildWhisperReplica(options: WhisperReplicaOptions = {}): WhisperReplicaFiles {
  const rng = new Rng(options.seed ?? 19);
  const ids = replicaIds(options.multilingual ?? true);
  const { d, heads, headDim, layers, positions } = REPLICA_DIMS;
  const melBins = options.melBins ?? REPLICA_DIMS.melBins;
  const random = (count: number, scale: number) => Float32Array.from({ length: count }, () => (rng.float() * 2 - 1) * scale);
  const weights = {
    conv: random(d * melBins * 3, 0.05),
    convBias: random(d, 0.1),
    encoderPos: random(1500 * d, 0.1),
    embed: random(ids.vocab * d, 0.5),
    pos: random(positions * d, 0.3),
    layers: Array.from({ length: layers }, () => ({
      q: random(d * d, 0.4), k: random(d * d, 0.4), v: random(d * d, 0.4), o: random(d * d, 0.4),
      cq: random(d * d, 0.4), ck: random(d * d, 0.4), cv: random(d * d, 0.4), co: random(d * d, 0.4),
      up: random(d * 2 * d, 0.4), down: random(2 * d * d, 0.4),
    })),
  };
  const embedT = new Float32Array(d * ids.vocab);
  for (let t = 0; t < ids.vocab; t++) for (let j = 0; j < d; j++) embedT[j * ids.vocab + t] = weights.embed[t * d + j]!;

  const encoder = new OnnxGraphBuilder('whisper-encoder-replica');
  {
    const g = encoder;
    const x = g.input('input_features', 'float32', ['batch_size', melBins, 3000]);
    const conv = g.node('Conv', [x, g.initializer('conv1.weight', weights.conv, [d, melBins, 3]), g.initializer('conv1.bias', weights.convBias, [d])], { strides: [2], pads: [1, 1] });
    const h = g.node('Add', [g.node('Transpose', [g.node('Tanh', [conv])], { perm: [0, 2, 1] }), g.initializer('embed_positions', weights.encoderPos, [1500, d])]);
    g.output(h, 'last_hidden_state', ['batch_size', 1500, d]);
  }

  // `branch` builds the graph as a body of the merged decoder's If: names prefixed, no inputs of
  // its own (it reads the outer graph's), and the with-past body passes the encoder cache through.
  const decoderGraph = (withPast: boolean, branch?: string): OnnxModel => {
    const g = new OnnxGraphBuilder(withPast ? 'whisper-decoder-with-past-replica' : 'whisper-decoder-replica');
    const pre = branch ?? '';
    const inp = (name: string, type: 'float32' | 'int64', dims: (number | string)[]) => (branch === undefined ? g.input(name, type, dims) : name);
    return g.scoped(branch ?? 'decoder', () => {
    const inputIds = inp('input_ids', 'int64', ['batch_size', 'decoder_sequence_length']);
    const encoderStates = withPast ? undefined : inp('encoder_hidden_states', 'float32', ['batch_size', 'encoder_sequence_length', d]);
    const past: Record<string, string> = {};
    if (withPast) {
      for (let l = 0; l < layers; l++) {
        for (const kind of ['key', 'value']) past[`${l}.decoder.${kind}`] = inp(`past_key_values.${l}.decoder.${kind}`, 'float32', ['batch_size', heads, 'past_decoder_sequence_length', headDim]);
        for (const kind of ['key', 'value']) past[`${l}.encoder.${kind}`] = inp(`past_key_values.${l}.encoder.${kind}`, 'float32', ['batch_size', heads, 'encoder_sequence_length_out', headDim]);
      }
    }
    const scalar = (shapeOf: string, axis: number) => g.node('Gather', [g.node('Shape', [shapeOf]), g.constInt64([axis], [])], { axis: 0 });
    const pastLength = withPast ? scalar(past['0.decoder.key']!, 2) : g.constInt64([0], []);
    const seq = scalar(inputIds, 1);
    const one = g.constInt64([1], []);
    const total = g.node('Add', [pastLength, seq]);
    const queryPositions = g.node('Range', [pastLength, total, one]);
    const keyPositions = g.node('Range', [g.constInt64([0], []), total, one]);
    const future = g.node('Greater', [g.node('Unsqueeze', [keyPositions, g.constInt64([0])]), g.node('Unsqueeze', [queryPositions, g.constInt64([1])])]);
    const mask = g.node('Where', [future, g.constFloat([-1e9], []), g.constFloat([0], [])]);
    const embed = g.initializer(`${pre}embed_tokens.weight`, weights.embed, [ids.vocab, d]);
    let h = g.node('Add', [g.node('Gather', [embed, inputIds], { axis: 0 }), g.node('Gather', [g.initializer(`${pre}embed_positions.weight`, weights.pos, [positions, d]), queryPositions], { axis: 0 })]);
    const splitHeads = (x: string) => g.node('Transpose', [g.node('Reshape', [x, g.constInt64([0, 0, heads, headDim])])], { perm: [0, 2, 1, 3] });
    const mergeHeads = (x: string) => g.node('Reshape', [g.node('Transpose', [x], { perm: [0, 2, 1, 3] }), g.constInt64([0, 0, d])]);
    const attend = (q: string, k: string, v: string, addMask?: string) => {
      let scores = g.node('Mul', [g.node('MatMul', [q, g.node('Transpose', [k], { perm: [0, 1, 3, 2] })]), g.constFloat([1 / Math.sqrt(headDim)], [])]);
      if (addMask !== undefined) scores = g.node('Add', [scores, addMask]);
      return g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), v]);
    };
    weights.layers.forEach((w, l) => {
      g.scoped(`layers.${l}`, () => {
        const lin = (x: string, name: string, m: Float32Array, inDim: number = d, outDim: number = d) => g.node('MatMul', [x, g.initializer(`${pre}layers.${l}.${name}`, m, [inDim, outDim])]);
        const q = splitHeads(lin(h, 'self_attn.q_proj', w.q));
        let k = splitHeads(lin(h, 'self_attn.k_proj', w.k));
        let v = splitHeads(lin(h, 'self_attn.v_proj', w.v));
        if (withPast) {
          k = g.node('Concat', [past[`${l}.decoder.key`]!, k], { axis: 2 });
          v = g.node('Concat', [past[`${l}.decoder.value`]!, v], { axis: 2 });
        }
        g.output(k, `${pre}present.${l}.decoder.key`, ['batch_size', heads, withPast ? 'past_decoder_sequence_length + 1' : 'decoder_sequence_length', headDim]);
        g.output(v, `${pre}present.${l}.decoder.value`, ['batch_size', heads, withPast ? 'past_decoder_sequence_length + 1' : 'decoder_sequence_length', headDim]);
        h = g.node('Add', [h, lin(mergeHeads(attend(q, k, v, mask)), 'self_attn.out_proj', w.o)]);
        let ck: string;
        let cv: string;
        if (withPast) {
          ck = past[`${l}.encoder.key`]!;
          cv = past[`${l}.encoder.value`]!;
          if (branch !== undefined) {
            g.output(ck, `${pre}present.${l}.encoder.key`, ['batch_size', heads, 'encoder_sequence_length_out', headDim]);
            g.output(cv, `${pre}present.${l}.encoder.value`, ['batch_size', heads, 'encoder_sequence_length_out', headDim]);
          }
        } else {
          ck = splitHeads(lin(encoderStates!, 'encoder_attn.k_proj', w.ck));
          cv = splitHeads(lin(encoderStates!, 'encoder_attn.v_proj', w.cv));
          g.output(ck, `${pre}present.${l}.encoder.key`, ['batch_size', heads, 'encoder_sequence_length_out', headDim]);
          g.output(cv, `${pre}present.${l}.encoder.value`, ['batch_size', heads, 'encoder_sequence_length_out', headDim]);
        }
        h = g.node('Add', [h, lin(mergeHeads(attend(splitHeads(lin(h, 'encoder_attn.q_proj', w.cq)), ck, cv)), 'encoder_attn.out_proj', w.co)]);
        h = g.node('Add', [h, lin(g.node('Tanh', [lin(h, 'fc1', w.up, d, 2 * d)]), 'fc2', w.down, 2 * d, d)]);
      });
    });
    let logits = g.node('MatMul', [h, g.initializer(`${pre}proj_out.weight`, embedT, [d, ids.vocab])]);
    if (options.script !== undefined) {
      const successor = new BigInt64Array(ids.vocab).fill(BigInt(ids.vocab)); // out of range: no bias
      for (const [from, to] of options.script) successor[from] = BigInt(to);
      const next = g.node('Gather', [g.initializer(`${pre}script.successor`, successor, [ids.vocab]), inputIds], { axis: 0 });
      logits = g.node('Add', [logits, g.node('OneHot', [next, g.constInt64([ids.vocab], []), g.constFloat([0, 50])], { axis: -1 })]);
    }
    g.output(logits, `${pre}logits`, ['batch_size', 'decoder_sequence_length', ids.vocab]);
    return g.toModel({ opset: 17, docString: 'random-weight replica of the Whisper Optimum decoder interface (tests only)' });
    });
  };

  // decoder_model_merged.onnx as Optimum merges it: one If on use_cache_branch over both decoders.
  const mergedDecoder = (): Uint8Array => {
    const withCache = decoderGraph(true, 'cache.');
    const fresh = decoderGraph(false, 'fresh.');
    const plain = (name: string) => name.replace(/^fresh\./, '');
    const outputs = fresh.graph.output.map((o) => ({ ...o, name: plain(o.name) }));
    const inputs = [...decoderGraph(true).graph.input];
    inputs.splice(1, 0, decoderGraph(false).graph.input[1]!);
    inputs.push({ name: 'use_cache_branch', type: { tensorType: { elemType: ONNX_DATA_TYPE.BOOL, shape: { dim: [{ dimValue: 1 }] } } } });
    const model: OnnxModel = {
      ...fresh,
      graph: {
        name: 'whisper-decoder-merged-replica',
        node: [{
          name: 'optimum::if',
          opType: 'If',
          input: ['use_cache_branch'],
          output: outputs.map((o) => o.name),
          attribute: [
            { name: 'then_branch', type: ONNX_ATTRIBUTE_TYPE.GRAPH, g: { ...withCache.graph, input: [] } },
            { name: 'else_branch', type: ONNX_ATTRIBUTE_TYPE.GRAPH, g: { ...fresh.graph, input: [] } },
          ],
        }],
        initializer: [],
        input: inputs,
        output: outputs,
      },
    };
    return encodeOnnxModel(model);
  };

  const vocab: Record<string, number> = {};
  REPLICA_WORDS.forEach((w, i) => (vocab[`Ġ${w}`] = i));
  REPLICA_PUNCTUATION.forEach((p, i) => (vocab[p] = REPLICA_WORDS.length + i));
  vocab['<|endoftext|>'] = ids.eos;
  const generation = {
    decoder_start_token_id: ids.start,
    eos_token_id: ids.eos,
    no_timestamps_token_id: ids.noTimestamps,
    max_initial_timestamp_index: 50,
    max_length: 448,
    is_multilingual: options.multilingual ?? true,
    ...(options.multilingual === false
      ? {}
      : { lang_to_id: Object.fromEntries(Object.entries(ids.languages).map(([code, id]) => [`<|${code}|>`, id])), task_to_id: { translate: ids.translate, transcribe: ids.transcribe } }),
  };
  const text = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 2));
  return {
    'encoder_model.onnx': encoder.toBytes({ opset: 17, docString: 'random-weight replica of the Whisper Optimum encoder interface (tests only)' }),
    ...(options.layout === 'merged'
      ? { 'decoder_model_merged.onnx': mergedDecoder() }
      : { 'decoder_model.onnx': encodeOnnxModel(decoderGraph(false)), 'decoder_with_past_model.onnx': encodeOnnxModel(decoderGraph(true)) }),
    'generation_config.json': text(generation),
    'vocab.json': text(vocab),
  };
}

const ROLES: Record<WhisperReplicaFile, string> = {
  'encoder_model.onnx': 'encoder',
  'decoder_model_merged.onnx': 'decoder',
  'decoder_model.onnx': 'decoder',
  'decoder_with_past_model.onnx': 'decoder_with_past',
  'generation_config.json': 'generation_config',
  'vocab.json': 'vocab',
};

/** Writes the replica as a speech-to-text pack into `dir` and returns `dir`. */
export function writeWhisperReplicaPack(dir: string, files: WhisperReplicaFiles, id = 'tiny-whisper'): string {
  mkdirSync(dir, { recursive: true });
  const listed = Object.entries(files).map(([path, bytes]: [string, Uint8Array]) => {
    writeFileSync(join(dir, path), bytes);
    return { path, role: ROLES[path as WhisperReplicaFile], size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
  const manifest = { manifestVersion: 1, id, name: 'Whisper interface replica (random weights)', family: 'speech-to-text', task: 'speech-to-text', licence: { name: 'MIT' }, files: listed };
  writeFileSync(join(dir, MODEL_MANIFEST_NAME), JSON.stringify(manifest, null, 2));
  return dir;
}
