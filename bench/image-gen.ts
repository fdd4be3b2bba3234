/**
 * `npm run bench:image-gen [-- --json] [--runs N] [--model ID --model-dir DIR]`
 *
 * The built-in image model (`framewright-shapes-32`) timed per image, in one run:
 * - at native size (32 px: MaskGIT decoding on ONNX Runtime + PNG encoding), and at 256 and
 *   512 px (the same plus ESRGAN upscaling on tfjs and the final resize), as image-gen runs it;
 * - the model's forward pass alone on ONNX Runtime and on tfjs: the tfjs model is rebuilt from
 *   the shipped ONNX file (its `framewright.config` metadata and its initializers, which carry
 *   the tfjs variable names), so both run the same weights; the max abs difference is reported.
 * Medians after warm-up; the target is ≤ 150 ms per native image on ONNX Runtime. `--model` runs
 * a framewright-builtin model pack instead of the shipped model.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodePng } from '../packages/core/src/image/index.js';
import { findModelPack } from '../packages/core/src/models/index.js';
import { builtinImageModelDir, readBuiltinModelInfo } from '../packages/core/src/builtin/image/model.js';
import { loadImageGenerator } from '../packages/core/src/ops/image-gen/models.js';
import { upscaleTo } from '../packages/core/src/ops/image-gen/upscale.js';
import { initTfjsBackend } from '../packages/core/src/runtime/tfjs-backend.js';
import { openOnnxSession } from '../packages/core/src/runtime/onnx-session.js';
import { decodeOnnxModel } from '../packages/core/src/onnx/proto.js';
import { TransformerModel, type TransformerModelConfig } from '../packages/core/src/transformer/model.js';
import { Rng } from '../packages/core/src/transformer/random.js';

const TARGET_NATIVE_MS = 150;
const PROMPTS = ['a red circle on a blue background', 'two small yellow squares top left on purple', 'large green triangle, bottom, white background'];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function timeRuns(warmup: number, runs: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  return times;
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** The shipped ONNX model rebuilt as a tfjs TransformerModel with the same weights. */
async function tfjsTwin(onnxPath: string): Promise<TransformerModel> {
  const model = decodeOnnxModel(await readFile(onnxPath));
  const configJson = model.metadataProps?.find((p) => p.key === 'framewright.config')?.value;
  if (configJson === undefined) throw new Error(`${onnxPath} has no framewright.config metadata`);
  const twin = new TransformerModel(JSON.parse(configJson) as TransformerModelConfig, new Rng(0));
  const wanted = twin.variables();
  const values = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const init of model.graph.initializer) {
    if (!wanted.has(init.name)) continue;
    const raw = init.rawData;
    values.set(init.name, { shape: init.dims.map(Number), data: new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)) });
  }
  twin.loadVariables(values, onnxPath);
  return twin;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { json: { type: 'boolean' }, runs: { type: 'string' }, model: { type: 'string' }, 'model-dir': { type: 'string' } },
    strict: true,
  });
  const runs = Number(values.runs ?? 10);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number, got ${values.runs}`);
  const tfjsBackend = await initTfjsBackend();
  const search = values['model-dir'] === undefined ? {} : { modelDirs: [values['model-dir']] };
  const generator = await loadImageGenerator(values.model, search);
  if (!generator.upscales) throw new Error(`${generator.id} is not a framewright-builtin model`);
  const steps = generator.defaultSteps;
  const never = new AbortController().signal;
  const draw = (i: number) => generator.generate({ prompt: PROMPTS[i % PROMPTS.length]!, seed: i, steps, width: 32, height: 32 }, () => undefined, never);

  const latency: Record<string, number> = {};
  latency['native'] = median(await timeRuns(2, runs, async (i) => encodePng((await draw(i)).image)));
  for (const size of [256, 512]) {
    latency[String(size)] = median(await timeRuns(1, runs, async (i) => encodePng(await upscaleTo((await draw(i)).image, size, size))));
  }

  // The forward pass alone, both runtimes on the same weights and the same token sequence.
  const dir = values.model === undefined ? builtinImageModelDir() : (await findModelPack(values.model, search)).dir;
  const info = await readBuiltinModelInfo(dir);
  const onnxPath = join(dir, info.onnx);
  const session = await openOnnxSession(onnxPath, { intraOpThreads: 1 });
  const twin = await tfjsTwin(onnxPath);
  const seq = info.sequence;
  const rng = new Rng(11);
  const ids = Int32Array.from({ length: seq }, () => rng.int(info.vocabularySize));
  const ortForward = async () => (await session.run({ ids: { data: ids, dims: [1, seq] } }))['output']!.data as Float32Array;
  const tfjsForward = async () => {
    const out = tf.tidy(() => twin.forward(tf.tensor2d(ids, [1, seq], 'int32')));
    const data = (await out.data()) as Float32Array;
    out.dispose();
    return data;
  };
  const ortMs = median(await timeRuns(3, runs * 3, ortForward));
  const tfjsMs = median(await timeRuns(3, runs * 3, tfjsForward));
  const [a, b] = [await ortForward(), await tfjsForward()];
  const maxAbsDiff = a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i]!)), 0);

  const report = {
    model: generator.id,
    steps,
    runs,
    perImageMs: { native32: round(latency['native']!), px256: round(latency['256']!), px512: round(latency['512']!) },
    nativeTargetMs: TARGET_NATIVE_MS,
    nativeMeetsTarget: latency['native']! <= TARGET_NATIVE_MS,
    forward: { onnxRuntimeMs: round(ortMs, 3), tfjsMs: round(tfjsMs, 3), tfjsBackend: tfjsBackend.engineName, speedup: round(tfjsMs / ortMs), maxAbsDiff },
  };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`image-gen bench: ${report.model}, ${steps} decoding steps, median of ${runs}`);
  console.log(`  per image, native 32 px (ONNX Runtime): ${report.perImageMs.native32} ms  (target ≤ ${TARGET_NATIVE_MS} ms: ${report.nativeMeetsTarget ? 'met' : 'MISSED'})`);
  console.log(`  per image, 256 px (+ ESRGAN ×8, resize):  ${report.perImageMs.px256} ms`);
  console.log(`  per image, 512 px (+ ESRGAN ×8, resize):  ${report.perImageMs.px512} ms`);
  console.log(`  forward pass [1, ${seq}]: ONNX Runtime ${report.forward.onnxRuntimeMs} ms, tfjs (${report.forward.tfjsBackend}) ${report.forward.tfjsMs} ms, ` + `ORT ${report.forward.speedup}× faster, max |diff| ${maxAbsDiff.toExponential(2)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:image-gen failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
