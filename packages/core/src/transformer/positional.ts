import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';
import { Module } from './module.js';
import { checkShape } from './ops.js';
import { Rng } from './random.js';

/**
 * Which positional encoding. Fixed tables (`sinusoidal`, `sincos2d`, `sincos3d`) have no variables;
 * `learned` has `weight` `[length, width]`.
 * - `sinusoidal` / `learned`: `length` positions of a 1-D sequence.
 * - `sincos2d`: a `rows × cols` grid of image patches, token n = row·cols + col.
 * - `sincos3d`: `frames × rows × cols` space-time patches, token n = (frame·rows + row)·cols + col.
 *   `factorised: false` gives each axis its own channels; `true` adds a 2-D spatial table and a
 *   1-D temporal table over all channels (what factorised space/time attention wants).
 */
export type PositionalConfig =
  | {
      /** Fixed 1-D sin-cos table. */
      kind: 'sinusoidal';
      /** Number of positions. */
      length: number;
      /** Vector width (even). */
      width: number;
    }
  | {
      /** Learned table. */
      kind: 'learned';
      /** Number of positions. */
      length: number;
      /** Vector width. */
      width: number;
    }
  | {
      /** Fixed 2-D sin-cos table over an image-patch grid. */
      kind: 'sincos2d';
      /** Patch rows. */
      rows: number;
      /** Patch columns. */
      cols: number;
      /** Vector width (divisible by 4). */
      width: number;
    }
  | {
      /** Fixed 3-D sin-cos table over space-time patches. */
      kind: 'sincos3d';
      /** Frames. */
      frames: number;
      /** Patch rows per frame. */
      rows: number;
      /** Patch columns per frame. */
      cols: number;
      /** Vector width (even). */
      width: number;
      /** Spatial table + temporal table over all channels, instead of channels split per axis. */
      factorised: boolean;
    };

/**
 * 1-D sin-cos table `[length, width]` (`width` even): for channel i < width/2,
 * `pe[p, i] = sin(p·ωᵢ)` and `pe[p, i + width/2] = cos(p·ωᵢ)` with `ωᵢ = 10000^(−i/(width/2))`
 * (sines first, then cosines — concatenated, not interleaved).
 */
export function sinusoidalTable(positions: ArrayLike<number>, width: number): Float32Array {
  if (width % 2 !== 0) throw new FramewrightError('MODEL_INVALID', `sin-cos positions need an even width, got ${width}`);
  const half = width / 2;
  const out = new Float32Array(positions.length * width);
  for (let p = 0; p < positions.length; p++) {
    const pos = positions[p]!;
    for (let i = 0; i < half; i++) {
      const angle = pos * Math.pow(10000, -i / half);
      out[p * width + i] = Math.sin(angle);
      out[p * width + half + i] = Math.cos(angle);
    }
  }
  return out;
}

/** Concatenates per-axis tables along channels: parts[k] is `[n, widths[k]]`. */
function concatChannels(n: number, parts: Float32Array[], widths: number[]): Float32Array {
  const width = widths.reduce((a, b) => a + b, 0);
  const out = new Float32Array(n * width);
  for (let t = 0; t < n; t++) {
    let off = 0;
    parts.forEach((part, k) => {
      const w = widths[k]!;
      out.set(part.subarray(t * w, (t + 1) * w), t * width + off);
      off += w;
    });
  }
  return out;
}

/** Axis coordinate of every token of a grid `sizes` (row-major): coords[axis][token]. */
function gridCoordinates(sizes: number[]): number[][] {
  const n = sizes.reduce((a, b) => a * b, 1);
  const coords = sizes.map(() => new Array<number>(n));
  for (let t = 0; t < n; t++) {
    let rest = t;
    for (let a = sizes.length - 1; a >= 0; a--) {
      coords[a]![t] = rest % sizes[a]!;
      rest = Math.floor(rest / sizes[a]!);
    }
  }
  return coords;
}

/**
 * 2-D sin-cos table `[rows·cols, width]` (`width` divisible by 4): channels `[0, width/2)` are
 * {@link sinusoidalTable} of the row, `[width/2, width)` of the column.
 */
export function sincos2dTable(rows: number, cols: number, width: number): Float32Array {
  if (width % 4 !== 0) throw new FramewrightError('MODEL_INVALID', `2-D sin-cos positions need a width divisible by 4, got ${width}`);
  const [r, c] = gridCoordinates([rows, cols]) as [number[], number[]];
  return concatChannels(rows * cols, [sinusoidalTable(r, width / 2), sinusoidalTable(c, width / 2)], [width / 2, width / 2]);
}

