import { type TransformerModelConfig, conditioningWidth, textEncoderModelConfig } from '../model.js';
import type { PositionalConfig } from '../positional.js';
import { emitAdaLN, emitBlock, emitModulate, emitPatchEmbed, emitTimestepEmbedding } from './emit-blocks.js';
import { emitEmbedding, emitLayerNorm, emitPositional } from './emit-layers.js';
import { emitSpaceTimeBlock } from './emit-spacetime.js';
import { FramewrightError } from '../../protocol/errors.js';
import { childPrefix, type ExportValueSpec, type OnnxEmitter } from './emitter.js';

/** Graph values a whole model reads; which exist follows from its config and the export options. */
export interface ModelGraphInputs {
  /** Token ids, features or images. */
  input: string;
  /** Timestep `[batch]`. */
  timestep?: string;
  /** Context tokens `[batch, ctxSeq, contextWidth]`. */
  context?: string;
  /** Context padding mask `[batch, ctxSeq]`. */
  contextMask?: string;
  /** Key padding mask `[batch, seq]`. */
  mask?: string;
  /** Prompt token ids `[batch, promptSeq]` (models with `text`). */
  promptIds?: string;
  /** Prompt padding mask `[batch, promptSeq]` (models with `text`). */
  promptMask?: string;
}

/** Rank of a patch model's image input: video (5-D) when its positions are space-time. */
export function patchInputRank(config: TransformerModelConfig): 4 | 5 {
  return config.positions.kind === 'sincos3d' ? 5 : 4;
}

/**
 * The graph inputs of a model, in order: `ids` (int32 `[batch, seq]`), `features`
 * (`[batch, seq, features]`) or `images` (`[batch, height, width, channels]`, video with a frames
 * axis); then `timestep`, `context`, `context_mask` (or, for a model with its own prompt encoder,
 * `prompt_ids` int32 and `prompt_mask` `[batch, promptSeq]`), `mask` as the config and options ask.
 */
export function modelInputSpecs(config: TransformerModelConfig, withMask: boolean, withContextMask: boolean): ExportValueSpec[] {
  const specs: ExportValueSpec[] = [];
  const input = config.input;
  if (input.kind === 'tokens') specs.push({ name: 'ids', type: 'int32', dims: ['batch', 'seq'] });
  else if (input.kind === 'features') specs.push({ name: 'features', type: 'float32', dims: ['batch', 'seq', input.features] });
  else {
    const image = ['height', 'width', input.channels];
    specs.push({ name: 'images', type: 'float32', dims: ['batch', ...(patchInputRank(config) === 5 ? ['frames'] : []), ...image] });
  }
  if (config.timestep !== undefined) specs.push({ name: 'timestep', type: 'float32', dims: ['batch'] });
  if (config.text !== undefined) {
    specs.push({ name: 'prompt_ids', type: 'int32', dims: ['batch', 'promptSeq'] });
    specs.push({ name: 'prompt_mask', type: 'float32', dims: ['batch', 'promptSeq'] });
  } else if (config.context !== undefined) {
    specs.push({ name: 'context', type: 'float32', dims: ['batch', 'contextSeq', config.context.width] });
    if (withContextMask) specs.push({ name: 'context_mask', type: 'float32', dims: ['batch', 'contextSeq'] });
  }
  if (withMask) specs.push({ name: 'mask', type: 'float32', dims: ['batch', 'seq'] });
  return specs;
}

