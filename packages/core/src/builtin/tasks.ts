import { type TaskTable, taskTable } from '../train/index.js';
import { shapesMaskGitCentredTask, shapesMaskGitTask } from './image/index.js';
import { motionMaskGitTask } from './video/index.js';

/**
 * The built-in models' training tasks (`shapes-maskgit`, `shapes-maskgit-centred`,
 * `motion-maskgit`), as a table for the trainer.
 *
 * @example
 * ```ts
 * await train({ config: JSON.parse(await readFile('models/builtin-image/train-config.json', 'utf8')), outDir: 'runs/shapes', tasks: BUILTIN_TASKS });
 * ```
 */
export const BUILTIN_TASKS: TaskTable = taskTable([shapesMaskGitTask, shapesMaskGitCentredTask, motionMaskGitTask]);
