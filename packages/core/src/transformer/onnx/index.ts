/**
 * The ONNX exporter: transformer components → ONNX models, written by this project with
 * protobufjs (no Python). {@link exportToOnnx} / {@link writeOnnxModel} export a component or a
 * whole model; {@link sampleModelFeeds} and {@link maxAbsDiffVsTfjs} check an export in ONNX
 * Runtime against the tfjs forward pass. The file format itself (the graph builder, reading a model
 * back) is the onnx room's.
 *
 * Any new export added here becomes public API.
 * @packageDocumentation
 */
export { exportToOnnx, writeOnnxModel, type OnnxExport } from './export.js';
export { COMPONENT_EXPORTERS, type ComponentExporter, type OnnxExportOptions } from './exporters.js';
export { DEFAULT_ONNX_OPSET, ONNX_IR_VERSION_BY_OPSET } from '../../onnx/index.js';
export { OnnxEmitter, type ExportValueSpec } from './emitter.js';
export { sampleModelFeeds, maxAbsDiffVsTfjs, type SampleFeedOptions } from './verify.js';
