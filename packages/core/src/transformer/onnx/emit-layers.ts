import type { EmbeddingConfig, LayerNormConfig, LinearConfig } from '../layers.js';
import { sincos2dTable, sincos3dTable, sinusoidalTable, type PositionalConfig } from '../positional.js';
import type { OnnxEmitter } from './emitter.js';

/** `Linear.forward`: `x·W + b` on any leading shape. */
export function emitLinear(e: OnnxEmitter, prefix: string, _config: LinearConfig, x: string): string {
  return e.linear(prefix, x);
}

/** `LayerNorm.forward`: ONNX LayerNormalization, axis −1, the component's eps (default 1e-5). */
export function emitLayerNorm(e: OnnxEmitter, prefix: string, config: LayerNormConfig, x: string): string {
  return e.layerNorm(x, config.width, config.eps ?? 1e-5, config.affine === false ? undefined : prefix);
}

/** `Embedding.forward`: `Gather(weight, ids)` on axis 0; ids `[batch, seq]` int32. */
export function emitEmbedding(e: OnnxEmitter, prefix: string, _config: EmbeddingConfig, ids: string): string {
  return e.g.node('Gather', [e.weight(`${prefix}weight`), ids], { axis: 0 });
}

/** Number of positions of a positional-encoding config. */
export function positionalLength(config: PositionalConfig): number {
  if (config.kind === 'sincos2d') return config.rows * config.cols;
  if (config.kind === 'sincos3d') return config.frames * config.rows * config.cols;
  return config.length;
}

/** The fixed table of a positional config, computed by the same functions tfjs uses. */
function fixedTable(config: Exclude<PositionalConfig, { kind: 'learned' }>): Float32Array {
  if (config.kind === 'sinusoidal') return sinusoidalTable(Array.from({ length: config.length }, (_, i) => i), config.width);
  if (config.kind === 'sincos2d') return sincos2dTable(config.rows, config.cols, config.width);
  return sincos3dTable(config.frames, config.rows, config.cols, config.width, config.factorised);
}

/**
 * `PositionalEncoding.forward` at offset 0: `x + table[0:seq]`, the rows sliced with the run-time
 * sequence length (so any seq ≤ the table length works). Fixed tables are stored as float32
 * constants named `${prefix}table`; a learned one is the `weight` variable.
 */
export function emitPositional(e: OnnxEmitter, prefix: string, config: PositionalConfig, x: string): string {
  const g = e.g;
  const length = positionalLength(config);
  const table = config.kind === 'learned' ? e.weight(`${prefix}weight`) : e.table(`${prefix}table`, fixedTable(config), [length, config.width]);
  const rows = g.node('Slice', [table, g.constInt64([0]), e.dim(x, 1), g.constInt64([0])]);
  return g.node('Add', [x, rows]);
}
