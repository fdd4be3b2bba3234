/**
 * The ONNX exporter: transformer components → ONNX models, written by this project with
 * protobufjs (no Python). {@link exportToOnnx} / {@link writeOnnxModel} export a component or a
 * whole model; {@link inspectOnnxModel} reads a file's structure back; {@link OnnxGraphBuilder}
 * builds graphs by hand.
 *
 * Any new export added here becomes public API.
 * @packageDocumentation
 */
export { exportToOnnx, writeOnnxModel, type OnnxExport } from './export.js';
export { COMPONENT_EXPORTERS, type ComponentExporter, type OnnxExportOptions } from './exporters.js';
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
export { OnnxEmitter, type ExportValueSpec } from './emitter.js';
export { encodeOnnxModel, decodeOnnxModel, ONNX_DATA_TYPE, type OnnxDim, type OnnxModel } from './proto.js';