/**
 * 3-D sin-cos table `[frames·rows·cols, width]` (`width` even).
 * Joint: rows and cols get `2·⌊width/6⌋` channels each, time the rest; order `[time | row | col]`.
 * Factorised: `sincos2d(row, col)` over all channels plus `sinusoidal(frame)` over all channels.
 */
export function sincos3dTable(frames: number, rows: number, cols: number, width: number, factorised: boolean): Float32Array {
  if (width % 2 !== 0) throw new FramewrightError('MODEL_INVALID', `3-D sin-cos positions need an even width, got ${width}`);
  const n = frames * rows * cols;
  const [f, r, c] = gridCoordinates([frames, rows, cols]) as [number[], number[], number[]];
  if (!factorised) {
    const ws = 2 * Math.floor(width / 6);
    const wt = width - 2 * ws;
    return concatChannels(n, [sinusoidalTable(f, wt), sinusoidalTable(r, ws), sinusoidalTable(c, ws)], [wt, ws, ws]);
  }
  const spatial = sincos2dTable(rows, cols, width);
  const temporal = sinusoidalTable(Array.from({ length: frames }, (_, i) => i), width);
  const out = new Float32Array(n * width);
  for (let t = 0; t < n; t++) {
    const s = (t % (rows * cols)) * width;
    const tf0 = f[t]! * width;
    for (let i = 0; i < width; i++) out[t * width + i] = spatial[s + i]! + temporal[tf0 + i]!;
  }
  return out;
}

/**
 * Positional encoding added to token vectors: x `[batch, seq, width]` → `x + table[0:seq]`
 * (seq ≤ the table length). See {@link PositionalConfig} for the kinds and {@link sinusoidalTable},
 * {@link sincos2dTable}, {@link sincos3dTable} for the exact values. Variables: `weight`
 * `[length, width]` for `learned` (N(0, 0.02)), none otherwise.
 */
export class PositionalEncoding extends Module<PositionalConfig> {
  /** Number of positions in the table. */
  readonly length: number;
  private readonly fixed: tf.Tensor2D | undefined;
  private readonly learned: tf.Variable | undefined;

  /**
   * Builds the fixed table or creates the learned one.
   * @param config - kind and sizes
   * @param rng - initialisation stream (learned only)
   */
  constructor(config: PositionalConfig, rng: Rng = new Rng(0)) {
    super(config);
    const c = config;
    this.length = c.kind === 'sincos2d' ? c.rows * c.cols : c.kind === 'sincos3d' ? c.frames * c.rows * c.cols : c.length;
    if (c.kind === 'learned') {
      this.learned = this.param('weight', [this.length, c.width], { kind: 'normal', std: 0.02 }, rng, { decay: false });
      return;
    }
    const values =
      c.kind === 'sinusoidal'
        ? sinusoidalTable(Array.from({ length: c.length }, (_, i) => i), c.width)
        : c.kind === 'sincos2d'
          ? sincos2dTable(c.rows, c.cols, c.width)
          : sincos3dTable(c.frames, c.rows, c.cols, c.width, c.factorised);
    this.fixed = tf.keep(tf.tensor2d(values, [this.length, c.width]));
  }

  /** The table `[length, width]` (the learned variable or the fixed constant). */
  table(): tf.Tensor2D {
    return (this.learned ?? this.fixed) as tf.Tensor2D;
  }

  /** x `[batch, seq, width]`, seq ≤ length → `x + table[0:seq]`; `offset` shifts the positions (KV-cache decoding). */
  forward(x: tf.Tensor3D, offset = 0): tf.Tensor3D {
    checkShape(x, ['batch', 'seq', this.config.width], 'positional input');
    const seq = x.shape[1];
    if (offset + seq > this.length) {
      throw new FramewrightError('MODEL_INVALID', `sequence of ${offset + seq} positions exceeds the ${this.length} positions of the encoding`);
    }
    const t = this.table();
    const rows = offset === 0 && seq === this.length ? t : tf.slice(t, [offset, 0], [seq, -1]);
    return tf.add(x, rows);
  }

  /** Frees the learned variable or the fixed table. */
  override dispose(): void {
    super.dispose();
    this.fixed?.dispose();
  }
}
