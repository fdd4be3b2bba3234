import { FramewrightError } from '../protocol/errors.js';
import type { TrainingTask } from './dataset.js';

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
