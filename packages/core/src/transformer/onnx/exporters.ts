import { MultiHeadAttention } from '../attention.js';
import { TransformerBlock } from '../block.js';
import { AdaLNModulation, TimestepEmbedding } from '../conditioning.js';
import { FeedForward } from '../feedforward.js';
import { Embedding, LayerNorm, Linear } from '../layers.js';
import { TransformerModel, textEncoderModelConfig } from '../model.js';
import type { Module } from '../module.js';
import { PatchEmbed, PatchUnembed } from '../patch.js';
import { PositionalEncoding } from '../positional.js';
import { PromptEncoder } from '../text.js';
import { emitAttention } from './emit-attention.js';
import { emitAdaLN, emitBlock, emitFeedForward, emitPatchEmbed, emitTimestepEmbedding } from './emit-blocks.js';
import { emitModel, modelInputSpecs, modelOutputWidth } from './emit-model.js';
import { emitEmbedding, emitLayerNorm, emitLinear, emitPositional } from './emit-layers.js';
import type { ExportValueSpec, OnnxEmitter } from './emitter.js';

/** Options of {@link exportToOnnx}. Component-specific ones are ignored by other components. */
export interface OnnxExportOptions {
  /** ONNX opset (17–21; default 17). 20+ writes GELU as the `Gelu` operator. */
  opset?: number;
  /** Attention: mask future keys (query i sees keys j ≤ i). */
  causal?: boolean;
  /**
   * Add a key padding mask input, float32, 1 = attend, 0 = padding: `key_mask` `[batch, kvSeq]`
   * for an attention layer, `mask` `[batch, seq]` for a block or model.
   */
  keyMask?: boolean;
  /** Blocks and models with cross-attention: add a `context_mask` input `[batch, contextSeq]`. */
  contextMask?: boolean;
  /** PatchEmbed: take video `[batch, frames, h, w, c]` instead of images `[batch, h, w, c]`. */
  video?: boolean;
}

/**
 * How one component class becomes a graph: its inputs, its output and the emitter that
 * rebuilds its forward pass.
 */
export interface ComponentExporter<M extends Module<unknown> = Module<unknown>> {
  /** Name in errors and metadata (the class name). */
  kind: string;
  /** True for instances of the component class. */
  matches(component: Module<unknown>): boolean;
  /** Graph inputs, in order. */
  inputs(component: M, options: OnnxExportOptions): ExportValueSpec[];
  /** The graph output. */
  output(component: M, options: OnnxExportOptions): Omit<ExportValueSpec, 'type'>;
  /** Emits the forward pass reading `inputs` (same order as {@link ComponentExporter.inputs}). */
  emit(e: OnnxEmitter, component: M, inputs: string[], options: OnnxExportOptions): string;
}

function define<M extends Module<unknown>>(ctor: abstract new (...args: never[]) => M, exporter: Omit<ComponentExporter<M>, 'kind' | 'matches'>): ComponentExporter {
  return { kind: ctor.name, matches: (c) => c instanceof ctor, ...exporter } as ComponentExporter;
}

const seqInput = (width: number): ExportValueSpec => ({ name: 'x', type: 'float32', dims: ['batch', 'seq', width] });
const seqOutput = (width: number, name = 'y'): Omit<ExportValueSpec, 'type'> => ({ name, dims: ['batch', 'seq', width] });

/** Inputs named in `specs`, by name, from the graph values created for them. */
function byName(specs: ExportValueSpec[], values: string[]): Record<string, string> {
  return Object.fromEntries(specs.map((s, i) => [s.name, values[i]!]));
}

function blockInputSpecs(m: TransformerBlock, o: OnnxExportOptions): ExportValueSpec[] {
  const c = m.config;
  return [
    seqInput(c.width),
    ...(c.condWidth === undefined ? [] : [{ name: 'cond', type: 'float32' as const, dims: ['batch', c.condWidth] }]),
    ...(c.contextWidth === undefined ? [] : [{ name: 'context', type: 'float32' as const, dims: ['batch', 'contextSeq', c.contextWidth] }]),
    ...(c.contextWidth !== undefined && o.contextMask === true ? [{ name: 'context_mask', type: 'float32' as const, dims: ['batch', 'contextSeq'] }] : []),
    ...(o.keyMask === true ? [{ name: 'mask', type: 'float32' as const, dims: ['batch', 'seq'] }] : []),
  ];
}

