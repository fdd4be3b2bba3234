import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';
import type { Rng } from './random.js';

/** How a parameter starts. `normal`/`uniform` draw from the component's seeded {@link Rng}. */
export type Init =
  | {
      /** All zeros. */
      kind: 'zeros';
    }
  | {
      /** All ones. */
      kind: 'ones';
    }
  | {
      /** Normal N(0, std²). */
      kind: 'normal';
      /** Standard deviation. */
      std: number;
    }
  | {
      /** Uniform in [−limit, limit). */
      kind: 'uniform';
      /** Half-width of the interval. */
      limit: number;
    };

/** Float32 values for `shape` drawn by `init` from `rng` (deterministic for a given seed). */
export function initValues(shape: readonly number[], init: Init, rng: Rng): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  switch (init.kind) {
    case 'zeros':
      break;
    case 'ones':
      out.fill(1);
      break;
    case 'normal':
      for (let i = 0; i < size; i++) out[i] = rng.normal() * init.std;
      break;
    case 'uniform':
      for (let i = 0; i < size; i++) out[i] = (rng.float() * 2 - 1) * init.limit;
      break;
  }
  return out;
}

/**
 * Base of every component: owns named parameters and child components, and lists all of them
 * with stable dotted names (`blocks.0.attn.q.weight`). Variables get no tfjs name, so a model can
 * be built twice in one process.
 */
export abstract class Module<C> {
  /** The plain JSON-serialisable configuration this component was built from. */
  readonly config: C;
  private readonly params = new Map<string, tf.Variable>();
  private readonly undecayed = new Set<string>();
  private readonly children = new Map<string, Module<unknown>>();

  /**
   * Stores the configuration; subclasses create their variables and children.
   * @param config - JSON-serialisable configuration (stored as {@link Module.config})
   */
  protected constructor(config: C) {
    this.config = config;
  }

  /**
   * Creates and registers a trainable float32 parameter. `decay: false` keeps weight decay off
   * it (embedding tables, positions, norms, biases: shrinking them towards zero is no
   * regulariser, it only erases what they hold).
   */
  protected param(name: string, shape: number[], init: Init, rng: Rng, options: { decay?: boolean } = {}): tf.Variable {
    const initial = tf.tensor(initValues(shape, init, rng), shape, 'float32');
    const v = tf.variable(initial, true);
    initial.dispose();
    this.params.set(name, v);
    if (options.decay === false) this.undecayed.add(name);
    return v;
  }

  /** Registers a child component under `name` and returns it. */
  protected child<M extends Module<unknown>>(name: string, module: M): M {
    this.children.set(name, module);
    return module;
  }

  /** Every parameter of this component and its children, by stable dotted name, in creation order. */
  variables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>(this.params);
    for (const [prefix, c] of this.children) {
      for (const [name, v] of c.variables()) out.set(`${prefix}.${name}`, v);
    }
    return out;
  }

  /** Dotted names of the parameters weight decay must not touch (see {@link Module.param}). */
  noDecayVariables(): Set<string> {
    const out = new Set<string>(this.undecayed);
    for (const [prefix, c] of this.children) for (const name of c.noDecayVariables()) out.add(`${prefix}.${name}`);
    return out;
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    let n = 0;
    for (const v of this.variables().values()) n += v.size;
    return n;
  }

  /**
   * Assigns every parameter from `values` (name → data). Checks everything before assigning
   * anything, so a mismatch leaves the component unchanged.
   * @throws FramewrightError `CHECKPOINT_INVALID` naming a missing, unexpected or mis-shaped tensor
   */
  loadVariables(values: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>, source = 'checkpoint'): void {
    const vars = this.variables();
    for (const [name, v] of vars) {
      const got = values.get(name);
      if (got === undefined) throw new FramewrightError('CHECKPOINT_INVALID', `${source} has no tensor ${name} (model expects [${v.shape.join(', ')}])`);
      if (got.shape.length !== v.shape.length || got.shape.some((d, i) => d !== v.shape[i]) || got.data.length !== v.size) {
        throw new FramewrightError(
          'CHECKPOINT_INVALID',
          `${source} tensor ${name} has shape [${got.shape.join(', ')}], model expects [${v.shape.join(', ')}]`,
        );
      }
    }
    for (const name of values.keys()) {
      if (!vars.has(name)) throw new FramewrightError('CHECKPOINT_INVALID', `${source} has tensor ${name} that the model does not have`);
    }
    for (const [name, v] of vars) {
      const got = values.get(name)!;
      const t = tf.tensor(got.data, v.shape, 'float32');
      v.assign(t);
      t.dispose();
    }
  }

  /** Frees every parameter and whatever else this component and its children hold (fixed tables). */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    for (const c of this.children.values()) c.dispose();
  }
}
