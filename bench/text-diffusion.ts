// Trains a small text-conditioned diffusion transformer on the procedural shapes
// (`shapes-diffusion`: v-prediction, timestep + pooled prompt in adaLN, cross-attention on its own
// prompt encoder) from scratch on one tfjs-wasm thread, then samples one picture for each of N
// captions of scenes it was not shown (fresh seeds) and reads them back with the analytic checker.
// Prints background colour, object colour and position accuracy next to their chance rates,
// the training time and the time per step, and the ONNX parity of the trained model.
//
//   npm run bench:text-diffusion                         (or: npx tsx bench/text-diffusion.ts --json)
//   options: --steps N (default 600)  --batch N (16)  --prompts N (40)  --size 16|32  --guidance W[,W…] (2)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_TASKS, COLOUR_NAMES, POSITIONS, describeScene, sampleDiffusion, sampleScene, shapesCaptionTokenizer } from '../packages/core/src/builtin/index.js';
import { createOnnxSession } from '../packages/core/src/runtime/onnx-session.js';
import { initTfjsBackend } from '../packages/core/src/runtime/tfjs-backend.js';
import { type TrainConfig, train } from '../packages/core/src/train/index.js';
import { exportToOnnx, maxAbsDiffVsTfjs, sampleModelFeeds } from '../packages/core/src/transformer/onnx/index.js';
import { Rng } from '../packages/core/src/transformer/random.js';
import { checkImage } from '../packages/core/test/helpers/image-checker.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

const steps = flag('steps', 600);
const batchSize = flag('batch', 16);
const prompts = flag('prompts', 40);
const size = flag('size', 16);
const guidanceFlag = process.argv.indexOf('--guidance');
const guidances = guidanceFlag < 0 ? [2] : process.argv[guidanceFlag + 1]!.split(',').map(Number);
const json = process.argv.includes('--json');
const patch = size / 8;

const backend = await initTfjsBackend();
const tokenizer = shapesCaptionTokenizer();
const config: TrainConfig = {
  task: 'shapes-diffusion',
  model: {
    input: { kind: 'patches', patchSize: patch, channels: 3 },
    positions: { kind: 'sincos2d', rows: 8, cols: 8 },
    width: 64,
    heads: 4,
    ffnHidden: 128,
    activation: 'gelu',
    blocks: 3,
    outputSize: patch * patch * 3,
    timestep: { frequencyDim: 64 },
    text: { encoder: { tokenizer: tokenizer.config, maxLength: 16, width: 64, heads: 4, ffnHidden: 128, blocks: 1 }, pooled: true },
    context: { width: 64 },
  },
  batchSize,
  steps,
  seed: 1,
  optimizer: { kind: 'adamw', lr: 2e-3, weightDecay: 0.01 },
  schedule: { warmupSteps: Math.min(50, Math.floor(steps / 10)), minLrRatio: 0.1 },
  clipNorm: 1,
  checkpointEvery: steps,
};

const out = await mkdtemp(join(tmpdir(), 'fw-bench-text-diffusion-'));
const started = performance.now();
const cpuBefore = process.cpuUsage();
const result = await train({ config, outDir: out, tasks: BUILTIN_TASKS });
const trainSeconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
// CPU seconds of this process: on a shared machine the wall clock also counts the wait for a core.
const trainCpuSeconds = (cpu.user + cpu.system) / 1e6;
await rm(out, { recursive: true, force: true });

// Evaluation scenes come from a seed the training stream never used; captions name every attribute.
const rng = new Rng(0x5eed);
const scenes = Array.from({ length: prompts }, () => sampleScene(rng, 'train'));
const captions = scenes.map((s) => describeScene(s, rng));
const sampleStarted = performance.now();
const byGuidance = guidances.map((guidance) => {
  const pictures = sampleDiffusion(result.model, captions, new Rng(7), { steps: 20, guidance });
  const hits = { background: 0, colour: 0, position: 0 };
  scenes.forEach((scene, i) => {
    const p = pictures[i]!;
    const seen = checkImage(p.rgb, p.width, p.height);
    if (seen.background === scene.background) hits.background++;
    if (seen.colour === scene.colour) hits.colour++;
    if (seen.position === scene.position) hits.position++;
  });
  return { guidance, accuracy: Object.fromEntries(Object.entries(hits).map(([k, v]) => [k, v / prompts])) as Record<keyof typeof hits, number> };
});
const msPerPicture = (performance.now() - sampleStarted) / (prompts * guidances.length);
// chance: a uniform guess among the colours (the object colour is never the background's) and cells
const chance = { background: 1 / COLOUR_NAMES.length, colour: 1 / (COLOUR_NAMES.length - 1), position: 1 / POSITIONS.length };

const { bytes } = exportToOnnx(result.model);
const session = await createOnnxSession(bytes, { intraOpThreads: 1 });
const parity = await maxAbsDiffVsTfjs(result.model, session, sampleModelFeeds(config.model, 2, new Rng(3)));
await session.release();
const losses = result.losses;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const figures = {
  backend: backend.chosen,
  size: `${size}x${size}`,
  steps,
  batchSize,
  parameters: result.model.parameterCount(),
  trainSeconds: Number(trainSeconds.toFixed(1)),
  trainCpuSeconds: Number(trainCpuSeconds.toFixed(1)),
  msPerStep: Number(((trainSeconds * 1000) / steps).toFixed(0)),
  lossFirst20: Number(mean(losses.slice(0, 20)).toFixed(4)),
  lossLast20: Number(mean(losses.slice(-20)).toFixed(4)),
  prompts,
  byGuidance,
  chance,
  msPerPicture: Number(msPerPicture.toFixed(0)),
  onnxParity: parity,
};
result.model.dispose();
if (json) console.log(JSON.stringify(figures));
else {
  console.log(`text-conditioned diffusion on shapes (${figures.size}, ${figures.parameters} parameters, ${backend.chosen}, one thread)`);
  console.log(`  trained ${steps} steps of batch ${batchSize} in ${figures.trainSeconds} s wall, ${figures.trainCpuSeconds} s CPU (${figures.msPerStep} ms/step wall): loss ${figures.lossFirst20} → ${figures.lossLast20}`);
  console.log(`  ${'guidance'.padEnd(10)} ${guidances.map((g) => String(g).padStart(6)).join('')}   chance`);
  for (const k of ['background', 'colour', 'position'] as const) {
    console.log(`  ${k.padEnd(10)} ${byGuidance.map((b) => `${(b.accuracy[k] * 100).toFixed(0)} %`.padStart(6)).join('')}   ${(chance[k] * 100).toFixed(0)} %`);
  }
  console.log(`  ${prompts} prompts, 20 DDIM steps: ${figures.msPerPicture} ms per picture; ONNX parity ${parity.toExponential(2)}`);
}
