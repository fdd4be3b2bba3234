import * as tf from '@tensorflow/tfjs';
import { cancelled, FramewrightError } from '../protocol/errors.js';
import { TransformerModel } from '../transformer/model.js';
import { Rng, mixSeed } from '../transformer/random.js';
import { type TrainConfig, validateTrainConfig } from './config.js';
import { type Checkpoint, firstDifference, latestCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { batchTensors } from './dataset.js';
import { WeightEma } from './ema.js';
import { createOptimizer } from './optimizers.js';
import { clipByGlobalNorm, learningRate } from './schedule.js';
import { type TaskTable, checkConditioning, findTask } from './task-table.js';

/** What the trainer reports after every step. */
export interface StepReport {
  /** Steps completed (1-based). */
  step: number;
  /** Total steps of the run. */
  steps: number;
  /** Loss of this step. */
  loss: number;
  /** Learning rate used. */
  lr: number;
  /** Global gradient norm before clipping (when clipping is on). */
  gradNorm: number | undefined;
  /** Steps per second over this process's steps so far. */
  stepsPerSecond: number;
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** The run (validated here). */
  config: TrainConfig;
  /** The tasks `config.task` is looked up in, e.g. `SEQUENCE_TASKS`. */
  tasks: TaskTable;
  /** Run folder: checkpoints and `latest.json`. */
  outDir: string;
  /** Continue from the latest checkpoint in `outDir` (required when one exists). */
  resume?: boolean;
  /**
   * With `resume`: accept a learning-rate schedule (`steps`, `schedule`, `optimizer.lr`) other
   * than the checkpoint's, recomputed over the new total from the step reached. Without it a
   * resumed run must keep its schedule, so it continues the uninterrupted run exactly.
   */
  newSchedule?: boolean;
  /** Stops the run: a checkpoint is written, then `CANCELLED` is thrown. */
  signal?: AbortSignal;
  /** Called after every step (progress bars, tests). */
  onStep?: (report: StepReport) => void;
}

/** What a finished run returns. */
export interface TrainResult {
  /** The trained model (the caller disposes it). */
  model: TransformerModel;
  /** Loss of every step of the run, from step 1 (including steps before a resume). */
  losses: number[];
  /** The final checkpoint folder. */
  checkpoint: string;
}

/** The fields that fix the learning-rate schedule of a run. */
const SCHEDULE_FIELDS = ['steps', 'schedule', 'optimizer.lr'] as const;

/**
 * Checks that a checkpoint belongs to this run: same weights layout, model config and run
 * identity, and (unless `newSchedule`) the same learning-rate schedule.
 */
function checkCompatible(ckpt: Checkpoint, config: TrainConfig, model: TransformerModel, newSchedule: boolean): void {
  model.loadVariables(ckpt.weights, `checkpoint ${ckpt.dir}`);
  const modelDiff = firstDifference(ckpt.model, config.model, 'model');
  if (modelDiff !== undefined) throw new FramewrightError('CHECKPOINT_INVALID', `checkpoint ${ckpt.dir} does not match the model config at ${modelDiff}`);
  const before = ckpt.state.train;
  const withoutLr = (o: TrainConfig['optimizer'] | undefined): unknown => (o === undefined ? o : { ...o, lr: undefined });
  for (const field of ['task', 'seed', 'batchSize', 'optimizer', 'data'] as const) {
    const d = field === 'optimizer' ? firstDifference(withoutLr(before.optimizer), withoutLr(config.optimizer), field) : firstDifference(before[field], config[field], field);
    if (d !== undefined) throw new FramewrightError('CHECKPOINT_INVALID', `checkpoint ${ckpt.dir} was trained with a different ${d}`);
  }
  if (newSchedule) return;
  for (const field of SCHEDULE_FIELDS) {
    const get = (c: TrainConfig): unknown => (field === 'optimizer.lr' ? c.optimizer?.lr : c[field]);
    const d = firstDifference(get(before), get(config), field);
    if (d !== undefined) {
      throw new FramewrightError('INVALID_PARAMS', `resume would change the learning-rate schedule (${d}); keep the run's settings, or pass --new-schedule to continue under a new schedule`);
    }
  }
}

/**
 * Trains a model on the task `config.task` of `tasks`, writing checkpoints to `outDir` every
 * `checkpointEvery` steps (default 100) and at the end. Deterministic: the same config and seed
 * give the same loss curve, and a run resumed from a checkpoint continues the uninterrupted curve
 * exactly (weights, optimizer state, EMA, step and RNG state are all restored; batch i depends only
 * on (seed, i)).
 *
 * @example
 * ```ts
 * const { model, losses } = await train({ config: TRAIN_PRESETS['reverse-tiny']!, outDir: 'runs/rev', tasks: SEQUENCE_TASKS });
 * ```
 * A resumed run keeps the checkpoint's learning-rate schedule (`steps`, `schedule`,
 * `optimizer.lr`) unless {@link TrainOptions.newSchedule} says otherwise.
 *
 * @throws FramewrightError `INVALID_PARAMS` (config, a task not in `tasks`, a resume that changes the schedule), `CHECKPOINT_INVALID` (resume), `CANCELLED` (signal)
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { config, outDir } = options;
  validateTrainConfig(config);
  const task = findTask(options.tasks, config.task);
  task.checkModel(config.model);
  checkConditioning(task, config.model);
  const model = new TransformerModel(config.model, new Rng(mixSeed(config.seed, 1)));
  const variables = model.variables();
  const optimizer = createOptimizer(config.optimizer, model.noDecayVariables());
  let ema = config.ema ? new WeightEma(variables, config.ema.decay) : undefined;
  let rng = new Rng(mixSeed(config.seed, 2));
  let losses: number[] = [];
  try {
    const latest = await latestCheckpoint(outDir);
    if (latest !== undefined && options.resume !== true) {
      throw new FramewrightError('INVALID_PARAMS', `${outDir} already holds a training run (${latest}); pass --resume to continue it or choose another --out`);
    }
    if (options.resume === true) {
      if (latest === undefined) throw new FramewrightError('INPUT_NOT_FOUND', `nothing to resume: ${outDir} has no latest.json`);
      const ckpt = await loadCheckpoint(latest);
      checkCompatible(ckpt, config, model, options.newSchedule === true);
      optimizer.load(ckpt.optimizer, ckpt.state.step);
      if (ema !== undefined) {
        if (ckpt.ema === undefined) throw new FramewrightError('CHECKPOINT_INVALID', `checkpoint ${latest} has no EMA weights but the run keeps an EMA`);
        ema.load(ckpt.ema);
      }
      try {
        rng = Rng.fromState(ckpt.state.rng);
      } catch (error) {
        throw new FramewrightError('CHECKPOINT_INVALID', `checkpoint ${latest} has a bad rng state: ${(error as Error).message}`);
      }
      losses = [...ckpt.state.losses];
    }

    model.train(rng);
    const save = (): Promise<string> =>
      saveCheckpoint(
        outDir,
        {
          model: config.model,
          weights: new Map([...variables].map(([n, v]) => [n, { shape: [...v.shape], data: v.dataSync() as Float32Array }])),
          optimizer: optimizer.state(),
          ema: ema?.state(),
          state: { format: 'framewright-checkpoint', version: 1, step: losses.length, rng: rng.state(), losses, train: config },
        },
        config.keepCheckpoints ?? 2,
      );

    const every = config.checkpointEvery ?? 100;
    const batches = task.dataset(config.model, config.data === undefined ? {} : { data: config.data }).batches({ seed: config.seed, batchSize: config.batchSize, start: losses.length })[Symbol.asyncIterator]();
    const varList = [...variables.values()];
    const nameOf = new Map([...variables].map(([n, v]) => [v.name, n]));
    const started = performance.now();
    const firstStep = losses.length;
    let checkpoint = latest ?? '';
    while (losses.length < config.steps) {
      if (options.signal?.aborted) {
        await save();
        throw cancelled('training', `at step ${losses.length}; resume with --resume`);
      }
      const next = await batches.next();
      if (next.done === true) throw new FramewrightError('INTERNAL', `dataset ${task.name} ended at step ${losses.length}`);
      const step = losses.length;
      const lr = learningRate(step, config.steps, config.optimizer.lr, config.schedule);
      const tensors = batchTensors(next.value);
      const { value, grads } = tf.variableGrads(() => task.loss(model, tensors, rng), varList);
      tf.dispose(Object.values(tensors));
      const named = new Map(Object.entries(grads).map(([k, g]) => [nameOf.get(k) ?? k, g]));
      const gradNorm = config.clipNorm === undefined ? undefined : clipByGlobalNorm(named, config.clipNorm);
      optimizer.apply(variables, named, lr);
      tf.dispose([...named.values()]);
      ema?.update(variables);
      const loss = (await value.data())[0]!;
      value.dispose();
      if (!Number.isFinite(loss)) throw new FramewrightError('INTERNAL', `training diverged at step ${step + 1}: loss is ${loss}`);
      losses.push(loss);
      const done = losses.length;
      options.onStep?.({ step: done, steps: config.steps, loss, lr, gradNorm, stepsPerSecond: ((done - firstStep) * 1000) / (performance.now() - started) });
      if (done % every === 0 || done === config.steps) checkpoint = await save();
    }
    model.eval();
    return { model, losses, checkpoint };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    optimizer.dispose();
    ema?.dispose();
    ema = undefined;
  }
}
