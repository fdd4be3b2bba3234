import { Type, type TSchema } from '@sinclair/typebox';
import { assertValid } from '../protocol/validate.js';
import { type TransformerModelConfig, validateModelConfig } from '../transformer/model.js';
import type { OptimizerConfig } from './optimizers.js';
import type { ScheduleConfig } from './schedule.js';

const Positive = Type.Number({ exclusiveMinimum: 0 });
const PositiveInt = Type.Integer({ minimum: 1 });

/** JSON Schema of a {@link TrainConfig} (`framewright train --config FILE`). */
export const TrainConfigSchema: TSchema = Type.Object(
  {
    task: Type.String({ minLength: 1, description: 'training task, by its name in the table the trainer is given, e.g. reverse or next-token' }),
    data: Type.Optional(Type.String({ minLength: 1, description: 'dataset folder, for tasks that read one (e.g. images + captions.jsonl)' })),
    model: Type.Unsafe<TransformerModelConfig>(Type.Object({}, { additionalProperties: true, description: 'TransformerModelConfig' })),
    batchSize: PositiveInt,
    steps: PositiveInt,
    seed: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
    optimizer: Type.Union([
      Type.Object(
        {
          kind: Type.Literal('adamw'),
          lr: Positive,
          beta1: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
          beta2: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
          eps: Type.Optional(Positive),
          weightDecay: Type.Optional(Type.Number({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          kind: Type.Literal('sgd'),
          lr: Positive,
          momentum: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1 })),
          weightDecay: Type.Optional(Type.Number({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ]),
    schedule: Type.Optional(
      Type.Object(
        { warmupSteps: Type.Optional(Type.Integer({ minimum: 0 })), minLrRatio: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })) },
        { additionalProperties: false },
      ),
    ),
    clipNorm: Type.Optional(Positive),
    ema: Type.Optional(Type.Object({ decay: Type.Number({ minimum: 0, exclusiveMaximum: 1 }) }, { additionalProperties: false })),
    checkpointEvery: Type.Optional(PositiveInt),
    keepCheckpoints: Type.Optional(PositiveInt),
  },
  { additionalProperties: false },
);

/** A training run (`framewright train --config FILE` reads one as JSON). */
export interface TrainConfig {
  /** Training task, by its name in the table the trainer is given (e.g. `reverse`, `next-token`). */
  task: string;
  /**
   * Dataset folder, for tasks that read one (e.g. a folder of images with `captions.jsonl`).
   * The CLI resolves it against the folder of the config file.
   */
  data?: string;
  /** The model to train. */
  model: TransformerModelConfig;
  /** Examples per step. */
  batchSize: number;
  /** Total optimizer steps. */
  steps: number;
  /** Seed of initialisation, data order and the run's random stream. */
  seed: number;
  /** AdamW or SGD and their hyper-parameters. */
  optimizer: OptimizerConfig;
  /** Warmup + cosine learning-rate schedule. */
  schedule?: ScheduleConfig;
  /** Clip gradients to this global L2 norm. */
  clipNorm?: number;
  /** Keep an exponential moving average of the weights. */
  ema?: {
    /** Averaging factor per step, e.g. 0.999. */
    decay: number;
  };
  /** Write a checkpoint every N steps (default 100) and at the end. */
  checkpointEvery?: number;
  /** How many checkpoints to keep (default 2). */
  keepCheckpoints?: number;
}

/**
 * Validates a training configuration (schema, then the model configuration).
 * @throws FramewrightError `INVALID_PARAMS` with the JSON pointer of the bad field, or `MODEL_INVALID`
 */
export function validateTrainConfig(value: unknown, what = 'train config'): asserts value is TrainConfig {
  assertValid(TrainConfigSchema, value, what);
  validateModelConfig((value as TrainConfig).model);
}

const tinyModel = (vocab: number, length: number, causal: boolean): TransformerModelConfig => ({
  input: { kind: 'tokens', vocabSize: vocab },
  positions: { kind: 'sinusoidal', length },
  width: 32,
  heads: 4,
  ffnHidden: 64,
  activation: 'gelu',
  blocks: 2,
  outputSize: vocab,
  causal,
});

/**
 * Built-in configurations for `framewright train --preset NAME`. `reverse-reference` is the
 * benchmark reference model (batch 8, sequence 64, width 128, 4 heads, FFN 512, 4 blocks).
 */
export const TRAIN_PRESETS: Readonly<Record<string, TrainConfig>> = Object.freeze({
  'reverse-tiny': {
    task: 'reverse',
    model: tinyModel(12, 8, false),
    batchSize: 32,
    steps: 300,
    seed: 1,
    optimizer: { kind: 'adamw', lr: 3e-3, weightDecay: 0.01 },
    schedule: { warmupSteps: 20, minLrRatio: 0.1 },
    clipNorm: 1,
    ema: { decay: 0.99 },
    checkpointEvery: 100,
  },
  'next-token-tiny': {
    task: 'next-token',
    model: tinyModel(16, 12, true),
    batchSize: 32,
    steps: 300,
    seed: 1,
    optimizer: { kind: 'adamw', lr: 3e-3, weightDecay: 0.01 },
    schedule: { warmupSteps: 20, minLrRatio: 0.1 },
    clipNorm: 1,
    checkpointEvery: 100,
  },
  'reverse-reference': {
    task: 'reverse',
    model: {
      input: { kind: 'tokens', vocabSize: 64 },
      positions: { kind: 'sinusoidal', length: 64 },
      width: 128,
      heads: 4,
      ffnHidden: 512,
      activation: 'gelu',
      blocks: 4,
      outputSize: 64,
    },
    batchSize: 8,
    steps: 1000,
    seed: 1,
    optimizer: { kind: 'adamw', lr: 1e-3, weightDecay: 0.01 },
    schedule: { warmupSteps: 50, minLrRatio: 0.1 },
    clipNorm: 1,
    checkpointEvery: 100,
  },
});
