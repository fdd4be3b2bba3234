// Writes packages/core/models/builtin-video/model.json for a trained motion-maskgit checkpoint,
// after `framewright export-onnx --ema` wrote model.onnx next to it. The model.json records the
// mask codebook the tokens index, the run's configuration, steps, final loss and training time.
//
//   npx tsx packages/core/scripts/write-video-model-info.ts --checkpoint RUN/checkpoints/step-N --training-seconds S [--steps N] [--guidance W] [--machine TEXT] [--note TEXT] [--folder DIR]
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIP_FRAMES } from '../src/builtin/video/motion.js';
import { CLIP_SEQUENCE } from '../src/builtin/video/tokens.js';
import { readBuiltinVideoModelInfo } from '../src/builtin/video/model.js';
import { motionVocabulary } from '../src/builtin/video/task.js';

function flag(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? fallback : process.argv[i + 1];
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

const checkpoint = flag('checkpoint');
const trainingSeconds = Number(flag('training-seconds'));
const folder = flag('folder', join(dirname(fileURLToPath(import.meta.url)), '..', 'models', 'builtin-video'));
const state = JSON.parse(await readFile(join(checkpoint, 'state.json'), 'utf8')) as { step: number; losses: number[]; train: unknown };
const vocab = motionVocabulary();
const last = state.losses.slice(-20);
const info = {
  id: 'framewright-motion-32',
  nativeSize: 32,
  frames: CLIP_FRAMES,
  onnx: 'model.onnx',
  sequence: CLIP_SEQUENCE,
  vocabularySize: vocab.size,
  codebook: [...vocab.image.codebook],
  defaultSteps: Number(flag('steps', '12')),
  defaultGuidance: Number(flag('guidance', '1')),
  training: {
    task: 'motion-maskgit',
    config: 'train-config.json',
    steps: state.step,
    finalLossMean20: last.reduce((s, v) => s + v, 0) / Math.max(1, last.length),
    trainingSeconds,
    weights: 'EMA',
    conditioning: 'the prompt attributes (shape, colours, size, direction) once per clip: the same slot row in every frame, no per-frame stage token; a frame knows its index only through the sincos3d positions',
    command: 'framewright train --config packages/core/models/builtin-video/train-config.json --out RUN && framewright export-onnx --ema --checkpoint RUN/checkpoints/step-N --out packages/core/models/builtin-video/model.onnx',
    machine: flag('machine', '1 tfjs-wasm thread on a shared 2-core AMD EPYC'),
    ...(process.argv.includes('--note') ? { note: flag('note') } : {}),
  },
};
await writeFile(join(folder, 'model.json'), `${JSON.stringify(info, null, 2)}\n`);
await readBuiltinVideoModelInfo(folder); // validates what was written
console.log(`wrote ${join(folder, 'model.json')} (model.onnx ${((await stat(join(folder, 'model.onnx'))).size / 1e6).toFixed(2)} MB)`);
