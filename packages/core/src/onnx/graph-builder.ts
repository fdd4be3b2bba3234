import { FramewrightError } from '../protocol/errors.js';
import {
  ONNX_ATTRIBUTE_TYPE,
  ONNX_DATA_TYPE,
  encodeOnnxModel,
  type OnnxAttribute,
  type OnnxDim,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './proto.js';
import { VERSION } from '../util/version.js';

/** Opsets the exporter writes, with the IR version each one requires (onnx/docs/Versioning.md). */
export const ONNX_IR_VERSION_BY_OPSET: Readonly<Record<number, number>> = Object.freeze({
  17: 8,
  18: 8,
  19: 9,
  20: 9,
  21: 10,
});

/** Default opset: the first with `LayerNormalization`. */
export const DEFAULT_ONNX_OPSET = 17;

/** Element types a graph input, output or initializer may have. */
export type OnnxElementType = 'float32' | 'float16' | 'int32' | 'int64' | 'bool';

const DATA_TYPE: Record<OnnxElementType, number> = {
  float32: ONNX_DATA_TYPE.FLOAT,
  float16: ONNX_DATA_TYPE.FLOAT16,
  int32: ONNX_DATA_TYPE.INT32,
  int64: ONNX_DATA_TYPE.INT64,
  bool: ONNX_DATA_TYPE.BOOL,
};

/** A float attribute whose value happens to be an integer (plain integers become INT attributes). */
export interface FloatAttribute {
  readonly float: number;
}

/** Marks `value` as a FLOAT attribute even when it is a whole number. */
export function floatAttr(value: number): FloatAttribute {
  return { float: value };
}

/**
 * An attribute value: an integer → INT, a non-integer number or {@link floatAttr} → FLOAT,
 * an integer array → INTS, a string → STRING.
 */
export type AttributeValue = number | FloatAttribute | number[] | string;

/** Options for {@link OnnxGraphBuilder.toModel}. */
export interface OnnxModelOptions {
  /** ONNX opset of the default domain; one of {@link ONNX_IR_VERSION_BY_OPSET}'s keys. */
  opset?: number;
  /** Free text stored as the model's doc string. */
  docString?: string;
  /** Key/value metadata (e.g. the component config as JSON). */
  metadata?: Record<string, string>;
}

/**
 * Builds an ONNX graph node by node. Every method returns the name of the value it produced,
 * so emitters read like the forward pass they mirror.
 *
 * @example
 * ```ts
 * const g = new OnnxGraphBuilder('affine');
 * const x = g.input('x', 'float32', ['batch', 4]);
 * const w = g.initializer('w', new Float32Array(12), [4, 3]);
 * g.output(g.node('MatMul', [x, w]), 'y', ['batch', 3]);
 * const bytes = g.toBytes({ opset: 17 });
 * ```
 */
export class OnnxGraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers = new Map<string, OnnxTensor>();
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly names = new Set<string>();
  private counter = 0;
  private scopes: string[] = [];

  /** @param name - the graph's name */
  constructor(readonly name: string) {}

  /** Declares a graph input; symbolic dims (strings) make that axis dynamic. */
  input(name: string, type: OnnxElementType, dims: OnnxDim[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Publishes `value` as graph output `name` (through an Identity when the names differ). */
  output(value: string, name: string, dims: OnnxDim[], type: OnnxElementType = 'float32'): string {
    if (value !== name) {
      this.claim(name);
      this.nodes.push({ input: [value], output: [name], name: `${name}/identity`, opType: 'Identity', attribute: [] });
    }
    this.outputs.push(valueInfo(name, type, dims));
    return name;
  }

  /**
   * Adds a constant tensor. Names are used as given (they are the tfjs variable names for
   * weights), so a reader of the ONNX file finds each weight under its training name. float16
   * weights are given as their IEEE half-precision bit patterns in a `Uint16Array`.
   */
  initializer(name: string, data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array, dims: number[], type?: OnnxElementType): string {
    const elementType = type ?? elementTypeOf(data);
    const count = dims.reduce((a, b) => a * b, 1);
    const elementBytes = elementType === 'int64' ? 8 : elementType === 'bool' ? 1 : elementType === 'float16' ? 2 : 4;
    if (data.byteLength !== count * elementBytes) {
      throw new FramewrightError('INVALID_PARAMS', `initializer ${name}: ${data.byteLength} bytes do not fill shape [${dims.join(', ')}] of ${elementType}`);
    }
    this.claim(name);
    this.initializers.set(name, { name, dims: [...dims], dataType: DATA_TYPE[elementType], rawData: littleEndianBytes(data) });
    return name;
  }

  /** A float32 constant with an automatic name. */
  constFloat(values: ArrayLike<number>, dims: number[] = [values.length]): string {
    return this.initializer(this.fresh('const'), Float32Array.from(values), dims, 'float32');
  }

  /** An int64 constant with an automatic name (shapes, axes, indices). */
  constInt64(values: readonly number[], dims: number[] = [values.length]): string {
    return this.initializer(this.fresh('const'), BigInt64Array.from(values.map((v) => BigInt(v))), dims, 'int64');
  }

  /** Adds a node with one output and returns that output's name. */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    const [output] = this.nodeWithOutputs(opType, inputs, 1, attributes);
    return output!;
  }

  /** Adds a node with `outputCount` outputs and returns their names. */
  nodeWithOutputs(opType: string, inputs: string[], outputCount: number, attributes: Record<string, AttributeValue> = {}): string[] {
    const nodeName = this.fresh(opType);
    const output = Array.from({ length: outputCount }, (_, i) => (outputCount === 1 ? nodeName : `${nodeName}:${i}`));
    for (const o of output) this.claim(o);
    const attribute = Object.entries(attributes).map(([name, value]) => encodeAttribute(name, value));
    this.nodes.push({ input: inputs, output, name: nodeName, opType, attribute });
    return output;
  }

  /** Runs `emit` with `scope` prefixed to every automatic name (e.g. `blocks.0.attn/MatMul_3`). */
  scoped<T>(scope: string, emit: () => T): T {
    this.scopes.push(scope);
    try {
      return emit();
    } finally {
      this.scopes.pop();
    }
  }

  /** The finished model. */
  toModel(options: OnnxModelOptions = {}): OnnxModel {
    const opset = options.opset ?? DEFAULT_ONNX_OPSET;
    const irVersion = ONNX_IR_VERSION_BY_OPSET[opset];
    if (irVersion === undefined) {
      throw new FramewrightError('INVALID_PARAMS', `unsupported ONNX opset ${opset}; supported: ${Object.keys(ONNX_IR_VERSION_BY_OPSET).join(', ')}`);
    }
    if (this.outputs.length === 0) throw new FramewrightError('INVALID_PARAMS', `ONNX graph ${this.name} has no outputs`);
    return {
      irVersion,
      opsetImport: [{ domain: '', version: opset }],
      producerName: 'framewright',
      producerVersion: VERSION,
      ...(options.docString === undefined ? {} : { docString: options.docString }),
      graph: {
        name: this.name,
        node: [...this.nodes],
        initializer: [...this.initializers.values()],
        input: [...this.inputs],
        output: [...this.outputs],
      },
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
  }

  /** The finished model as ONNX protobuf bytes. */
  toBytes(options: OnnxModelOptions = {}): Uint8Array {
    return encodeOnnxModel(this.toModel(options));
  }

  private fresh(base: string): string {
    const prefix = this.scopes.length > 0 ? `${this.scopes.join('.')}/` : '';
    let name: string;
    do name = `${prefix}${base}_${this.counter++}`;
    while (this.names.has(name));
    return name;
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new FramewrightError('INVALID_PARAMS', `ONNX graph ${this.name}: value name ${name} is used twice`);
    this.names.add(name);
  }
}

function valueInfo(name: string, type: OnnxElementType, dims: OnnxDim[]): OnnxValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function elementTypeOf(data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array): OnnxElementType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Uint16Array) return 'float16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  return 'bool';
}

/** ONNX raw_data is little-endian; typed arrays use the host order, so swap on big-endian hosts. */
function littleEndianBytes(data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Uint16Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (HOST_IS_LITTLE_ENDIAN || data.BYTES_PER_ELEMENT === 1) return bytes;
  const width = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  return bytes;
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function encodeAttribute(name: string, value: AttributeValue): OnnxAttribute {
  if (typeof value === 'string') return { name, type: ONNX_ATTRIBUTE_TYPE.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) {
    if (!value.every(Number.isInteger)) throw new FramewrightError('INVALID_PARAMS', `ONNX attribute ${name}: INTS must be integers`);
    return { name, type: ONNX_ATTRIBUTE_TYPE.INTS, ints: value };
  }
  if (typeof value === 'object') return { name, type: ONNX_ATTRIBUTE_TYPE.FLOAT, f: value.float };
  return Number.isInteger(value) ? { name, type: ONNX_ATTRIBUTE_TYPE.INT, i: value } : { name, type: ONNX_ATTRIBUTE_TYPE.FLOAT, f: value };
}
