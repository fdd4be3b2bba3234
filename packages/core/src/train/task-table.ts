import { FramewrightError } from '../protocol/errors.js';
import type { TransformerModelConfig } from '../transformer/model.js';
import type { ConditioningFeed, TrainingTask } from './dataset.js';

/**
 * Training tasks by name: what {@link train} looks a run's `task` up in. The trainer knows no
 * task of its own; the caller passes the table (the CLI passes the sequence tasks and the
 * built-in models' tasks).
 */
export type TaskTable = Readonly<Record<string, TrainingTask>>;

/**
 * A frozen table of `tasks` by name, in the given order.
 *
 * @example
 * ```ts
 * const tasks = taskTable([...Object.values(SEQUENCE_TASKS), myTask]);
 * await train({ config, outDir: 'runs/mine', tasks });
 * ```
 * @throws FramewrightError `INVALID_PARAMS` for a name listed twice
 */
export function taskTable(tasks: Iterable<TrainingTask>): TaskTable {
  const table: Record<string, TrainingTask> = {};
  for (const task of tasks) {
    if (Object.hasOwn(table, task.name)) throw new FramewrightError('INVALID_PARAMS', `training task ${task.name} is listed twice`);
    table[task.name] = task;
  }
  return Object.freeze(table);
}

/** The task named `name`. @throws FramewrightError `INVALID_PARAMS` listing the known tasks */
export function findTask(tasks: TaskTable, name: string): TrainingTask {
  if (!Object.hasOwn(tasks, name)) throw new FramewrightError('INVALID_PARAMS', `unknown training task ${JSON.stringify(name)}; known tasks: ${Object.keys(tasks).join(', ')}`);
  return tasks[name]!;
}

/**
 * Refuses a model whose conditioning `task` does not feed, naming the model field: `timestep`
 * needs a task that feeds timesteps; `text` (a prompt encoder inside the model) one that feeds
 * prompts; `context` without `text` one that feeds a context tensor.
 * @throws FramewrightError `INVALID_PARAMS`
 */
export function checkConditioning(task: TrainingTask, model: TransformerModelConfig): void {
  const feeds = new Set<ConditioningFeed>(task.feeds ?? []);
  const fed = task.feeds === undefined || task.feeds.length === 0 ? 'feeds none' : `feeds only ${[...feeds].join(', ')}`;
  const refuse = (field: string, what: string): never => {
    throw new FramewrightError('INVALID_PARAMS', `model.${field} needs ${what}, but task ${task.name} ${fed}; remove model.${field} or choose a task that feeds it`);
  };
  if (model.timestep !== undefined && !feeds.has('timestep')) refuse('timestep', 'a timestep');
  if (model.text !== undefined && !feeds.has('prompt')) refuse('text', 'prompts');
  if (model.text === undefined && model.context !== undefined && !feeds.has('context')) {
    refuse('context', feeds.has('prompt') ? 'a context tensor (this task feeds prompts: add model.text, a prompt encoder whose tokens are the context)' : 'a text context');
  }
}
