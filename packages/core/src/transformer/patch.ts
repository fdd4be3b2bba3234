import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';
import { Linear } from './layers.js';
import { Module } from './module.js';
import { checkShape } from './ops.js';
import { Rng } from './random.js';

function checkDivisible(size: number, patch: number, what: string): void {
  if (size % patch !== 0) throw new FramewrightError('MODEL_INVALID', `${what} ${size} is not divisible by patch size ${patch}`);
}

/**
 * Cuts images `[batch, height, width, channels]` (NHWC) into non-overlapping `p×p` patches:
 * → `[batch, (height/p)·(width/p), p·p·channels]`, patches row-major over the grid, each patch
 * flattened in (row-in-patch, col-in-patch, channel) order. Video `[batch, frames, h, w, c]` gives
 * `[batch, frames·(h/p)·(w/p), p·p·c]`, frame-major (the token order of `sincos3d`). Uses only
 * 4-D transposes (5-D ones are slow on WASM).
 */
export function patchify(images: tf.Tensor, p: number): tf.Tensor3D {
  if (images.rank !== 4 && images.rank !== 5) {
    throw new FramewrightError('MODEL_INVALID', `images must be [batch, height, width, channels] or [batch, frames, height, width, channels], got [${images.shape.join(', ')}]`);
  }
  const [h, w, c] = images.shape.slice(-3) as [number, number, number];
  const batch = images.shape[0]!;
  const frames = images.rank === 5 ? images.shape[1]! : 1;
  checkDivisible(h, p, 'image height');
  checkDivisible(w, p, 'image width');
  const rows = tf.reshape(images, [batch * frames * (h / p), p, w / p, p * c]);
  return tf.reshape(tf.transpose(rows, [0, 2, 1, 3]), [batch, frames * (h / p) * (w / p), p * p * c]);
}

/** Inverse of {@link patchify}: `[batch, frames·rows·cols, p·p·c]` → `[batch, (frames,) rows·p, cols·p, c]`. */
export function unpatchify(patches: tf.Tensor3D, grid: { rows: number; cols: number; frames?: number }, p: number, channels: number): tf.Tensor {
  const frames = grid.frames ?? 1;
  checkShape(patches, ['batch', frames * grid.rows * grid.cols, p * p * channels], 'patches');
  const batch = patches.shape[0];
  const rows = tf.transpose(tf.reshape(patches, [batch * frames * grid.rows, grid.cols, p, p * channels]), [0, 2, 1, 3]);
  const shape = [batch, grid.rows * p, grid.cols * p, channels];
  return tf.reshape(rows, grid.frames === undefined ? shape : [batch, frames, ...shape.slice(1)]);
}

/** Configuration of {@link PatchEmbed} and {@link PatchUnembed}. */
export interface PatchConfig {
  /** Side of a square patch in pixels. */
  patchSize: number;
  /** Image channels (3 for RGB). */
  channels: number;
  /** Model width. */
  width: number;
}

/**
 * Patch embedding: images `[batch, h, w, c]` (or video `[batch, frames, h, w, c]`) →
 * `[batch, tokens, width]` = `proj(patchify(images))`. Variable `proj` `{weight [p·p·c, width], bias}`.
 */
export class PatchEmbed extends Module<PatchConfig> {
  private readonly proj: Linear;

  /**
   * Creates the patch projection.
   * @param config - patch size, channels, width
   * @param rng - initialisation stream
   */
  constructor(config: PatchConfig, rng: Rng = new Rng(0)) {
    super(config);
    const { patchSize: p, channels: c } = config;
    this.proj = this.child('proj', new Linear({ inFeatures: p * p * c, outFeatures: config.width }, rng));
  }

  /** images → `[batch, tokens, width]`. */
  forward(images: tf.Tensor): tf.Tensor3D {
    const c = images.shape[images.rank - 1];
    if (c !== this.config.channels) {
      throw new FramewrightError('MODEL_INVALID', `images must have ${this.config.channels} channels, got shape [${images.shape.join(', ')}]`);
    }
    return this.proj.forward(patchify(images, this.config.patchSize)) as tf.Tensor3D;
  }
}

/**
 * Patch un-embedding: x `[batch, tokens, width]` → patches `[batch, tokens, p·p·c]` = `proj(x)`;
 * {@link PatchUnembed.toImages} reassembles them. Variable `proj` `{weight [width, p·p·c], bias}`.
 * Train against `patchify(target)` so no transpose sits in the gradient path.
 */
export class PatchUnembed extends Module<PatchConfig> {
  private readonly proj: Linear;

  /**
   * Creates the projection back to patch pixels.
   * @param config - patch size, channels, width
   * @param rng - initialisation stream
   */
  constructor(config: PatchConfig, rng: Rng = new Rng(0)) {
    super(config);
    const { patchSize: p, channels: c } = config;
    this.proj = this.child('proj', new Linear({ inFeatures: config.width, outFeatures: p * p * c }, rng));
  }

  /** x `[batch, tokens, width]` → `[batch, tokens, p·p·c]`. */
  forward(x: tf.Tensor3D): tf.Tensor3D {
    checkShape(x, ['batch', 'tokens', this.config.width], 'patch un-embedding input');
    return this.proj.forward(x) as tf.Tensor3D;
  }

  /** Patches → images (see {@link unpatchify}). */
  toImages(patches: tf.Tensor3D, grid: { rows: number; cols: number; frames?: number }): tf.Tensor {
    return unpatchify(patches, grid, this.config.patchSize, this.config.channels);
  }
}
