import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';
import type { NamedTensor } from './tensor-file.js';

/** AdamW hyper-parameters (decoupled weight decay, Loshchilov & Hutter). */
export interface AdamWConfig {
  /** Optimizer kind. */
  kind: 'adamw';
  /** Peak learning rate (the schedule scales it). */
  lr: number;
  /** First-moment decay; default 0.9. */
  beta1?: number;
  /** Second-moment decay; default 0.999. */
  beta2?: number;
  /** Denominator epsilon; default 1e-8. */
  eps?: number;
  /** Decoupled weight decay, applied to weight matrices only (see {@link createOptimizer}); default 0. */
  weightDecay?: number;
}

/** SGD hyper-parameters. */
export interface SGDConfig {
  /** Optimizer kind. */
  kind: 'sgd';
  /** Peak learning rate (the schedule scales it). */
  lr: number;
  /** Heavy-ball momentum; default 0. */
  momentum?: number;
  /** Decoupled weight decay, applied to weight matrices only (see {@link createOptimizer}); default 0. */
  weightDecay?: number;
}

/** Either optimizer's configuration. */
export type OptimizerConfig = AdamWConfig | SGDConfig;

/**
 * An optimizer over named tf variables whose whole state is named float32 tensors plus a step
 * count, so a checkpoint restores it exactly.
 */
export interface Optimizer {
  /** The configuration it was built from. */
  readonly config: OptimizerConfig;
  /** Number of updates applied so far. */
  readonly step: number;
  /** Applies one update with learning rate `lr` (the schedule's value for this step). */
  apply(variables: ReadonlyMap<string, tf.Variable>, grads: ReadonlyMap<string, tf.Tensor>, lr: number): void;
  /** State tensors by name (`m.<var>`, `v.<var>` for AdamW; `momentum.<var>` for SGD). */
  state(): Map<string, NamedTensor>;
  /** Restores {@link Optimizer.state} and the step count. */
  load(state: ReadonlyMap<string, NamedTensor>, step: number): void;
  /** Frees the state tensors. */
  dispose(): void;
}

abstract class SlotOptimizer<C extends OptimizerConfig> implements Optimizer {
  readonly config: C;
  step = 0;
  /** State tensors by `<slot>.<variable>`. */
  protected readonly slots = new Map<string, tf.Tensor>();

  constructor(
    config: C,
    private readonly slotNames: readonly string[],
    private readonly noDecay: ReadonlySet<string>,
  ) {
    if (!(config.lr > 0)) throw new FramewrightError('INVALID_PARAMS', `optimizer lr must be positive, got ${config.lr}`);
    this.config = config;
  }

  /** Whether weight decay applies to the variable `name`: a matrix not listed as undecayed. */
  protected decays(name: string, p: tf.Variable): boolean {
    return p.rank >= 2 && !this.noDecay.has(name);
  }

  /** The state tensor `kind.name`, created as zeros shaped like `like` on first use. */
  protected slot(kind: string, name: string, like: tf.Tensor): tf.Tensor {
    const key = `${kind}.${name}`;
    let t = this.slots.get(key);
    if (t === undefined) {
      t = tf.keep(tf.zerosLike(like));
      this.slots.set(key, t);
    }
    return t;
  }

  /** Replaces the state tensor `kind.name` (kept out of the surrounding tidy). */
  protected setSlot(kind: string, name: string, value: tf.Tensor): void {
    const key = `${kind}.${name}`;
    this.slots.get(key)?.dispose();
    this.slots.set(key, tf.keep(value));
  }

  abstract apply(variables: ReadonlyMap<string, tf.Variable>, grads: ReadonlyMap<string, tf.Tensor>, lr: number): void;

