import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { FramewrightError } from '../../protocol/index.js';
import { createOnnxSession } from '../../runtime/onnx-session.js';
import { maxAbsDiffVsTfjs, sampleModelFeeds } from '../../transformer/onnx/verify.js';
import { initTfjsBackend } from '../../runtime/tfjs-backend.js';
import { latestCheckpoint, loadModel } from '../../train/checkpoint.js';
import { writeOnnxModel } from '../../transformer/onnx/export.js';
import { DEFAULT_ONNX_OPSET, ONNX_IR_VERSION_BY_OPSET, type OnnxModelSummary } from '../../onnx/index.js';
import { Rng } from '../../transformer/random.js';
import { booleanFlag, numberFlag, parseFlags, positionalArgs, stringFlag } from '../args.js';
import { usageError } from '../exit-codes.js';
import { withCleanOutputDir } from './output-dir.js';
import type { Command } from './types.js';

const FLAGS = {
  checkpoint: { type: 'string' },
  out: { type: 'string', short: 'o' },
  opset: { type: 'string' },
  ema: { type: 'boolean' },
  mask: { type: 'boolean' },
  'context-mask': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const OPSETS = Object.keys(ONNX_IR_VERSION_BY_OPSET).map(Number);

const HELP = `Usage: framewright export-onnx --checkpoint DIR --out FILE.onnx [options]

Exports a trained transformer to an ONNX model for ONNX Runtime: the forward pass as ONNX
operators, the weights under their training names, named inputs (ids | features | images,
timestep, context, ...) and output "output", with dynamic batch and sequence. The written file
is then loaded in ONNX Runtime and checked against the tfjs forward on random inputs.

Options:
  --checkpoint DIR   a run folder (its latest checkpoint) or one checkpoint folder
  -o, --out FILE     the .onnx file to write (folders are created)
  --opset N          ONNX opset, ${OPSETS[0]}–${OPSETS[OPSETS.length - 1]} (default ${DEFAULT_ONNX_OPSET}; 20+ writes GELU as one Gelu node)
  --ema              export the EMA weights (when the run kept them)
  --mask             add a key padding mask input "mask" [batch, seq]
  --context-mask     add a context padding mask input "context_mask" [batch, contextSeq]
  --json             print the result as one JSON object
  -h, --help         show this help`;

/** What `framewright export-onnx --json` prints. */
export interface ExportOnnxResult {
  /** The written model. */
  path: string;
  /** The checkpoint folder the weights came from. */
  checkpoint: string;
  /** File size in bytes. */
  bytes: number;
  /** Structure of the written model (opset, inputs, outputs, operators). */
  model: OnnxModelSummary;
  /** Largest |tfjs − ONNX Runtime| over the verification batch. */
  maxAbsDiff: number;
  /** Execution provider the verification ran on. */
  provider: string;
}

/** A run folder holds `latest.json`; anything else is taken as one checkpoint folder. */
async function checkpointFolder(dir: string): Promise<string> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) throw new FramewrightError('INPUT_NOT_FOUND', `checkpoint folder not found: ${dir}`);
  if (!info.isDirectory()) throw new FramewrightError('CHECKPOINT_INVALID', `--checkpoint must be a folder: ${dir}`);
  return (await latestCheckpoint(dir)) ?? dir;
}

/** `framewright export-onnx`. */
export const exportOnnxCommand: Command = {
  name: 'export-onnx',
  help: HELP,
  async run(argv, io) {
    const args = parseFlags('export-onnx', argv, FLAGS);
    positionalArgs('export-onnx', args, []);
    const checkpointArg = stringFlag(args, 'checkpoint');
    const outArg = stringFlag(args, 'out');
    if (checkpointArg === undefined) throw usageError('export-onnx: --checkpoint DIR is required');
    if (outArg === undefined) throw usageError('export-onnx: --out FILE.onnx is required');
    const opset = numberFlag('export-onnx', args, 'opset', { integer: true, min: OPSETS[0]!, max: OPSETS[OPSETS.length - 1]! }) ?? DEFAULT_ONNX_OPSET;
    const options = { opset, keyMask: booleanFlag(args, 'mask'), contextMask: booleanFlag(args, 'context-mask') };
    const out = resolve(io.cwd, outArg);
    if ((await stat(out).catch(() => undefined))?.isDirectory()) throw usageError(`export-onnx: --out ${out} is a folder; name the .onnx file`);

    const checkpoint = await checkpointFolder(resolve(io.cwd, checkpointArg));
    await initTfjsBackend(io.env as NodeJS.ProcessEnv);
    const model = await loadModel(checkpoint, { ema: booleanFlag(args, 'ema') });
    let result: ExportOnnxResult;
    try {
      result = await withCleanOutputDir(dirname(out), async () => {
        await mkdir(dirname(out), { recursive: true });
        const summary = await writeOnnxModel(model, out, options);
        try {
          const session = await createOnnxSession(out, { intraOpThreads: 1 });
          const feeds = sampleModelFeeds(model.config, 2, new Rng(0), options);
          const maxAbsDiff = await maxAbsDiffVsTfjs(model, session, feeds);
          await session.release();
          // Float32 rounding differs between the two runtimes; anything beyond it is an exporter bug.
          if (!(maxAbsDiff <= 1e-3)) {
            throw new FramewrightError('INTERNAL', `exported model differs from the tfjs model by ${maxAbsDiff} (limit 1e-3); ${out} was not kept`);
          }
          return { path: out, checkpoint, bytes: (await stat(out)).size, model: summary, maxAbsDiff, provider: session.provider };
        } catch (error) {
          await rm(out, { force: true });
          throw error;
        }
      });
    } finally {
      model.dispose();
    }
    if (booleanFlag(args, 'json')) {
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    const dims = (v: { name: string; dims: Array<number | string> }) => `${v.name} [${v.dims.join(', ')}]`;
    io.stdout.write(
      [
        `wrote ${result.path} (${(result.bytes / 1e6).toFixed(2)} MB, opset ${opset}, ${result.model.parameterCount.toLocaleString('en-US')} stored values)`,
        `  from    ${result.checkpoint}`,
        `  inputs  ${result.model.inputs.map(dims).join(', ')}`,
        `  output  ${result.model.outputs.map(dims).join(', ')}`,
        `  checked in ONNX Runtime (${result.provider}): max |tfjs − onnx| = ${result.maxAbsDiff.toExponential(2)}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
