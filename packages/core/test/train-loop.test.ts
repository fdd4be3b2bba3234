import * as tf from '@tensorflow/tfjs';
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../src/runtime/tfjs-backend.js';
import {
  SEQUENCE_TASKS,
  type TrainConfig,
  type TrainResult,
  type TrainingTask,
  latestCheckpoint,
  loadModel,
  reverseTask,
  taskTable,
  train,
} from '../src/train/index.js';
import type { TransformerModelConfig } from '../src/transformer/index.js';

let root: string;
beforeAll(async () => {
  await initTfjsBackend();
  root = await mkdtemp(join(tmpdir(), 'fw-train-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const model: TransformerModelConfig = {
  input: { kind: 'tokens', vocabSize: 8 },
  positions: { kind: 'sinusoidal', length: 6 },
  width: 16, heads: 2, ffnHidden: 32, activation: 'gelu', blocks: 1, outputSize: 8,
};
// Dropout on: the resumed run must draw the same masks as the uninterrupted one.
const config: TrainConfig = {
  task: 'reverse', model: { ...model, dropout: { attention: 0.1, residual: 0.1 } }, batchSize: 8, steps: 24, seed: 7,
  optimizer: { kind: 'adamw', lr: 5e-3, weightDecay: 0.01 },
  schedule: { warmupSteps: 4 }, clipNorm: 1, ema: { decay: 0.9 }, checkpointEvery: 8, keepCheckpoints: 2,
};

// A task whose dataset repeats batch 0 of `reverse`: the "overfit one fixed batch" check, and a
// proof that a caller's own task plugs into the trainer through the table it passes.
const fixedReverse: TrainingTask = {
  name: 'test-fixed-reverse',
  description: 'batch 0 of reverse, forever',
  checkModel: (c) => reverseTask.checkModel(c),
  dataset: (c) => ({
    name: 'test-fixed-reverse',
    async *batches(o) {
      const first = (await reverseTask.dataset(c).batches({ ...o, start: 0 })[Symbol.asyncIterator]().next()).value!;
      for (;;) yield first;
    },
  }),
  loss: (m, b, r) => reverseTask.loss(m, b, r),
};
const tasks = taskTable([...Object.values(SEQUENCE_TASKS), fixedReverse]);

async function run(dir: string, overrides: Partial<TrainConfig> = {}, extra: Parameters<typeof train>[0] extends infer O ? Partial<O> : never = {}): Promise<TrainResult> {
  return train({ config: { ...config, ...overrides }, outDir: join(root, dir), tasks, ...extra });
}

let full: TrainResult;
const full24 = (): number[] => full.losses;

describe('training loop', () => {

  it('a tiny model overfits a fixed batch: loss falls by at least 90 %', async () => {
    const r = await run('overfit', { task: 'test-fixed-reverse', model, steps: 120, ema: undefined, optimizer: { kind: 'adamw', lr: 1e-2 } });
    r.model.dispose();
    expect(r.losses[r.losses.length - 1]!).toBeLessThan(0.1 * r.losses[0]!);
  });

  it('an interrupted run resumes to exactly the loss curve of an uninterrupted run with the same seed', async () => {
    full = await run('full');
    expect(full.losses).toHaveLength(24);
    const seen: number[] = [];
    await expect(
      run('crashed', {}, {
        onStep: (s) => {
          seen.push(s.loss);
          if (s.step === 20) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    // same seed → same curve, step for step
    expect(seen).toEqual(full.losses.slice(0, 20));
    expect(await latestCheckpoint(join(root, 'crashed'))).toMatch(/step-00000016$/);
    const resumed = await run('crashed', {}, { resume: true });
    expect(resumed.losses).toEqual(full.losses);
    for (const [name, v] of full.model.variables()) expect(Array.from(resumed.model.variables().get(name)!.dataSync()), name).toEqual(Array.from(v.dataSync()));
    const ema = (r: TrainResult) => readFile(join(r.checkpoint, 'ema.bin'));
    expect(await ema(resumed)).toEqual(await ema(full));
    resumed.model.dispose();
  });

  it('a different seed gives a different curve', async () => {
    const other = await run('other-seed', { seed: 8, steps: 3 });
    other.model.dispose();
    expect(other.losses[0]).not.toEqual(full.losses[0]);
    // the trainer runs the model in training mode: without dropout the same seed gives another first loss
    const plain = await run('no-dropout', { model, steps: 1 });
    expect(plain.model.training).toBe(false); // returned in evaluation mode
    plain.model.dispose();
    expect(plain.losses[0]).not.toEqual(full.losses[0]);
  });

  it('checkpoint save → load gives a model with bit-identical outputs', async () => {
    const loaded = await loadModel(full.checkpoint);
    const ids = tf.tensor2d([[1, 2, 3, 4, 5, 6], [7, 0, 7, 0, 1, 1]], [2, 6], 'int32');
    const a = tf.tidy(() => full.model.forward(ids));
    const b = tf.tidy(() => loaded.forward(ids));
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([ids, a, b]);
    loaded.dispose();
  });

  it('an abort writes a checkpoint, throws CANCELLED, and the run resumes from that step', async () => {
    const controller = new AbortController();
    await expect(run('aborted', {}, { onStep: (s) => s.step === 5 && controller.abort(), signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await latestCheckpoint(join(root, 'aborted'))).toMatch(/step-00000005$/);
    const resumed = await run('aborted', {}, { resume: true });
    expect(resumed.losses).toEqual(full.losses);
    resumed.model.dispose();
  });

  it('does not leak tensors across steps', async () => {
    const before = tf.memory().numTensors;
    const r = await run('leak', { steps: 4 });
    const vars = r.model.variables().size;
    r.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(vars).toBeGreaterThan(10);
  });
});

describe('bad checkpoints and configs', () => {
  async function copyOf(name: string): Promise<string> {
    const dir = join(root, name);
    await cp(join(root, 'full'), dir, { recursive: true });
    return dir;
  }

  it('a truncated weights file is named', async () => {
    const dir = await copyOf('truncated');
    const ckpt = (await latestCheckpoint(dir))!;
    await truncate(join(ckpt, 'weights.bin'), 100);
    await expect(run('truncated', {}, { resume: true })).rejects.toThrow(/weights\.bin is truncated: 100 bytes, index says \d+/);
    await expect(loadModel(ckpt)).rejects.toMatchObject({ code: 'CHECKPOINT_INVALID' });
  });

  it('a corrupt weights file (one flipped byte) is detected by its checksum', async () => {
    const dir = await copyOf('corrupt');
    const bin = join((await latestCheckpoint(dir))!, 'weights.bin');
    const bytes = await readFile(bin);
    const middle = bytes.length >> 1;
    bytes[middle] = bytes[middle]! ^ 0x40;
    await writeFile(bin, bytes);
    await expect(run('corrupt', {}, { resume: true })).rejects.toThrow('weights.bin is corrupt: its SHA-256 does not match weights.json');
  });

  it('a state file that is not JSON is named', async () => {
    const dir = await copyOf('badstate');
    await writeFile(join((await latestCheckpoint(dir))!, 'state.json'), '{"format": "framewright-chec');
    await expect(run('badstate', {}, { resume: true })).rejects.toThrow(/state\.json is not valid JSON/);
  });

  it('a model.json that is not a model config is named', async () => {
    const dir = await copyOf('badmodel');
    const ckpt = (await latestCheckpoint(dir))!;
    await writeFile(join(ckpt, 'model.json'), JSON.stringify({ ...config.model, heads: 0 }));
    await expect(loadModel(ckpt)).rejects.toThrow(/model\.json is not a valid model config: model config heads must be a positive integer, got 0/);
  });

  it('a checkpoint of another model config names the tensor and both shapes', async () => {
    await copyOf('wider');
    await expect(run('wider', { model: { ...config.model, width: 32 } }, { resume: true })).rejects.toThrow(
      'embed.weight has shape [8, 16], model expects [8, 32]',
    );
    await copyOf('eps');
    await expect(run('eps', { model: { ...config.model, eps: 1e-6 } }, { resume: true })).rejects.toThrow('does not match the model config at model.eps: absent vs 0.000001');
  });

  it('a resume that would change the learning-rate schedule is refused naming the field, unless a new schedule is asked for', async () => {
    await copyOf('reschedule');
    const cases: [Partial<TrainConfig>, string][] = [
      [{ steps: 30 }, 'steps: 24 vs 30'],
      [{ schedule: { warmupSteps: 2 } }, 'schedule.warmupSteps: 4 vs 2'],
      [{ schedule: { warmupSteps: 4, minLrRatio: 0.5 } }, 'schedule.minLrRatio: absent vs 0.5'],
      [{ optimizer: { kind: 'adamw', lr: 1e-3, weightDecay: 0.01 } }, 'optimizer.lr: 0.005 vs 0.001'],
    ];
    for (const [overrides, field] of cases) {
      const refused = run('reschedule', overrides, { resume: true });
      await expect(refused).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
      await expect(refused).rejects.toThrow(`resume would change the learning-rate schedule (${field}); keep the run's settings, or pass --new-schedule`);
    }
    // the optimizer's other settings still belong to the run, new schedule or not
    await expect(run('reschedule', { optimizer: { kind: 'adamw', lr: 5e-3, weightDecay: 0.1 } }, { resume: true, newSchedule: true })).rejects.toThrow('a different optimizer.weightDecay: 0.01 vs 0.1');
    const longer = await run('reschedule', { steps: 30 }, { resume: true, newSchedule: true });
    expect(longer.losses).toHaveLength(30);
    expect(longer.losses.slice(0, 24)).toEqual(full24());
    longer.model.dispose();
  });

  it('refuses to overwrite a run without --resume, and to resume nothing', async () => {
    await expect(run('full')).rejects.toThrow(/already holds a training run/);
    await expect(run('empty', {}, { resume: true })).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
  });

  it('rejects an invalid config naming the field, and a task not in its table listing the ones there', async () => {
    await expect(run('bad', { batchSize: 0 })).rejects.toThrow('train config /batchSize');
    await expect(run('unknown', { task: 'nope' })).rejects.toMatchObject({ code: 'INVALID_PARAMS', message: 'unknown training task "nope"; known tasks: reverse, next-token, test-fixed-reverse' });
    await expect(run('builtin', { task: 'shapes-maskgit' }, { tasks: SEQUENCE_TASKS })).rejects.toThrow('unknown training task "shapes-maskgit"; known tasks: reverse, next-token');
  });

  it('refuses, before step 1, a conditioned model whose conditioning the task does not feed, naming the field', async () => {
    const steps: number[] = [];
    const onStep = (r: { step: number }): void => void steps.push(r.step);
    await expect(run('ctx', { model: { ...model, context: { width: 16 } } }, { onStep })).rejects.toThrow(
      'model.context needs a text context, but task reverse feeds none; remove model.context or choose a task that feeds it',
    );
    await expect(run('time', { model: { ...model, timestep: { frequencyDim: 8 } } }, { onStep })).rejects.toThrow('model.timestep needs a timestep, but task reverse feeds none');
    const encoder = { tokenizer: { kind: 'word' as const, vocabulary: ['<pad>', '<unk>', 'a'] }, maxLength: 4, width: 16, heads: 2, ffnHidden: 16, blocks: 1 };
    await expect(run('text', { model: { ...model, text: { encoder, pooled: true } } }, { onStep })).rejects.toThrow('model.text needs prompts, but task reverse feeds none');
    expect(steps).toEqual([]);
    expect(await latestCheckpoint(join(root, 'ctx'))).toBeUndefined();
  });

  it('a task table refuses a name listed twice and cannot be changed', () => {
    expect(() => taskTable([reverseTask, fixedReverse, reverseTask])).toThrow('training task reverse is listed twice');
    expect(Object.isFrozen(tasks)).toBe(true);
  });
});
