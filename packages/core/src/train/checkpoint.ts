import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FramewrightError } from '../protocol/errors.js';
import { type TransformerModelConfig, TransformerModel } from '../transformer/model.js';
import { Rng } from '../transformer/random.js';
import { writeAtomic, writeFileAtomic } from '../util/fs.js';
import type { TrainConfig } from './config.js';
import { type NamedTensor, readJsonFile, readTensorFile, writeTensorFile } from './tensor-file.js';

/** `state.json` of a checkpoint: where the run stands. */
export interface CheckpointState {
  /** Always `framewright-checkpoint`. */
  format: 'framewright-checkpoint';
  /** Format version (1). */
  version: 1;
  /** Optimizer steps completed. */
  step: number;
  /** The run's random generator state (four 32-bit words). */
  rng: [number, number, number, number];
  /** Loss of every completed step, in order. */
  losses: number[];
  /** The training configuration of the run. */
  train: TrainConfig;
}

/** Everything a checkpoint folder holds. */
export interface Checkpoint {
  /** Folder path. */
  dir: string;
  /** `model.json`: the model configuration. */
  model: TransformerModelConfig;
  /** `weights.bin` / `weights.json`. */
  weights: Map<string, NamedTensor>;
  /** `optimizer.bin` / `optimizer.json` (slot tensors). */
  optimizer: Map<string, NamedTensor>;
  /** `ema.bin` / `ema.json`, when the run keeps an EMA. */
  ema: Map<string, NamedTensor> | undefined;
  /** `state.json`. */
  state: CheckpointState;
}

/** What {@link saveCheckpoint} writes. */
export type CheckpointContents = Omit<Checkpoint, 'dir'>;

const LATEST = 'latest.json';

/** Folder name of the checkpoint after `step` steps. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/**
 * Writes `<outDir>/checkpoints/step-NNNNNNNN/` — `model.json`, `weights.{bin,json}`,
 * `optimizer.{bin,json}`, optional `ema.{bin,json}`, `state.json` — into a temporary folder that is
 * renamed into place, then points `<outDir>/latest.json` at it (also atomically) and removes all
 * but the newest `keep` checkpoints. A crash at any moment leaves the previous checkpoint intact.
 * @returns the checkpoint folder
 */
export async function saveCheckpoint(outDir: string, contents: CheckpointContents, keep = 2): Promise<string> {
  const root = join(outDir, 'checkpoints');
  await mkdir(root, { recursive: true });
  const name = checkpointName(contents.state.step);
  const dir = join(root, name);
  if (!(await exists(dir))) {
    await writeAtomic(dir, async (temp) => {
      await mkdir(temp);
      await writeFile(join(temp, 'model.json'), `${JSON.stringify(contents.model, null, 2)}\n`);
      await writeTensorFile(temp, 'weights', contents.weights);
      await writeTensorFile(temp, 'optimizer', contents.optimizer);
      if (contents.ema !== undefined) await writeTensorFile(temp, 'ema', contents.ema);
      await writeFile(join(temp, 'state.json'), `${JSON.stringify(contents.state)}\n`);
    });
  }
  await writeFileAtomic(join(outDir, LATEST), `${JSON.stringify({ checkpoint: `checkpoints/${name}`, step: contents.state.step })}\n`);
  const old = (await readdir(root)).filter((n) => /^step-\d{8}$/.test(n)).sort().slice(0, -keep);
  for (const n of old) await rm(join(root, n), { recursive: true, force: true });
  return dir;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** The folder `latest.json` of a run points at, or `undefined` when the run has no checkpoint yet. */
export async function latestCheckpoint(outDir: string): Promise<string | undefined> {
  const path = join(outDir, LATEST);
  if (!(await exists(path))) return undefined;
  const latest = (await readJsonFile(path)) as { checkpoint?: unknown };
  if (typeof latest?.checkpoint !== 'string' || !/^checkpoints\/step-\d{8}$/.test(latest.checkpoint)) {
    throw new FramewrightError('CHECKPOINT_INVALID', `${path} does not name a checkpoint folder`);
  }
  return join(outDir, latest.checkpoint);
}

function checkState(value: unknown, path: string): CheckpointState {
  const s = value as Partial<CheckpointState> | null;
  const ok =
    s !== null && typeof s === 'object' && s.format === 'framewright-checkpoint' && s.version === 1 &&
    Number.isInteger(s.step) && Array.isArray(s.rng) && s.rng.length === 4 && Array.isArray(s.losses) &&
    s.losses.length === s.step && typeof s.train === 'object' && s.train !== null;
  if (!ok) throw new FramewrightError('CHECKPOINT_INVALID', `${path} is not a framewright-checkpoint v1 state`);
  return s as CheckpointState;
}

/**
 * Reads and verifies a checkpoint folder (index, size and SHA-256 of every `.bin`).
 * @throws FramewrightError `CHECKPOINT_INVALID` naming the file and what is wrong
 */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  if (!(await exists(dir))) throw new FramewrightError('CHECKPOINT_INVALID', `checkpoint folder ${dir} does not exist`);
  const state = checkState(await readJsonFile(join(dir, 'state.json')), join(dir, 'state.json'));
  const model = (await readJsonFile(join(dir, 'model.json'))) as TransformerModelConfig;
  const weights = await readTensorFile(dir, 'weights');
  const optimizer = await readTensorFile(dir, 'optimizer');
  const ema = (await exists(join(dir, 'ema.json'))) ? await readTensorFile(dir, 'ema') : undefined;
  return { dir, model, weights, optimizer, ema, state };
}

/**
 * Builds the model a checkpoint holds, with its weights (the EMA weights when `ema` and present).
 * @throws FramewrightError `CHECKPOINT_INVALID` / `MODEL_INVALID`
 */
export async function loadModel(dir: string, options: { ema?: boolean } = {}): Promise<TransformerModel> {
  const ckpt = await loadCheckpoint(dir);
  let model: TransformerModel;
  try {
    model = new TransformerModel(ckpt.model, new Rng(0));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new FramewrightError('CHECKPOINT_INVALID', `${join(dir, 'model.json')} is not a valid model config: ${why}`, { cause: error });
  }
  try {
    model.loadVariables(options.ema && ckpt.ema !== undefined ? ckpt.ema : ckpt.weights, `checkpoint ${dir}`);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** The first JSON path where `a` and `b` differ (`model.width: 128 vs 96`), or `undefined`. */
export function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return a === b ? undefined : `${path}: ${JSON.stringify(a) ?? 'absent'} vs ${JSON.stringify(b) ?? 'absent'}`;
}
