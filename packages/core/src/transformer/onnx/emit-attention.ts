import type { AttentionConfig } from '../attention.js';
import { MASK_VALUE } from '../ops.js';
import { childPrefix, type OnnxEmitter } from './emitter.js';

/** Graph values an attention emitter reads. */
export interface AttentionInputs {
  /** Queries source `[batch, seq, width]`. */
  x: string;
  /** Keys/values source `[batch, kvSeq, contextWidth]`; omitted → self-attention on `x`. */
  context?: string;
  /** Key padding mask `[batch, kvSeq]` float32, 1 = attend, 0 = padding. */
  keyMask?: string;
  /** Query i sees keys j ≤ i only. */
  causal?: boolean;
}

/**
 * `MultiHeadAttention.forward` without a KV cache, op for op: the query projection is scaled by
 * 1/√d before the product, masks add −1e9 ({@link MASK_VALUE}) to the logits, and Softmax runs
 * over the key axis, so every float is computed the way tfjs computes it.
 */
export function emitAttention(e: OnnxEmitter, prefix: string, config: AttentionConfig, inputs: AttentionInputs): string {
  const g = e.g;
  const { width, heads } = config;
  const d = width / heads;
  const source = inputs.context ?? inputs.x;
  const split = e.g.constInt64([0, 0, heads, d]);
  const heads4d = (t: string, perm: number[]): string => g.node('Transpose', [g.node('Reshape', [t, split])], { perm });

  const q = heads4d(g.node('Mul', [e.linear(childPrefix(prefix, 'q'), inputs.x), e.scalar(1 / Math.sqrt(d))]), [0, 2, 1, 3]);
  const kT = heads4d(e.linear(childPrefix(prefix, 'k'), source), [0, 2, 3, 1]);
  const v = heads4d(e.linear(childPrefix(prefix, 'v'), source), [0, 2, 1, 3]);
  let logits = g.node('MatMul', [q, kT]); // [batch, heads, seq, kvSeq]

  if (inputs.causal === true) logits = g.node('Add', [logits, causalBias(e, inputs.x, source)]);
  if (inputs.keyMask !== undefined) {
    const padding = g.node('Mul', [g.node('Sub', [e.scalar(1), inputs.keyMask]), e.scalar(MASK_VALUE)]);
    logits = g.node('Add', [logits, g.node('Unsqueeze', [padding, g.constInt64([1, 2])])]);
  }
  const p = g.node('Softmax', [logits], { axis: -1 });
  const ctx = g.node('Transpose', [g.node('MatMul', [p, v])], { perm: [0, 2, 1, 3] });
  const merged = g.node('Reshape', [ctx, g.constInt64([0, 0, width])]);
  return e.linear(childPrefix(prefix, 'o'), merged);
}

/**
 * `[seq, kvSeq]` additive bias, −1e9 where key j > query i, built from the run-time sizes:
 * a strictly-upper-triangular matrix of ones (Trilu, k = 1) times −1e9.
 */
function causalBias(e: OnnxEmitter, queries: string, keys: string): string {
  const g = e.g;
  const shape = g.node('Concat', [e.dim(queries, 1), e.dim(keys, 1)], { axis: 0 });
  const ones = g.node('Expand', [e.scalar(1), shape]);
  const upper = g.node('Trilu', [ones, g.constInt64([1], [])], { upper: 1 });
  return g.node('Mul', [upper, e.scalar(MASK_VALUE)]);
}