/** `TransformerModel.forward` without KV caches (see the model's class comment for the maths). */
export function emitModel(e: OnnxEmitter, prefix: string, config: TransformerModelConfig, inputs: ModelGraphInputs): string {
  const at = (name: string): string => childPrefix(prefix, name);
  const { width } = config;
  // Node names carry the component (`pos/Add_5`), so a run-time error says where it happened.
  const g = e.g;
  const input = config.input;
  let x = g.scoped('embed', () => {
    if (input.kind === 'tokens') return emitEmbedding(e, at('embed'), { vocabSize: input.vocabSize, width }, inputs.input);
    if (input.kind === 'features') return e.linear(at('embed'), inputs.input);
    return emitPatchEmbed(e, at('embed'), { patchSize: input.patchSize, channels: input.channels, width }, inputs.input, patchInputRank(config));
  });
  const positions = config.positions;
  if (positions.kind !== 'none') {
    const embedded = x;
    x = g.scoped('pos', () => emitPositional(e, at('pos'), { ...positions, width } as PositionalConfig, embedded));
  }
  const timestep = config.timestep;
  let cond =
    timestep === undefined || inputs.timestep === undefined
      ? undefined
      : g.scoped('time', () => emitTimestepEmbedding(e, at('time'), { frequencyDim: timestep.frequencyDim, width }, inputs.timestep!));
  let context = inputs.context;
  let contextMask = inputs.contextMask;
  const text = config.text;
  if (text !== undefined) {
    const { promptIds, promptMask } = inputs;
    if (promptIds === undefined || promptMask === undefined) throw new FramewrightError('INVALID_PARAMS', 'ONNX export: a model with a prompt encoder needs prompt_ids and prompt_mask inputs');
    const tokens = g.scoped('text', () => emitModel(e, at('text'), textEncoderModelConfig(text.encoder), { input: promptIds, mask: promptMask }));
    if (config.context !== undefined) {
      context = tokens;
      contextMask = promptMask;
    }
    if (text.pooled === true) {
      const pooled = g.scoped('textPool', () => e.linear(at('textPool'), emitMeanPool(e, tokens, promptMask)));
      cond = cond === undefined ? pooled : g.node('Add', [cond, pooled]);
    }
  }
  if ((cond === undefined) !== (conditioningWidth(config) === undefined)) throw new FramewrightError('INVALID_PARAMS', 'ONNX export: a conditioned model needs its timestep input');

  const blockConfig = {
    width,
    heads: config.heads,
    ffnHidden: config.ffnHidden,
    activation: config.activation,
    ...(config.eps === undefined ? {} : { eps: config.eps }),
    ...(config.context === undefined ? {} : { contextWidth: config.context.width }),
    ...(cond === undefined ? {} : { condWidth: width }),
  };
  const blockInputs = {
    ...(cond === undefined ? {} : { cond }),
    ...(context === undefined ? {} : { context }),
    ...(contextMask === undefined ? {} : { contextMask }),
  };
  const spaceTime = config.spaceTime;
  if (spaceTime !== undefined && inputs.mask !== undefined) throw new FramewrightError('INVALID_PARAMS', 'ONNX export: space-time models take no key padding mask');
  for (let i = 0; i < config.blocks; i++) {
    const h = x;
    x = g.scoped(`blocks.${i}`, () =>
      spaceTime === undefined
        ? emitBlock(e, at(`blocks.${i}`), blockConfig, h, { ...blockInputs, ...(inputs.mask === undefined ? {} : { mask: inputs.mask }), causal: config.causal === true })
        : emitSpaceTimeBlock(e, at(`blocks.${i}`), { ...blockConfig, frames: spaceTime.frames, ...(spaceTime.causalTime === undefined ? {} : { causalTime: spaceTime.causalTime }) }, h, blockInputs),
    );
  }
  let y = emitLayerNorm(e, at('norm'), { width, ...(config.eps === undefined ? {} : { eps: config.eps }), affine: cond === undefined }, x);
  if (cond !== undefined) {
    const [shift, scale] = emitAdaLN(e, at('finalAda'), { condWidth: width, width, chunks: 2 }, cond) as [string, string];
    y = emitModulate(e, y, shift, scale);
  }
  return config.outputSize === undefined ? y : e.linear(at('head'), y);
}

/** `meanPool`: Σ tokens·mask over the sequence / max(Σ mask, 1). */
function emitMeanPool(e: OnnxEmitter, tokens: string, mask: string): string {
  const g = e.g;
  const m = g.node('Unsqueeze', [mask, g.constInt64([2])]);
  const sum = g.node('ReduceSum', [g.node('Mul', [tokens, m]), g.constInt64([1])], { keepdims: 0 });
  const count = g.node('Max', [g.node('ReduceSum', [mask, g.constInt64([1])], { keepdims: 1 }), e.scalar(1)]);
  return g.node('Div', [sum, count]);
}

/** Output width of a model: its head's size, or the model width without a head. */
export function modelOutputWidth(config: TransformerModelConfig): number {
  return config.outputSize ?? config.width;
}
