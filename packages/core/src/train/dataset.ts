import * as tf from '@tensorflow/tfjs';
import { FramewrightError } from '../protocol/errors.js';
import { Rng, mixSeed } from '../transformer/random.js';
import type { TransformerModel, TransformerModelConfig } from '../transformer/model.js';

/** One named array of a batch, backend-free (plain typed array + shape). */
export type BatchArray =
  | {
      /** Float values. */
      dtype: 'float32';
      /** Dimensions. */
      shape: number[];
      /** Row-major values. */
      data: Float32Array;
    }
  | {
      /** Integer values (token ids). */
      dtype: 'int32';
      /** Dimensions. */
      shape: number[];
      /** Row-major values. */
      data: Int32Array;
    };

/** A batch: named arrays such as `inputs`, `targets`, `mask`. */
export type Batch = Record<string, BatchArray>;

/** A batch turned into tensors (what a task's loss receives). */
export type TensorBatch = Record<string, tf.Tensor>;

/**
 * A streaming source of batches. Batch i depends only on (seed, i), so the batches from `start`
 * on are exactly those an uninterrupted run would have seen after `start` steps.
 */
export interface Dataset {
  /** Name for messages. */
  readonly name: string;
  /** Batches `start`, `start + 1`, … (endless; the trainer stops pulling). */
  batches(options: { seed: number; batchSize: number; start: number }): AsyncIterable<Batch>;
}

/**
 * Deterministic epoch shuffling of a finite dataset of `size` examples: epoch e visits the
 * examples in a Fisher–Yates permutation seeded by (seed, e); batches run across epoch ends.
 */
export class ShuffledSampler {
  private epoch = -1;
  private order: number[] = [];

  /**
   * Creates a sampler over `size` examples.
   * @param size - number of examples
   * @param seed - run seed
   */
  constructor(
    readonly size: number,
    readonly seed: number,
  ) {
    if (!(size > 0)) throw new FramewrightError('INVALID_PARAMS', 'a dataset needs at least one example');
  }

  /** Example indices of batch `batch` of `batchSize`. */
  indices(batch: number, batchSize: number): number[] {
    return Array.from({ length: batchSize }, (_, j) => {
      const position = batch * batchSize + j;
      const epoch = Math.floor(position / this.size);
      if (epoch !== this.epoch) {
        this.epoch = epoch;
        this.order = new Rng(mixSeed(this.seed, epoch)).shuffle(Array.from({ length: this.size }, (_, i) => i));
      }
      return this.order[position % this.size]!;
    });
  }
}

/**
 * A conditioning input a task gives the model: a diffusion `timestep`, `prompt` token ids (for a
 * model with its own prompt encoder, `model.text`), or a ready `context` tensor.
 */
export type ConditioningFeed = 'timestep' | 'prompt' | 'context';

/** Where a task's data comes from besides the model: the run's `data` folder, if any. */
export interface DatasetSource {
  /** `TrainConfig.data`: a dataset folder (absolute, or relative to the working directory). */
  data?: string;
}

/** A trainable task: which data, which loss, which models fit. The trainer gets tasks in a {@link TaskTable}. */
export interface TrainingTask {
  /** Name a run's config refers to (`reverse`, `next-token`, …). */
  readonly name: string;
  /** One line for `framewright train --help`. */
  readonly description: string;
  /**
   * The conditioning inputs the task's loss passes to the model; absent = none. The trainer
   * refuses, before step 1, a model whose conditioning (`model.timestep`, `model.text`,
   * `model.context`) the task does not feed.
   */
  readonly feeds?: readonly ConditioningFeed[];
  /** Throws `INVALID_PARAMS` naming the field when a model configuration cannot do this task. */
  checkModel(config: TransformerModelConfig): void;
  /** The task's data for a model of this configuration (`source.data`: the run's dataset folder). */
  dataset(config: TransformerModelConfig, source?: DatasetSource): Dataset;
  /**
   * Scalar loss of `model` on `batch`, computed under the gradient tape. `rng` is the run's
   * generator (noise, masking); its state is saved in checkpoints.
   */
  loss(model: TransformerModel, batch: TensorBatch, rng: Rng): tf.Scalar;
}

/** Turns a batch into tensors (the caller disposes them). */
export function batchTensors(batch: Batch): TensorBatch {
  const out: TensorBatch = {};
  for (const [name, a] of Object.entries(batch)) out[name] = tf.tensor(a.data, a.shape, a.dtype);
  return out;
}
