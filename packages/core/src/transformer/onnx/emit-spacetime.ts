import { FramewrightError } from '../../protocol/errors.js';
import type { SpaceTimeBlockConfig } from '../spacetime.js';
import { emitAttention } from './emit-attention.js';
import { type BlockGraphInputs, emitAdaLN, emitFeedForward, emitModulate } from './emit-blocks.js';
import { emitLayerNorm } from './emit-layers.js';
import { childPrefix, type OnnxEmitter } from './emitter.js';

/**
 * `SpaceTimeBlock.forward` (see the block's class comment for the maths): x `[batch, frames·tokens,
 * width]`, frame-major. Space attention runs on `[batch·frames, tokens, width]`, time attention on
 * `[batch·tokens, frames, width]` (one 4-D transpose each way, as in tfjs); batch and tokens per
 * frame are read at run time, frames is the config's.
 */
export function emitSpaceTimeBlock(e: OnnxEmitter, prefix: string, config: SpaceTimeBlockConfig, x: string, inputs: Omit<BlockGraphInputs, 'mask' | 'causal'>): string {
  const g = e.g;
  const at = (name: string): string => childPrefix(prefix, name);
  const { width, heads, frames, eps } = config;
  const conditioned = config.condWidth !== undefined;
  const norm = (name: string, h: string): string => emitLayerNorm(e, at(name), { width, ...(eps === undefined ? {} : { eps }), affine: !conditioned }, h);
  let mods: string[] | undefined;
  if (conditioned) {
    if (inputs.cond === undefined) throw new FramewrightError('INVALID_PARAMS', 'ONNX export: a conditioned space-time block needs a cond input');
    mods = emitAdaLN(e, at('ada'), { condWidth: config.condWidth!, width, chunks: 9 }, inputs.cond);
  }
  const pre = (name: string, h: string, i: number): string => (mods === undefined ? norm(name, h) : emitModulate(e, norm(name, h), mods[i]!, mods[i + 1]!));
  const gate = (h: string, i: number): string => (mods === undefined ? h : g.node('Mul', [mods[i + 2]!, h]));

  const batch = e.dim(x, 0);
  const byFrame = (h: string): string => g.node('Reshape', [h, g.constInt64([0, frames, -1, width])]); // [batch, frames, tokens, width]
  const framesFirst = byFrame(pre('spaceNorm', x, 0));
  const tokens = e.dim(framesFirst, 2);
  const spaceIn = g.node('Reshape', [framesFirst, g.node('Concat', [g.constInt64([-1]), tokens, g.constInt64([width])], { axis: 0 })]);
  const space = emitAttention(e, at('space'), { width, heads }, { x: spaceIn });
  const flat = g.node('Concat', [batch, g.constInt64([-1, width])], { axis: 0 });
  let h = g.node('Add', [x, gate(g.node('Reshape', [space, flat]), 0)]);

  const byPosition = g.node('Reshape', [g.node('Transpose', [byFrame(pre('timeNorm', h, 3))], { perm: [0, 2, 1, 3] }), g.constInt64([-1, frames, width])]);
  const time = emitAttention(e, at('time'), { width, heads }, { x: byPosition, causal: config.causalTime === true });
  const positionsFirst = g.node('Reshape', [time, g.node('Concat', [batch, g.constInt64([-1, frames, width])], { axis: 0 })]);
  h = g.node('Add', [h, gate(g.node('Reshape', [g.node('Transpose', [positionsFirst], { perm: [0, 2, 1, 3] }), flat]), 3)]);

  if (config.contextWidth !== undefined) {
    if (inputs.context === undefined) throw new FramewrightError('INVALID_PARAMS', 'ONNX export: a space-time block with cross-attention needs a context input');
    const crossNorm = emitLayerNorm(e, at('crossNorm'), { width, ...(eps === undefined ? {} : { eps }) }, h);
    const cross = emitAttention(e, at('cross'), { width, heads, contextWidth: config.contextWidth }, {
      x: crossNorm,
      context: inputs.context,
      ...(inputs.contextMask === undefined ? {} : { keyMask: inputs.contextMask }),
    });
    h = g.node('Add', [h, cross]);
  }
  const ffn = emitFeedForward(e, at('ffn'), { width, hidden: config.ffnHidden, activation: config.activation }, pre('ffnNorm', h, 6));
  return g.node('Add', [h, gate(ffn, 6)]);
}
