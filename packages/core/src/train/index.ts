/**
 * The trainer: datasets and tasks, optimizers, schedule, losses, EMA, checkpoints, the loop.
 * @packageDocumentation
 */
export { train, type TrainOptions, type TrainResult, type StepReport } from './trainer.js';
export { TrainConfigSchema, TRAIN_PRESETS, validateTrainConfig, type TrainConfig } from './config.js';
export { AdamW, SGD, createOptimizer, type Optimizer, type OptimizerConfig, type AdamWConfig, type SGDConfig } from './optimizers.js';
export { learningRate, clipByGlobalNorm, type ScheduleConfig } from './schedule.js';
export { crossEntropy, meanSquaredError, vPredictionPair, type VPredictionPair } from './losses.js';
export { WeightEma } from './ema.js';
export {
  ShuffledSampler,
  batchTensors,
  type Dataset,
  type Batch,
  type BatchArray,
  type TensorBatch,
  type TrainingTask,
  type ConditioningFeed,
  type DatasetSource,
} from './dataset.js';
export { taskTable, findTask, checkConditioning, type TaskTable } from './task-table.js';
export { reverseTask, nextTokenTask, SEQUENCE_TASKS } from './sequence-tasks.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  loadModel,
  latestCheckpoint,
  checkpointName,
  firstDifference,
  type Checkpoint,
  type CheckpointContents,
  type CheckpointState,
} from './checkpoint.js';
export { readTensorFile, writeTensorFile, type NamedTensor, type TensorIndex, type TensorIndexEntry } from './tensor-file.js';
