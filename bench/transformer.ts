/**
 * `npm run bench:transformer [-- --json] [--threads N] [--backends wasm,cpu] [--iterations N]`
 *
 * The reference transformer (the trainer's `reverse-reference` preset: batch 8, sequence 64,
 * width 128, 4 heads, FFN 512, 4 blocks, GELU, 64-token vocabulary and head) timed three ways:
 * tfjs forward and tfjs train step (the trainer's step: task loss gradients, clipping, AdamW) on
 * each requested tfjs backend, and ONNX Runtime forward on the model this project exports. Reports medians after warm-up, GFLOP/s from an analytic FLOP count, the
 * ORT-over-tfjs speedup and the max abs difference between the two forwards on the same input.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initTfjsBackend } from '../packages/core/src/runtime/tfjs-backend.js';
import { closeOnnxSessions, openOnnxSession } from '../packages/core/src/runtime/onnx-session.js';
import { writeOnnxModel } from '../packages/core/src/transformer/onnx/export.js';
import { TransformerModel, type TransformerModelConfig } from '../packages/core/src/transformer/model.js';
import { Rng } from '../packages/core/src/transformer/random.js';
import { SEQUENCE_TASKS, TRAIN_PRESETS, AdamW, batchTensors, clipByGlobalNorm, findTask, type TensorBatch } from '../packages/core/src/train/index.js';

/** The reference config of issue 3, as the trainer's `reverse-reference` preset defines it. */
const PRESET = TRAIN_PRESETS['reverse-reference']!;
const REFERENCE: TransformerModelConfig = PRESET.model;
const BATCH = PRESET.batchSize;
const SEQ = 64;

/**
 * Forward FLOPs (a multiply-add counts 2) of the matrix products, which are all but a few
 * percent of the work: per block Q/K/V/O projections, QKᵀ and P·V, the two FFN layers; then the head.
 */
function forwardFlops(c: TransformerModelConfig, batch: number, seq: number): number {
  const tokens = batch * seq;
  const perBlock = 4 * 2 * tokens * c.width * c.width + 2 * 2 * batch * seq * seq * c.width + 2 * 2 * tokens * c.width * c.ffnHidden;
  return c.blocks * perBlock + 2 * tokens * c.width * (c.outputSize ?? 0);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One timed call: wall-clock ms and this process's CPU ms (user + system). */
interface Sample {
  wall: number;
  cpu: number;
}

/**
 * Times one call. Both runtimes compute on this thread here (tfjs WASM is single-threaded; ONNX
 * Runtime runs with one intra-op thread on the caller), so CPU time is the work itself, which
 * other processes on a shared machine inflate far less than wall time.
 */
async function timed(fn: () => unknown): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/** Runs `fn` `warmup` times untimed, then `runs` times; returns the samples. */
async function timeRuns(warmup: number, runs: number, fn: () => unknown): Promise<Sample[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await timed(fn));
  return samples;
}

const wallMedian = (samples: Sample[]): number => median(samples.map((x) => x.wall));
const cpuMedian = (samples: Sample[]): number => median(samples.map((x) => x.cpu));

/**
 * Times `a` and `b` in alternation (one call of each per round, after `warmup` untimed rounds),
 * so that load from other processes on a shared machine weighs on both alike.
 */
async function timeInterleaved(warmup: number, runs: number, a: () => unknown, b: () => unknown): Promise<[Sample[], Sample[]]> {
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const ta: Sample[] = [];
  const tb: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    ta.push(await timed(a));
    tb.push(await timed(b));
  }
  return [ta, tb];
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

interface TfjsResult {
  backend: string;
  forwardMs: number;
  forwardCpuMs: number;
  trainStepMs: number;
  gflops: number;
  trainGflops: number;
}

/**
 * Forward and train-step medians on the current tfjs backend. A train step is the trainer's:
 * gradients of the task loss, global-norm clipping, one AdamW update.
 */
