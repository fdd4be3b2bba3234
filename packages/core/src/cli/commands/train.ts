import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BUILTIN_TASKS } from '../../builtin/index.js';
import { FramewrightError } from '../../protocol/errors.js';
import { initTfjsBackend } from '../../runtime/tfjs-backend.js';
import { type StepReport, type TrainConfig, SEQUENCE_TASKS, TRAIN_PRESETS, taskTable, train, validateTrainConfig } from '../../train/index.js';
import { booleanFlag, numberFlag, parseFlags, positionalArgs, stringFlag } from '../args.js';
import { EXIT, usageError } from '../exit-codes.js';
import type { CliOutput } from '../io.js';
import type { Command } from './types.js';

/** What `framewright train` can train: the sequence tasks and the built-in models' tasks. */
const TRAINING_TASKS = taskTable([...Object.values(SEQUENCE_TASKS), ...Object.values(BUILTIN_TASKS)]);

const FLAGS = {
  config: { type: 'string' },
  preset: { type: 'string' },
  steps: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string', short: 'o' },
  resume: { type: 'boolean' },
  'new-schedule': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP = `Usage: framewright train (--config FILE | --preset NAME) --out DIR [options]

Trains a transformer on one of the tasks below, writing checkpoints to DIR/checkpoints and
DIR/latest.json. Ctrl+C writes a checkpoint first; --resume continues exactly where the run stopped.

Options:
  --config FILE    training configuration (JSON: task, model, batchSize, steps, seed, optimizer, …)
  --preset NAME    a built-in configuration: ${Object.keys(TRAIN_PRESETS).join(', ')}
  -o, --out DIR    run folder (required)
  --steps N        total steps (overrides the configuration)
  --seed S         random seed (overrides the configuration)
  --resume         continue the run in DIR from its latest checkpoint (same steps, schedule
                   and lr, so it continues the uninterrupted run exactly)
  --new-schedule   with --resume: accept other --steps / schedule / lr, recomputing the
                   learning-rate schedule over the new total from the step reached
  --json           print the result as one JSON object
  -h, --help       show this help

Tasks: ${Object.values(TRAINING_TASKS).map((t) => `${t.name} (${t.description})`).join('; ')}
Backend: FRAMEWRIGHT_TF_BACKEND=wasm|cpu|tensorflow|tensorflow-gpu forces one.`;

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** One progress line: `train [#####-----] 120/300  loss 1.2345  17.3 steps/s  ETA 0:10`. */
export function renderTrainProgress(r: StepReport, columns: number): string {
  const tail = `${r.step}/${r.steps}  loss ${r.loss.toFixed(4)}  ${r.stepsPerSecond.toFixed(1)} steps/s  ETA ${clock((r.steps - r.step) / Math.max(r.stepsPerSecond, 1e-9))}`;
  const width = Math.max(0, Math.min(30, columns - tail.length - 10));
  const filled = Math.round((r.step / r.steps) * width);
  return `train ${width > 0 ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` : ''}${tail}`;
}

/** Redraws the bar in place on a terminal (≤ 10 times a second); elsewhere logs a line every tenth of the run. */
function progressReporter(out: CliOutput): { step(r: StepReport): void; clear(): void } {
  let last = 0;
  let drawn = false;
  return {
    step(r) {
      if (out.isTTY) {
        if (Date.now() - last < 100 && r.step < r.steps) return;
        last = Date.now();
        drawn = true;
        out.write(`\r\x1b[2K${renderTrainProgress(r, out.columns ?? 80)}`);
      } else if (r.step % Math.max(1, Math.floor(r.steps / 10)) === 0 || r.step === r.steps) {
        out.write(`${renderTrainProgress(r, 0)}\n`);
      }
    },
    clear() {
      if (drawn) out.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

async function readConfig(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new FramewrightError('INPUT_NOT_FOUND', `training config not found: ${path}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new FramewrightError('INVALID_PARAMS', `training config ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Parses `framewright train` flags into a run: the configuration (file or preset, with --steps and
 * --seed applied), the run folder and whether to resume.
 */
export async function trainRunOf(argv: readonly string[], cwd: string): Promise<{ config: TrainConfig; outDir: string; resume: boolean; newSchedule: boolean; json: boolean }> {
  const args = parseFlags('train', argv, FLAGS);
  positionalArgs('train', args, []);
  const file = stringFlag(args, 'config');
  const preset = stringFlag(args, 'preset');
  if ((file === undefined) === (preset === undefined)) throw usageError('train: give exactly one of --config FILE or --preset NAME');
  const out = stringFlag(args, 'out');
  if (out === undefined) throw usageError('train: --out DIR is required');
  let config: unknown;
  if (preset !== undefined) {
    config = TRAIN_PRESETS[preset];
    if (config === undefined) throw usageError(`train: unknown --preset ${JSON.stringify(preset)} (choose from ${Object.keys(TRAIN_PRESETS).join(', ')})`);
  } else {
    config = await readConfig(resolve(cwd, file!));
  }
  const steps = numberFlag('train', args, 'steps', { min: 1, integer: true });
  const seed = numberFlag('train', args, 'seed', { min: 0, max: 0xffffffff, integer: true });
  const merged = { ...(config as object), ...(steps === undefined ? {} : { steps }), ...(seed === undefined ? {} : { seed }) };
  validateTrainConfig(merged, file === undefined ? `preset ${preset}` : `training config ${file}`);
  const resume = booleanFlag(args, 'resume');
  const newSchedule = booleanFlag(args, 'new-schedule');
  if (newSchedule && !resume) throw usageError('train: --new-schedule only applies with --resume');
  const data = (merged as { data?: unknown }).data;
  // A dataset folder in a config file is relative to that file, like any path a config names.
  if (file !== undefined && typeof data === 'string') (merged as { data?: string }).data = resolve(dirname(resolve(cwd, file)), data);
  return { config: merged, outDir: resolve(cwd, out), resume, newSchedule, json: booleanFlag(args, 'json') };
}

/** `framewright train`. */
export const trainCommand: Command = {
  name: 'train',
  help: HELP,
  async run(argv, io) {
    const run = await trainRunOf(argv, io.cwd);
    const backend = await initTfjsBackend(io.env as NodeJS.ProcessEnv);
    io.stderr.write(`tfjs backend: ${backend.chosen}\n`);
    const controller = new AbortController();
    const stopListening = io.onInterrupt(() => controller.abort());
    const progress = progressReporter(io.stderr);
    const started = performance.now();
    try {
      const result = await train({ ...run, tasks: TRAINING_TASKS, signal: controller.signal, onStep: (r) => progress.step(r) });
      result.model.dispose();
      progress.clear();
      const seconds = (performance.now() - started) / 1000;
      const first = result.losses[0]!;
      const last = result.losses[result.losses.length - 1]!;
      if (run.json) {
        io.stdout.write(`${JSON.stringify({ task: run.config.task, steps: result.losses.length, backend: backend.chosen, firstLoss: first, finalLoss: last, seconds, checkpoint: result.checkpoint })}\n`);
      } else {
        io.stdout.write(`trained ${run.config.task} for ${result.losses.length} steps on ${backend.chosen} in ${seconds.toFixed(1)} s: loss ${first.toFixed(4)} → ${last.toFixed(4)}\ncheckpoint: ${result.checkpoint}\n`);
      }
      return EXIT.ok;
    } finally {
      progress.clear();
      stopListening();
    }
  },
};
