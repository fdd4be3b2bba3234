import { FramewrightError } from '../../protocol/errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import type { Module } from '../module.js';
import { COMPONENT_EXPORTERS, type ComponentExporter, type OnnxExportOptions } from './exporters.js';
import { OnnxEmitter } from './emitter.js';
import { DEFAULT_ONNX_OPSET, inspectOnnxModel, type OnnxModelSummary } from '../../onnx/index.js';

/** An exported model: its bytes and what a reader of the file will find in it. */
export interface OnnxExport {
  /** ONNX protobuf bytes. */
  bytes: Uint8Array;
  /** Opset, named inputs/outputs with their dynamic axes, operator list, parameter count. */
  summary: OnnxModelSummary;
}

/** Finds the exporter for `component`'s class. */
function exporterFor(component: Module<unknown>): ComponentExporter {
  const exporter = COMPONENT_EXPORTERS.find((x) => x.matches(component));
  if (exporter === undefined) {
    throw new FramewrightError('INVALID_PARAMS', `ONNX export: no exporter for ${component.constructor.name}; exportable: ${COMPONENT_EXPORTERS.map((x) => x.kind).join(', ')}`);
  }
  return exporter;
}

/**
 * Exports a transformer component (or a whole model) to an ONNX model: the component's forward
 * pass rebuilt from ONNX operators, its variables as float32 initializers under their dotted
 * names, named inputs and outputs, dynamic batch (and sequence, where the component allows),
 * and the component's config as the `framewright.config` metadata entry.
 *
 * @example
 * ```ts
 * const attn = new MultiHeadAttention({ width: 128, heads: 4 });
 * const { bytes, summary } = exportToOnnx(attn, { causal: true });
 * summary.inputs; // [{ name: 'x', elemType: 1, dims: ['batch', 'seq', 128] }]
 * ```
 * @throws FramewrightError `INVALID_PARAMS` for a component without an exporter or an
 *   unsupported opset; `MODEL_INVALID` when an emitter and the component disagree on a variable
 */
export function exportToOnnx(component: Module<unknown>, options: OnnxExportOptions = {}): OnnxExport {
  const opset = options.opset ?? DEFAULT_ONNX_OPSET;
  const exporter = exporterFor(component);
  const e = new OnnxEmitter(exporter.kind, component.variables(), opset);
  const inputs = exporter.inputs(component, options).map((spec) => e.g.input(spec.name, spec.type, spec.dims));
  const output = exporter.emit(e, component, inputs, options);
  const spec = exporter.output(component, options);
  e.g.output(output, spec.name, spec.dims);
  const unused = e.unusedVariables();
  if (unused.length > 0) {
    throw new FramewrightError('MODEL_INVALID', `ONNX export of ${exporter.kind} left variables out of the graph: ${unused.join(', ')}`);
  }
  const bytes = e.g.toBytes({
    opset,
    docString: `${exporter.kind} exported by Framewright`,
    metadata: {
      'framewright.component': exporter.kind,
      'framewright.config': JSON.stringify(component.config),
      'framewright.exportOptions': JSON.stringify({ ...options, opset }),
    },
  });
  return { bytes, summary: inspectOnnxModel(bytes, exporter.kind) };
}

/**
 * {@link exportToOnnx} written to `path` atomically (temporary name, then rename).
 * @returns the summary of the written model
 */
export async function writeOnnxModel(component: Module<unknown>, path: string, options: OnnxExportOptions = {}): Promise<OnnxModelSummary> {
  const { bytes, summary } = exportToOnnx(component, options);
  await writeFileAtomic(path, bytes);
  return summary;
}