async function benchTfjs(model: TransformerModel, batch: TensorBatch, iterations: number, ortForward: () => Promise<unknown>): Promise<{ tfjs: TfjsResult; ortTimes: Sample[] }> {
  const backend = tf.getBackend();
  const slow = backend === 'cpu';
  const forward = () => tf.tidy(() => model.forward(batch['inputs']!)).data();
  const [forwardTimes, ortTimes] = await timeInterleaved(slow ? 1 : 3, slow ? 3 : iterations, forward, ortForward);
  const forwardMs = wallMedian(forwardTimes);
  const task = findTask(SEQUENCE_TASKS, PRESET.task);
  const variables = model.variables();
  const varList = [...variables.values()];
  const nameOf = new Map([...variables].map(([n, v]) => [v.name, n]));
  const optimizer = new AdamW({ kind: 'adamw', lr: PRESET.optimizer.lr, weightDecay: 0.01 });
  const rng = new Rng(3);
  const step = async () => {
    const { value, grads } = tf.variableGrads(() => task.loss(model, batch, rng), varList);
    const named = new Map(Object.entries(grads).map(([k, g]) => [nameOf.get(k) ?? k, g]));
    clipByGlobalNorm(named, PRESET.clipNorm ?? 1);
    optimizer.apply(variables, named, PRESET.optimizer.lr);
    tf.dispose([...named.values()]);
    await value.data();
    value.dispose();
  };
  const trainStepMs = wallMedian(await timeRuns(slow ? 1 : 2, slow ? 2 : Math.max(3, Math.ceil(iterations / 4)), step));
  optimizer.dispose();
  const flops = forwardFlops(model.config, BATCH, SEQ);
  return {
    tfjs: { backend, forwardMs: round(forwardMs), forwardCpuMs: round(cpuMedian(forwardTimes)), trainStepMs: round(trainStepMs), gflops: round(flops / forwardMs / 1e6), trainGflops: round((3 * flops) / trainStepMs / 1e6) },
    ortTimes,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { json: { type: 'boolean' }, threads: { type: 'string' }, backends: { type: 'string' }, iterations: { type: 'string' } },
    strict: true,
  });
  const threads = Number(values.threads ?? 1);
  const iterations = Number(values.iterations ?? 20);
  if (!Number.isInteger(threads) || threads < 0) throw new Error(`--threads must be a whole number (0 = all cores), got ${values.threads}`);
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`--iterations must be a positive whole number, got ${values.iterations}`);

  const chosen = await initTfjsBackend();
  const backends = values.backends?.split(',').map((b) => b.trim()) ?? [chosen.engineName];
  const model = new TransformerModel(REFERENCE, new Rng(1));
  const first = await findTask(SEQUENCE_TASKS, PRESET.task).dataset(REFERENCE).batches({ seed: PRESET.seed, batchSize: BATCH, start: 0 })[Symbol.asyncIterator]().next();
  const batch = batchTensors(first.value!);
  const ids = batch['inputs']!;
  const idData = (await ids.data()) as Int32Array;

  // Parity first, before training steps change the weights.
  const dir = await mkdtemp(join(tmpdir(), 'fw-bench-transformer-'));
  try {
    const path = join(dir, 'reference.onnx');
    await writeOnnxModel(model, path);
    const session = await openOnnxSession(path, { intraOpThreads: threads });
    const feeds = { ids: { data: idData, dims: [BATCH, SEQ] } };
    const want = tf.tidy(() => model.forward(ids)).dataSync();
    const got = (await session.run(feeds)).output!.data as Float32Array;
    let maxAbsDiff = 0;
    for (let i = 0; i < want.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(want[i]! - got[i]!));
    const ortForward = () => session.run(feeds);
    for (let i = 0; i < 5; i++) await ortForward();

    const results: TfjsResult[] = [];
    const ortTimes: Sample[] = [];
    for (const name of backends) {
      if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} is not available (registered: ${Object.keys(tf.engine().registryFactory).join(', ')})`);
      const measured = await benchTfjs(model, batch, iterations, ortForward);
      results.push(measured.tfjs);
      ortTimes.push(...measured.ortTimes);
    }
    const ortMs = wallMedian(ortTimes);
    const ortCpuMs = cpuMedian(ortTimes);
    const flops = forwardFlops(REFERENCE, BATCH, SEQ);
    const primary = results[0]!;
    const report = {
      config: { batch: BATCH, seq: SEQ, width: REFERENCE.width, heads: REFERENCE.heads, ffn: REFERENCE.ffnHidden, blocks: REFERENCE.blocks, preset: 'reverse-reference' },
      forwardGflop: round(flops / 1e9, 3),
      tfjs: primary,
      tfjsBackends: results,
      ort: { forwardMs: round(ortMs), forwardCpuMs: round(ortCpuMs), gflops: round(flops / ortMs / 1e6), provider: session.provider, threads },
      speedup: round(primary.forwardMs / ortMs),
      cpuTimeSpeedup: round(primary.forwardCpuMs / ortCpuMs),
      maxAbsDiff,
    };
    if (values.json === true) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      const rows = [
        ...results.map((r) => [`tfjs ${r.backend} forward`, r.forwardMs, r.gflops]),
        ...results.map((r) => [`tfjs ${r.backend} train step`, r.trainStepMs, r.trainGflops]),
        [`onnxruntime ${session.provider} forward (${threads === 0 ? 'all cores' : `${threads} thread${threads === 1 ? '' : 's'}`})`, report.ort.forwardMs, report.ort.gflops],
      ];
      process.stdout.write(`Reference transformer: batch ${BATCH}, seq ${SEQ}, width ${REFERENCE.width}, ${REFERENCE.heads} heads, FFN ${REFERENCE.ffnHidden}, ${REFERENCE.blocks} blocks (${report.forwardGflop} GFLOP per forward)\n\n`);
      process.stdout.write(`${'what'.padEnd(44)} ${'median ms'.padStart(10)} ${'GFLOP/s'.padStart(9)}\n`);
      for (const [what, ms, gf] of rows) process.stdout.write(`${String(what).padEnd(44)} ${String(ms).padStart(10)} ${String(gf).padStart(9)}\n`);
      process.stdout.write(
        `\nforward CPU time (median): tfjs ${primary.forwardCpuMs} ms, ONNX Runtime ${report.ort.forwardCpuMs} ms → ${report.cpuTimeSpeedup}× (forwards timed alternately)\n`,
      );
      process.stdout.write(`\nspeedup (tfjs ${primary.backend} forward / ONNX Runtime forward): ${report.speedup}×\n`);
      process.stdout.write(`max abs difference tfjs vs ONNX Runtime: ${maxAbsDiff.toExponential(2)}\n`);
    }
  } finally {
    await closeOnnxSessions();
    await rm(dir, { recursive: true, force: true });
    model.dispose();
    tf.dispose(Object.values(batch));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:transformer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
