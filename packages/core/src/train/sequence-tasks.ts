import { FramewrightError } from '../protocol/errors.js';
import type { TransformerModel, TransformerModelConfig } from '../transformer/model.js';
import { Rng, mixSeed } from '../transformer/random.js';
import { type Batch, type Dataset, type TensorBatch, type TrainingTask, ShuffledSampler } from './dataset.js';
import { crossEntropy } from './losses.js';
import { type TaskTable, taskTable } from './task-table.js';

/** Sequence length and vocabulary of a token model, or an `INVALID_PARAMS` naming what does not fit. */
function tokenModelShape(task: string, config: TransformerModelConfig, causal: boolean): { seq: number; vocab: number } {
  const bad = (why: string): never => {
    throw new FramewrightError('INVALID_PARAMS', `task ${task} needs ${why}`);
  };
  if (config.input.kind !== 'tokens') bad(`model.input.kind tokens, got ${config.input.kind}`);
  const vocab = (config.input as { vocabSize: number }).vocabSize;
  if (config.outputSize !== vocab) bad(`model.outputSize equal to the vocabulary (${vocab}), got ${String(config.outputSize)}`);
  if ((config.causal === true) !== causal) bad(`model.causal ${causal}`);
  const p = config.positions;
  if (p.kind !== 'sinusoidal' && p.kind !== 'learned') bad('1-D positions (sinusoidal or learned)');
  return { seq: (p as { length: number }).length, vocab };
}

function tokens(shape: [number, number], data: Int32Array): Batch[string] {
  return { dtype: 'int32', shape, data };
}

/**
 * `reverse`: random token sequences; the target at position i is the input at position
 * seq−1−i. Needs a bidirectional (non-causal) token model; every batch is fresh random data
 * drawn from (seed, batch index).
 */
export const reverseTask: TrainingTask = {
  name: 'reverse',
  description: 'reverse a random token sequence (bidirectional token model)',
  checkModel(config) {
    tokenModelShape('reverse', config, false);
  },
  dataset(config): Dataset {
    const { seq, vocab } = tokenModelShape('reverse', config, false);
    return {
      name: 'reverse',
      async *batches({ seed, batchSize, start }) {
        for (let b = start; ; b++) {
          const rng = new Rng(mixSeed(seed, b));
          const inputs = Int32Array.from({ length: batchSize * seq }, () => rng.int(vocab));
          const targets = new Int32Array(batchSize * seq);
          for (let i = 0; i < batchSize; i++) for (let j = 0; j < seq; j++) targets[i * seq + j] = inputs[i * seq + seq - 1 - j]!;
          yield { inputs: tokens([batchSize, seq], inputs), targets: tokens([batchSize, seq], targets) };
        }
      },
    };
  },
  loss(model: TransformerModel, batch: TensorBatch) {
    return crossEntropy(model.forward(batch['inputs']!), batch['targets']!);
  },
};

/**
 * `next-token`: arithmetic progressions `x_i = (start + i·stride) mod vocab` over every
 * (start, stride) pair — a finite dataset shuffled per epoch with the seed. The model predicts
 * x_{i+1} from x_0…x_i; position 0 (where the stride is still unknown) is ignored by the loss
 * mask. Needs a causal token model.
 */
export const nextTokenTask: TrainingTask = {
  name: 'next-token',
  description: 'predict the next token of modular arithmetic progressions (causal token model)',
  checkModel(config) {
    tokenModelShape('next-token', config, true);
  },
  dataset(config): Dataset {
    const { seq, vocab } = tokenModelShape('next-token', config, true);
    return {
      name: 'next-token',
      async *batches({ seed, batchSize, start }) {
        const sampler = new ShuffledSampler(vocab * vocab, seed);
        for (let b = start; ; b++) {
          const inputs = new Int32Array(batchSize * seq);
          const targets = new Int32Array(batchSize * seq);
          const mask = new Float32Array(batchSize * seq);
          sampler.indices(b, batchSize).forEach((example, i) => {
            const first = example % vocab;
            const stride = Math.floor(example / vocab);
            for (let j = 0; j < seq; j++) {
              inputs[i * seq + j] = (first + j * stride) % vocab;
              targets[i * seq + j] = (first + (j + 1) * stride) % vocab;
              mask[i * seq + j] = j === 0 ? 0 : 1;
            }
          });
          yield {
            inputs: tokens([batchSize, seq], inputs),
            targets: tokens([batchSize, seq], targets),
            mask: { dtype: 'float32', shape: [batchSize, seq], data: mask },
          };
        }
      },
    };
  },
  loss(model: TransformerModel, batch: TensorBatch) {
    return crossEntropy(model.forward(batch['inputs']!), batch['targets']!, batch['mask']);
  },
};

/** The synthetic sequence tasks (`reverse`, `next-token`): small checks that the transformer and trainer learn. */
export const SEQUENCE_TASKS: TaskTable = taskTable([reverseTask, nextTokenTask]);
