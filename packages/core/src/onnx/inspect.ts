import { FramewrightError, oneLine } from '../protocol/errors.js';
import { decodeOnnxModel, type OnnxDim, type OnnxValueInfo } from './proto.js';

/** A graph input or output as the model file declares it. */
export interface OnnxValueSummary {
  /** Value name. */
  name: string;
  /** `TensorProto.DataType` number (1 = float32, 7 = int64). */
  elemType: number;
  /** Fixed sizes as numbers, symbolic (dynamic) axes by name. */
  dims: OnnxDim[];
}

/** What an ONNX file holds, read without starting a runtime. */
export interface OnnxModelSummary {
  /** IR version. */
  irVersion: number;
  /** Opset version per domain (`''` is the default ONNX domain). */
  opsets: Record<string, number>;
  /** Producer name. */
  producer: string;
  /** Graph inputs that are not initializers. */
  inputs: OnnxValueSummary[];
  /** Graph outputs. */
  outputs: OnnxValueSummary[];
  /** Number of nodes. */
  nodeCount: number;
  /** Distinct operator types, sorted. */
  opTypes: string[];
  /** Initializer names (weights under their dotted variable names, then constants). */
  initializerNames: string[];
  /** Total number of elements over all initializers (weights and constants). */
  parameterCount: number;
  /** Metadata properties. */
  metadata: Record<string, string>;
}

/**
 * Reads the structure of an ONNX model (opset, inputs, outputs, operators) from its bytes.
 * `what` names the file in errors.
 *
 * @throws FramewrightError `MODEL_INVALID` when the bytes are not an ONNX model: not protobuf,
 *   truncated, or a message without a graph or opset.
 */
export function inspectOnnxModel(bytes: Uint8Array, what: string): OnnxModelSummary {
  if (bytes.byteLength === 0) throw new FramewrightError('MODEL_INVALID', `not an ONNX model: ${what} is empty`);
  let model;
  try {
    model = decodeOnnxModel(bytes);
  } catch (error) {
    const reason = error instanceof Error ? oneLine(error.message) : String(error);
    throw new FramewrightError('MODEL_INVALID', `not an ONNX model: ${what} does not parse as ONNX protobuf (${reason})`, { cause: error });
  }
  const graph = model.graph;
  if (!graph || graph.node.length === 0 || graph.output.length === 0) {
    throw new FramewrightError('MODEL_INVALID', `not an ONNX model: ${what} has no graph with nodes and outputs`);
  }
  if (model.opsetImport.length === 0 || !(model.irVersion > 0)) {
    throw new FramewrightError('MODEL_INVALID', `not an ONNX model: ${what} declares no IR version or opset`);
  }
  const initializerNames = new Set(graph.initializer.map((t) => t.name));
  return {
    irVersion: model.irVersion,
    opsets: Object.fromEntries(model.opsetImport.map((o) => [o.domain, o.version])),
    producer: model.producerName,
    inputs: graph.input.filter((v) => !initializerNames.has(v.name)).map(summarise),
    outputs: graph.output.map(summarise),
    nodeCount: graph.node.length,
    opTypes: [...new Set(graph.node.map((n) => n.opType))].sort(),
    initializerNames: graph.initializer.map((t) => t.name),
    parameterCount: graph.initializer.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0),
    metadata: Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value])),
  };
}

function summarise(value: OnnxValueInfo): OnnxValueSummary {
  const tensor = value.type?.tensorType;
  const dims = (tensor?.shape?.dim ?? []).map((d): OnnxDim => ('dimParam' in d && d.dimParam ? d.dimParam : 'dimValue' in d ? d.dimValue : '?'));
  return { name: value.name, elemType: tensor?.elemType ?? 0, dims };
}
