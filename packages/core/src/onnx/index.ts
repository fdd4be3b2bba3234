/**
 * The ONNX file format, written by this project with protobufjs: the protobuf codec of
 * `ModelProto`, {@link OnnxGraphBuilder}, which builds graphs node by node, and
 * {@link inspectOnnxModel}, which reads a model's inputs, outputs and opset back.
 * Pure data: no ONNX Runtime, no tfjs. The exporter (transformer/onnx) writes these files and
 * runtime reads them.
 * @packageDocumentation
 */
export { encodeOnnxModel, decodeOnnxModel, ONNX_DATA_TYPE, ONNX_ATTRIBUTE_TYPE } from './proto.js';
export type { OnnxDim, OnnxGraph, OnnxModel, OnnxTensor, OnnxAttribute, OnnxNode, OnnxValueInfo } from './proto.js';
export { inspectOnnxModel, type OnnxModelSummary, type OnnxValueSummary } from './inspect.js';
export {
  OnnxGraphBuilder,
  floatAttr,
  DEFAULT_ONNX_OPSET,
  ONNX_IR_VERSION_BY_OPSET,
  type AttributeValue,
  type FloatAttribute,
  type OnnxElementType,
  type OnnxModelOptions,
} from './graph-builder.js';