  state(): Map<string, NamedTensor> {
    const out = new Map<string, NamedTensor>();
    for (const [k, t] of [...this.slots].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out.set(k, { shape: [...t.shape], data: t.dataSync() as Float32Array });
    return out;
  }

  load(state: ReadonlyMap<string, NamedTensor>, step: number): void {
    for (const k of state.keys()) {
      if (!this.slotNames.some((s) => k.startsWith(`${s}.`))) throw new FramewrightError('CHECKPOINT_INVALID', `optimizer state has tensor ${k} that ${this.config.kind} does not use`);
    }
    this.dispose();
    for (const [k, t] of state) this.slots.set(k, tf.keep(tf.tensor(t.data, t.shape, 'float32')));
    this.step = step;
  }

  dispose(): void {
    for (const t of this.slots.values()) t.dispose();
    this.slots.clear();
  }
}

/**
 * AdamW: with t the 1-based step, `m = β1·m + (1−β1)·g`, `v = β2·v + (1−β2)·g²`,
 * `p ← p − lr·( (m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + eps) + wd·p )` (wd only for matrices not in `noDecay`).
 */
export class AdamW extends SlotOptimizer<AdamWConfig> {
  /**
   * Creates the optimizer; its moment slots are made on the first step.
   * @param config - hyper-parameters
   * @param noDecay - variables weight decay must not touch (e.g. `model.noDecayVariables()`)
   */
  constructor(config: AdamWConfig, noDecay: ReadonlySet<string> = new Set()) {
    super(config, ['m', 'v'], noDecay);
  }

  /** One AdamW update. */
  apply(variables: ReadonlyMap<string, tf.Variable>, grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    const b1 = this.config.beta1 ?? 0.9;
    const b2 = this.config.beta2 ?? 0.999;
    const eps = this.config.eps ?? 1e-8;
    const wd = this.config.weightDecay ?? 0;
    this.step++;
    const c1 = 1 - Math.pow(b1, this.step);
    const c2 = 1 - Math.pow(b2, this.step);
    for (const [name, p] of variables) {
      const g = grads.get(name);
      if (g === undefined) continue;
      tf.tidy(() => {
        const m = tf.add(tf.mul(this.slot('m', name, p), b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.slot('v', name, p), b2), tf.mul(tf.square(g), 1 - b2));
        let update: tf.Tensor = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), eps));
        if (wd > 0 && this.decays(name, p)) update = tf.add(update, tf.mul(p, wd));
        p.assign(tf.sub(p, tf.mul(update, lr)));
        this.setSlot('m', name, m);
        this.setSlot('v', name, v);
      });
    }
  }
}

/** SGD with optional heavy-ball momentum: `b = μ·b + g`, `p ← p − lr·(b + wd·p)` (wd only for matrices not in `noDecay`). */
export class SGD extends SlotOptimizer<SGDConfig> {
  /**
   * Creates the optimizer; its momentum slots are made on the first step.
   * @param config - hyper-parameters
   * @param noDecay - variables weight decay must not touch (e.g. `model.noDecayVariables()`)
   */
  constructor(config: SGDConfig, noDecay: ReadonlySet<string> = new Set()) {
    super(config, ['momentum'], noDecay);
  }

  /** One SGD update. */
  apply(variables: ReadonlyMap<string, tf.Variable>, grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    const mu = this.config.momentum ?? 0;
    const wd = this.config.weightDecay ?? 0;
    this.step++;
    for (const [name, p] of variables) {
      const g = grads.get(name);
      if (g === undefined) continue;
      tf.tidy(() => {
        let direction: tf.Tensor = g;
        if (mu > 0) {
          direction = tf.add(tf.mul(this.slot('momentum', name, p), mu), g);
          this.setSlot('momentum', name, direction);
        }
        if (wd > 0 && this.decays(name, p)) direction = tf.add(direction, tf.mul(p, wd));
        p.assign(tf.sub(p, tf.mul(direction, lr)));
      });
    }
  }
}

/**
 * Builds the optimizer a configuration names. Weight decay applies to weight matrices: never to
 * vectors (biases, norm scales) nor to the variables in `noDecay` (the trainer passes the model's
 * `noDecayVariables()`: embedding tables and learned positions).
 */
export function createOptimizer(config: OptimizerConfig, noDecay: ReadonlySet<string> = new Set()): Optimizer {
  if (config.kind === 'adamw') return new AdamW(config, noDecay);
  if (config.kind === 'sgd') return new SGD(config, noDecay);
  throw new FramewrightError('INVALID_PARAMS', `optimizer kind must be adamw or sgd, got ${JSON.stringify((config as { kind?: unknown }).kind)}`);
}