/** Every exportable component class. The first match wins, so subclasses go before their bases. */
export const COMPONENT_EXPORTERS: readonly ComponentExporter[] = Object.freeze([
  define(Linear, {
    inputs: (m) => [seqInput(m.config.inFeatures)],
    output: (m) => ({ name: 'y', dims: ['batch', 'seq', m.config.outFeatures] }),
    emit: (e, m, [x]) => emitLinear(e, '', m.config, x!),
  }),
  define(LayerNorm, {
    inputs: (m) => [seqInput(m.config.width)],
    output: (m) => ({ name: 'y', dims: ['batch', 'seq', m.config.width] }),
    emit: (e, m, [x]) => emitLayerNorm(e, '', m.config, x!),
  }),
  define(Embedding, {
    inputs: () => [{ name: 'ids', type: 'int32', dims: ['batch', 'seq'] }],
    output: (m) => ({ name: 'y', dims: ['batch', 'seq', m.config.width] }),
    emit: (e, m, [ids]) => emitEmbedding(e, '', m.config, ids!),
  }),
  define(PositionalEncoding, {
    inputs: (m) => [seqInput(m.config.width)],
    output: (m) => ({ name: 'y', dims: ['batch', 'seq', m.config.width] }),
    emit: (e, m, [x]) => emitPositional(e, '', m.config, x!),
  }),
  define(MultiHeadAttention, {
    inputs: (m, o) => {
      const cross = m.config.contextWidth !== undefined;
      const kv = cross ? 'kvSeq' : 'seq';
      return [
        seqInput(m.config.width),
        ...(cross ? [{ name: 'context', type: 'float32' as const, dims: ['batch', 'kvSeq', m.config.contextWidth!] }] : []),
        ...(o.keyMask === true ? [{ name: 'key_mask', type: 'float32' as const, dims: ['batch', kv] }] : []),
      ];
    },
    output: (m) => ({ name: 'y', dims: ['batch', 'seq', m.config.width] }),
    emit: (e, m, inputs, o) => {
      const cross = m.config.contextWidth !== undefined;
      return emitAttention(e, '', m.config, {
        x: inputs[0]!,
        ...(cross ? { context: inputs[1]! } : {}),
        ...(o.keyMask === true ? { keyMask: inputs[cross ? 2 : 1]! } : {}),
        causal: o.causal === true,
      });
    },
  }),
  define(FeedForward, {
    inputs: (m) => [seqInput(m.config.width)],
    output: (m) => seqOutput(m.config.width),
    emit: (e, m, [x]) => emitFeedForward(e, '', m.config, x!),
  }),
  define(TimestepEmbedding, {
    inputs: () => [{ name: 'timestep', type: 'float32', dims: ['batch'] }],
    output: (m) => ({ name: 'y', dims: ['batch', m.config.width] }),
    emit: (e, m, [t]) => emitTimestepEmbedding(e, '', m.config, t!),
  }),
  define(AdaLNModulation, {
    // The chunks leave as one tensor [batch, chunks, width] (chunk i = y[:, i:i+1, :]).
    inputs: (m) => [{ name: 'cond', type: 'float32', dims: ['batch', m.config.condWidth] }],
    output: (m) => ({ name: 'y', dims: ['batch', m.config.chunks, m.config.width] }),
    emit: (e, m, [c]) => e.g.node('Concat', emitAdaLN(e, '', m.config, c!), { axis: 1 }),
  }),
  define(TransformerBlock, {
    inputs: blockInputSpecs,
    output: (m) => seqOutput(m.config.width),
    emit: (e, m, values, o) => {
      const v = byName(blockInputSpecs(m, o), values);
      return emitBlock(e, '', m.config, v.x!, {
        ...(v.cond === undefined ? {} : { cond: v.cond }),
        ...(v.context === undefined ? {} : { context: v.context }),
        ...(v.context_mask === undefined ? {} : { contextMask: v.context_mask }),
        ...(v.mask === undefined ? {} : { mask: v.mask }),
        causal: o.causal === true,
      });
    },
  }),
  define(PatchEmbed, {
    inputs: (m, o) => [{ name: 'images', type: 'float32', dims: ['batch', ...(o.video === true ? ['frames'] : []), 'height', 'width', m.config.channels] }],
    output: (m) => ({ name: 'y', dims: ['batch', 'tokens', m.config.width] }),
    emit: (e, m, [images], o) => emitPatchEmbed(e, '', m.config, images!, o.video === true ? 5 : 4),
  }),
  define(PatchUnembed, {
    inputs: (m) => [{ name: 'x', type: 'float32', dims: ['batch', 'tokens', m.config.width] }],
    output: (m) => ({ name: 'y', dims: ['batch', 'tokens', m.config.patchSize * m.config.patchSize * m.config.channels] }),
    emit: (e, _m, [x]) => e.linear('proj.', x!),
  }),
  define(TransformerModel, {
    inputs: (m, o) => modelInputSpecs(m.config, o.keyMask === true, o.contextMask === true),
    output: (m) => ({ name: 'output', dims: ['batch', m.config.input.kind === 'patches' ? 'tokens' : 'seq', modelOutputWidth(m.config)] }),
    emit: (e, m, values, o) => {
      const v = byName(modelInputSpecs(m.config, o.keyMask === true, o.contextMask === true), values);
      return emitModel(e, '', m.config, {
        input: values[0]!,
        ...(v.timestep === undefined ? {} : { timestep: v.timestep }),
        ...(v.context === undefined ? {} : { context: v.context }),
        ...(v.context_mask === undefined ? {} : { contextMask: v.context_mask }),
        ...(v.mask === undefined ? {} : { mask: v.mask }),
        ...(v.prompt_ids === undefined ? {} : { promptIds: v.prompt_ids }),
        ...(v.prompt_mask === undefined ? {} : { promptMask: v.prompt_mask }),
      });
    },
  }),
  define(PromptEncoder, {
    inputs: () => [
      { name: 'ids', type: 'int32', dims: ['batch', 'seq'] },
      { name: 'mask', type: 'float32', dims: ['batch', 'seq'] },
    ],
    output: (m) => seqOutput(m.config.width, 'tokens'),
    emit: (e, m, [ids, mask]) => emitModel(e, 'encoder.', textEncoderModelConfig(m.config), { input: ids!, mask: mask! }),
  }),
]);

