import { type TaskTable, taskTable } from '../train/index.js';
import {
  captionedDiffusionTask,
  captionedMaskGitTask,
  shapesDiffusionTask,
  shapesMaskGitCentredTask,
  shapesMaskGitTask,
  shapesPixelMaskGitTask,
} from './image/index.js';
import { motionMaskGitTask } from './video/index.js';

/**
 * The built-in models' training tasks (`shapes-maskgit`, `shapes-maskgit-centred`,
 * `motion-maskgit`) and the conditioned generators' tasks over a folder of captioned images
 * (`captioned-maskgit`, `captioned-diffusion`) or the procedural shapes (`shapes-pixel-maskgit`,
 * `shapes-diffusion`), as a table for the trainer.
 *
 * @example
 * ```ts
 * await train({ config: JSON.parse(await readFile('models/builtin-image/train-config.json', 'utf8')), outDir: 'runs/shapes', tasks: BUILTIN_TASKS });
 * ```
 */
export const BUILTIN_TASKS: TaskTable = taskTable([
  shapesMaskGitTask,
  shapesMaskGitCentredTask,
  motionMaskGitTask,
  captionedMaskGitTask,
  captionedDiffusionTask,
  shapesPixelMaskGitTask,
  shapesDiffusionTask,
]);
