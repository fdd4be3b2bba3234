import protobuf from 'protobufjs';

/**
 * The subset of `onnx.proto3` (github.com/onnx/onnx, onnx/onnx.proto3) that the exporter writes
 * and the inspector reads, as a protobufjs reflection descriptor. Field numbers are the
 * upstream ones; messages and fields the exporter never uses (training info, sparse tensors,
 * functions, sequence/map types) are left out, which protobuf readers skip over as unknown.
 */
const ONNX_DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            floats: { rule: 'repeated', type: 'float', id: 7, options: { packed: true } },
            ints: { rule: 'repeated', type: 'int64', id: 8, options: { packed: true } },
            strings: { rule: 'repeated', type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            docString: { type: 'string', id: 3 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
          },
        },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        StringStringEntryProto: {
          fields: {
            key: { type: 'string', id: 1 },
            value: { type: 'string', id: 2 },
          },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1, options: { packed: true } },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: 'repeated', type: 'float', id: 4, options: { packed: true } },
            int32Data: { rule: 'repeated', type: 'int32', id: 5, options: { packed: true } },
            int64Data: { rule: 'repeated', type: 'int64', id: 7, options: { packed: true } },
            name: { type: 'string', id: 8 },
            docString: { type: 'string', id: 12 },
            rawData: { type: 'bytes', id: 9 },
            externalData: { rule: 'repeated', type: 'StringStringEntryProto', id: 13 },
            dataLocation: { type: 'int32', id: 14 },
          },
        },
        TensorShapeProto: {
          fields: {
            dim: { rule: 'repeated', type: 'Dimension', id: 1 },
          },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: {
                dimValue: { type: 'int64', id: 1 },
                dimParam: { type: 'string', id: 2 },
                denotation: { type: 'string', id: 3 },
              },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: {
            tensorType: { type: 'Tensor', id: 1 },
            denotation: { type: 'string', id: 6 },
          },
          nested: {
            Tensor: {
              fields: {
                elemType: { type: 'int32', id: 1 },
                shape: { type: 'TensorShapeProto', id: 2 },
              },
            },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: { type: 'string', id: 1 },
            version: { type: 'int64', id: 2 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(ONNX_DESCRIPTOR);
const modelType = root.lookupType('onnx.ModelProto');

/** `TensorProto.DataType` values used by the exporter. */
export const ONNX_DATA_TYPE = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10 } as const;

/** `AttributeProto.AttributeType` values used by the exporter. */
export const ONNX_ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7 } as const;

/** One dimension of a value's shape: a fixed size or a symbolic name such as `"batch"`. */
export type OnnxDim = number | string;

/** A `TensorProto` as the exporter writes it (always `raw_data`, little-endian). */
export interface OnnxTensor {
  /** Initializer name (a dotted variable name for weights). */
  name: string;
  /** Shape. */
  dims: number[];
  /** `TensorProto.DataType` ({@link ONNX_DATA_TYPE}). */
  dataType: number;
  /** Elements, fixed width, little-endian (empty when they are in an external file). */
  rawData: Uint8Array;
  /** Where external data lives: `location`, `offset`, `length` (ONNX's external-data keys). */
  externalData?: Array<{ key: string; value: string }>;
  /** 1 (`EXTERNAL`) when the elements are in the file named by `externalData`. */
  dataLocation?: number;
}

/** An `AttributeProto` in the shape protobufjs encodes. */
export interface OnnxAttribute {
  /** Attribute name (`axis`, `epsilon`, `perm`, …). */
  name: string;
  /** `AttributeProto.AttributeType` ({@link ONNX_ATTRIBUTE_TYPE}); says which value field is set. */
  type: number;
  /** FLOAT value. */
  f?: number;
  /** INT value. */
  i?: number;
  /** STRING value (UTF-8). */
  s?: Uint8Array;
  /** TENSOR value. */
  t?: OnnxTensor;
  /** GRAPH value: the body of a control-flow node (`If` branches), which may read the outer graph's values by name. */
  g?: OnnxGraph;
  /** FLOATS value. */
  floats?: number[];
  /** INTS value. */
  ints?: number[];
}

/** A `NodeProto` in the shape protobufjs encodes. */
export interface OnnxNode {
  /** Names of the values it reads. */
  input: string[];
  /** Names of the values it produces. */
  output: string[];
  /** Node name (unique in the graph). */
  name: string;
  /** Operator (`MatMul`, `LayerNormalization`, …). */
  opType: string;
  /** Operator domain; empty for the default ONNX domain. */
  domain?: string;
  /** Attributes. */
  attribute: OnnxAttribute[];
}

/** A `ValueInfoProto` for a float/int tensor with a (partly symbolic) shape. */
export interface OnnxValueInfo {
  /** Value name. */
  name: string;
  /** Element type and shape; a `dimParam` names a dynamic axis. */
  type: { tensorType: { elemType: number; shape: { dim: Array<{ dimValue: number } | { dimParam: string }> } } };
  /** Free text. */
  docString?: string;
}

/** A `GraphProto` in the shape protobufjs encodes. */
export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
}

/** A `ModelProto` in the shape protobufjs encodes. */
export interface OnnxModel {
  /** IR version (8 for opsets 17–18, 9 for 19–20, 10 for 21). */
  irVersion: number;
  /** Operator sets used; `''` is the default ONNX domain. */
  opsetImport: Array<{ domain: string; version: number }>;
  /** `framewright`. */
  producerName: string;
  /** Producer version. */
  producerVersion: string;
  /** Free text. */
  docString?: string;
  /** The graph: nodes in topological order, weights as initializers, named inputs and outputs. */
  graph: OnnxGraph;
  /** Key/value metadata (`framewright.config`, …). */
  metadataProps: Array<{ key: string; value: string }>;
}

/** Serialises a model to ONNX protobuf bytes. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  return modelType.encode(modelType.fromObject(model)).finish();
}

/**
 * Parses ONNX protobuf bytes into plain objects (int64 as numbers, bytes as Uint8Array).
 * Throws protobufjs's error (e.g. "index out of range") on bytes that are not a well-formed
 * message; callers turn that into a `FramewrightError`.
 */
export function decodeOnnxModel(bytes: Uint8Array): OnnxModel {
  const message = modelType.decode(bytes);
  return modelType.toObject(message, { longs: Number, defaults: true, arrays: true }) as OnnxModel;
}
