import { FramewrightError } from '../../protocol/errors.js';
import type { BlockConfig } from '../block.js';
import type { AdaLNConfig, TimestepEmbeddingConfig } from '../conditioning.js';
import type { FeedForwardConfig } from '../feedforward.js';
import type { PatchConfig } from '../patch.js';
import { emitAttention } from './emit-attention.js';
import { emitLayerNorm } from './emit-layers.js';
import { childPrefix, type OnnxEmitter } from './emitter.js';

/** `FeedForward.forward`: `fc2(geluTanh(fc1(x)))` or `down(silu(gate(x)) ⊙ up(x))`. */
export function emitFeedForward(e: OnnxEmitter, prefix: string, config: FeedForwardConfig, x: string): string {
  const at = (name: string): string => childPrefix(prefix, name);
  if (config.activation === 'gelu') return e.linear(at('fc2'), e.geluTanh(e.linear(at('fc1'), x)));
  return e.linear(at('down'), e.g.node('Mul', [e.silu(e.linear(at('gate'), x)), e.linear(at('up'), x)]));
}

/**
 * `TimestepEmbedding.forward`: t `[batch]` → `[cos(t·ω) | sin(t·ω)]` → `fc2(silu(fc1(·)))`, with
 * ωᵢ = maxPeriod^(−i/half) computed in double and rounded to float32, as the tfjs table is.
 */
export function emitTimestepEmbedding(e: OnnxEmitter, prefix: string, config: TimestepEmbeddingConfig, t: string): string {
  const g = e.g;
  const half = config.frequencyDim / 2;
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.pow(config.maxPeriod ?? 10000, -i / half));
  const args = g.node('Mul', [g.node('Reshape', [t, g.constInt64([-1, 1])]), e.table(`${prefix}freqs`, freqs, [1, half])]);
  const features = g.node('Concat', [g.node('Cos', [args]), g.node('Sin', [args])], { axis: 1 });
  return e.linear(childPrefix(prefix, 'fc2'), e.silu(e.linear(childPrefix(prefix, 'fc1'), features)));
}

/** `AdaLNModulation.forward`: c `[batch, condWidth]` → `chunks` values `[batch, 1, width]`. */
export function emitAdaLN(e: OnnxEmitter, prefix: string, config: AdaLNConfig, cond: string): string[] {
  const g = e.g;
  const m = g.node('Reshape', [e.linear(childPrefix(prefix, 'linear'), e.silu(cond)), g.constInt64([-1, config.chunks, config.width])]);
  return Array.from({ length: config.chunks }, (_, i) => g.node('Slice', [m, g.constInt64([i]), g.constInt64([i + 1]), g.constInt64([1])]));
}

/** `modulate`: `x·(1 + scale) + shift`. */
export function emitModulate(e: OnnxEmitter, x: string, shift: string, scale: string): string {
  return e.g.node('Add', [e.g.node('Mul', [x, e.g.node('Add', [e.scalar(1), scale])]), shift]);
}

/** Graph values a transformer block reads besides x. */
export interface BlockGraphInputs {
  /** Conditioning vector `[batch, condWidth]` (conditioned blocks). */
  cond?: string;
  /** Context tokens `[batch, ctxSeq, contextWidth]` (blocks with cross-attention). */
  context?: string;
  /** Context padding mask `[batch, ctxSeq]`. */
  contextMask?: string;
  /** Key padding mask of x `[batch, seq]`. */
  mask?: string;
  /** Causal self-attention. */
  causal?: boolean;
}

/** `TransformerBlock.forward` without a KV cache (see the block's class comment for the maths). */
export function emitBlock(e: OnnxEmitter, prefix: string, config: BlockConfig, x: string, inputs: BlockGraphInputs): string {
  const g = e.g;
  const at = (name: string): string => childPrefix(prefix, name);
  const eps = config.eps;
  const conditioned = config.condWidth !== undefined;
  const norm = (name: string, h: string): string => emitLayerNorm(e, at(name), { width: config.width, ...(eps === undefined ? {} : { eps }), affine: !conditioned }, h);
  const attention = (h: string): string =>
    emitAttention(e, at('attn'), { width: config.width, heads: config.heads }, {
      x: h,
      ...(inputs.mask === undefined ? {} : { keyMask: inputs.mask }),
      causal: inputs.causal === true,
    });
  const ffn = (h: string): string => emitFeedForward(e, at('ffn'), { width: config.width, hidden: config.ffnHidden, activation: config.activation }, h);
  const crossAttend = (h: string): string => {
    if (config.contextWidth === undefined) return h;
    if (inputs.context === undefined) throw new FramewrightError('INVALID_PARAMS', 'ONNX export: a block with cross-attention needs a context input');
    const crossNorm = emitLayerNorm(e, at('crossNorm'), { width: config.width, ...(eps === undefined ? {} : { eps }) }, h);
    const out = emitAttention(e, at('cross'), { width: config.width, heads: config.heads, contextWidth: config.contextWidth }, {
      x: crossNorm,
      context: inputs.context,
      ...(inputs.contextMask === undefined ? {} : { keyMask: inputs.contextMask }),
    });
    return g.node('Add', [h, out]);
  };

  if (conditioned) {
    if (inputs.cond === undefined) throw new FramewrightError('INVALID_PARAMS', 'ONNX export: a conditioned block needs a cond input');
    const [sA, cA, gA, sF, cF, gF] = emitAdaLN(e, at('ada'), { condWidth: config.condWidth!, width: config.width, chunks: 6 }, inputs.cond) as [string, string, string, string, string, string];
    let h = g.node('Add', [x, g.node('Mul', [gA, attention(emitModulate(e, norm('attnNorm', x), sA, cA))])]);
    h = crossAttend(h);
    return g.node('Add', [h, g.node('Mul', [gF, ffn(emitModulate(e, norm('ffnNorm', h), sF, cF))])]);
  }
  let h = g.node('Add', [x, attention(norm('attnNorm', x))]);
  h = crossAttend(h);
  return g.node('Add', [h, ffn(norm('ffnNorm', h))]);
}

/**
 * `patchify` + `PatchEmbed.forward` on images `[batch, h, w, c]` or video `[batch, frames, h, w, c]`,
 * with every size read at run time: reshape to `[·, p, w/p, p·c]`, swap axes 1 and 2, reshape to
 * `[batch, tokens, p·p·c]`, project.
 */
export function emitPatchEmbed(e: OnnxEmitter, prefix: string, config: PatchConfig, images: string, rank: 4 | 5): string {
  const g = e.g;
  const p = config.patchSize;
  const c = config.channels;
  const colsAcross = g.node('Div', [e.dim(images, rank - 2), g.constInt64([p])]);
  const rows = g.node('Reshape', [images, g.node('Concat', [g.constInt64([-1, p]), colsAcross, g.constInt64([p * c])], { axis: 0 })]);
  const swapped = g.node('Transpose', [rows], { perm: [0, 2, 1, 3] });
  const tokens = g.node('Reshape', [swapped, g.node('Concat', [e.dim(images, 0), g.constInt64([-1, p * p * c])], { axis: 0 })]);
  return e.linear(childPrefix(prefix, 'proj'), tokens);
}
