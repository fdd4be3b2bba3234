import type * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../../protocol/errors.js';
import { floatAttr, OnnxGraphBuilder, type OnnxDim, type OnnxElementType } from '../../onnx/index.js';

/** A graph input or output declaration. */
export interface ExportValueSpec {
  /** Value name in the ONNX file. */
  name: string;
  /** Element type. */
  type: OnnxElementType;
  /** Fixed sizes, or names for dynamic axes. */
  dims: OnnxDim[];
}

/**
 * What every component emitter works with: the graph being built, the exported component's
 * variables (by the dotted names of `Module.variables()`) and the opset, plus the few
 * sub-graphs several emitters share. Weights become initializers named exactly like their tfjs
 * variables, and each is written once however often it is read.
 */
export class OnnxEmitter {
  /** The graph under construction. */
  readonly g: OnnxGraphBuilder;
  private readonly emitted = new Map<string, string>();
  private readonly used = new Set<string>();

  /**
   * @param graphName - name of the ONNX graph
   * @param variables - the exported component's variables by dotted name
   * @param opset - opset being written (some emitters use newer operators when allowed)
   */
  constructor(
    graphName: string,
    private readonly variables: ReadonlyMap<string, tf.Variable>,
    readonly opset: number,
  ) {
    this.g = new OnnxGraphBuilder(graphName);
  }

  /** The initializer holding variable `name` (created on first use). */
  weight(name: string): string {
    const existing = this.emitted.get(name);
    if (existing !== undefined) return existing;
    const v = this.variables.get(name);
    if (v === undefined) {
      throw new FramewrightError('MODEL_INVALID', `ONNX export: the component has no variable ${name} (has: ${[...this.variables.keys()].slice(0, 8).join(', ')}…)`);
    }
    this.used.add(name);
    const init = this.g.initializer(name, v.dataSync() as Float32Array, [...v.shape], 'float32');
    this.emitted.set(name, init);
    return init;
  }

  /** A named float32 constant that is not a variable (fixed positional tables, masks). */
  table(name: string, values: Float32Array, dims: number[]): string {
    const existing = this.emitted.get(name);
    if (existing !== undefined) return existing;
    const init = this.g.initializer(name, values, dims, 'float32');
    this.emitted.set(name, init);
    return init;
  }

  /** Variables the exported graph never read: an emitter that forgot a weight is a bug. */
  unusedVariables(): string[] {
    return [...this.variables.keys()].filter((name) => !this.used.has(name));
  }

  /** A float32 scalar constant. */
  scalar(value: number): string {
    return this.g.constFloat([value], []);
  }

  /** `Shape(x)[axis]` as an int64 `[1]` tensor (for dynamic reshapes and slices). */
  dim(x: string, axis: number): string {
    return this.g.node('Shape', [x], { start: axis, end: axis + 1 });
  }

  /** `x·W + b` with `W` `[in, out]`, `b` `[out]` (variables `${prefix}weight`, `${prefix}bias`). */
  linear(prefix: string, x: string): string {
    return this.g.node('Add', [this.g.node('MatMul', [x, this.weight(`${prefix}weight`)]), this.weight(`${prefix}bias`)]);
  }

  /** ONNX LayerNormalization over the last axis (population variance), with `scale`/`bias` or 1/0. */
  layerNorm(x: string, width: number, eps: number, affinePrefix: string | undefined): string {
    const scale = affinePrefix === undefined ? this.table(`${this.g.name}/ones_${width}`, new Float32Array(width).fill(1), [width]) : this.weight(`${affinePrefix}weight`);
    const bias = affinePrefix === undefined ? this.table(`${this.g.name}/zeros_${width}`, new Float32Array(width), [width]) : this.weight(`${affinePrefix}bias`);
    return this.g.node('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: floatAttr(eps) });
  }

  /**
   * GELU, tanh approximation `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`: the opset-20 `Gelu`
   * operator when the opset allows, else spelled out node for node in the form ONNX Runtime's
   * FastGeluFusion recognises (x³ as `Pow(x, 3)`), so both opsets run one fused kernel.
   */
  geluTanh(x: string): string {
    const g = this.g;
    if (this.opset >= 20) return g.node('Gelu', [x], { approximate: 'tanh' });
    const cube = g.node('Pow', [x, this.scalar(3)]);
    const inner = g.node('Mul', [this.scalar(Math.sqrt(2 / Math.PI)), g.node('Add', [x, g.node('Mul', [this.scalar(0.044715), cube])])]);
    return g.node('Mul', [g.node('Mul', [this.scalar(0.5), x]), g.node('Add', [this.scalar(1), g.node('Tanh', [inner])])]);
  }

  /** SiLU `x·sigmoid(x)`. */
  silu(x: string): string {
    return this.g.node('Mul', [x, this.g.node('Sigmoid', [x])]);
  }
}

/** Joins a variable prefix and a child name: `join('blocks.0.', 'attn')` → `blocks.0.attn.`. */
export function childPrefix(prefix: string, child: string): string {
  return `${prefix}${child}.`;
}
