import { FramewrightError } from '../../protocol/errors.js';
import { ATTRIBUTE_SLOTS, GRID, SEQUENCE, SLOTS, ShapesVocabulary, buildMaskCodebook } from './tokens.js';
import type { TransformerModel, TransformerModelConfig } from '../../transformer/model.js';
import { Rng, mixSeed } from '../../transformer/random.js';
import { type Dataset, type TensorBatch, type TrainingTask, crossEntropy } from '../../train/index.js';
import { sampleExample } from './dataset.js';

let vocabulary: ShapesVocabulary | undefined;

/** The built-in image model's vocabulary (mask codebook built once from the renderer). */
export function shapesVocabulary(): ShapesVocabulary {
  vocabulary ??= new ShapesVocabulary(buildMaskCodebook());
  return vocabulary;
}

function checkShapesModel(task: string, config: TransformerModelConfig): void {
  const bad = (why: string): never => {
    throw new FramewrightError('INVALID_PARAMS', `task ${task} needs ${why}`);
  };
  const size = shapesVocabulary().size;
  if (config.input.kind !== 'tokens' || config.input.vocabSize !== size) bad(`model.input {kind: tokens, vocabSize: ${size}}`);
  if (config.outputSize !== size) bad(`model.outputSize ${size}`);
  if (config.causal === true) bad('a bidirectional model (causal false)');
  const p = config.positions;
  const fits = (p.kind === 'sincos2d' && p.rows === GRID + 1 && p.cols === SLOTS) || ((p.kind === 'learned' || p.kind === 'sinusoidal') && p.length === SEQUENCE);
  if (!fits) bad(`model.positions {kind: sincos2d, rows: ${GRID + 1}, cols: ${SLOTS}} (or 1-D positions of length ${SEQUENCE})`);
}

/** Fraction of the predicted positions masked for a uniform draw u (MaskGIT's cosine schedule). */
export function cosineMaskRatio(u: number): number {
  return Math.cos((Math.PI / 2) * u);
}

/**
 * `shapes-maskgit`: the built-in text-to-image model. Each example is a procedural picture with
 * a caption; the sequence is [6 prompt-attribute tokens, 2 palette tokens, 64 patch-mask codes]
 * (see {@link ShapesVocabulary}). A cosine-scheduled share of the 66 picture tokens is replaced by
 * mask ids and the model predicts them (cross-entropy on masked positions only). Batch i depends
 * only on (seed, i). `shapes-maskgit` jitters objects by ±1 px around their cell centre;
 * `shapes-maskgit-centred` puts them exactly on it (one layout per attribute set: faster to learn).
 */
function shapesTask(name: string, jitter: boolean): TrainingTask {
  return {
    name,
    description: `masked-token text-to-image over procedural captioned shapes${jitter ? ' (objects jittered ±1 px)' : ' (objects on cell centres)'}`,
    checkModel: (config) => checkShapesModel(name, config),
    dataset(config): Dataset {
      checkShapesModel(name, config);
      const vocab = shapesVocabulary();
      const predicted = SEQUENCE - ATTRIBUTE_SLOTS;
      return {
        name,
        async *batches({ seed, batchSize, start }) {
          for (let b = start; ; b++) {
            const rng = new Rng(mixSeed(seed, b));
            const inputs = new Int32Array(batchSize * SEQUENCE);
            const targets = new Int32Array(batchSize * SEQUENCE);
            const mask = new Float32Array(batchSize * SEQUENCE);
            for (let i = 0; i < batchSize; i++) {
              const { tokens } = sampleExample(rng, vocab, jitter);
              const row = i * SEQUENCE;
              targets.set(tokens, row);
              inputs.set(tokens, row);
              const masked = Math.max(1, Math.ceil(cosineMaskRatio(rng.float()) * predicted));
              const order = rng.shuffle(Array.from({ length: predicted }, (_, k) => ATTRIBUTE_SLOTS + k));
              for (const slot of order.slice(0, masked)) {
                inputs[row + slot] = vocab.maskId(slot);
                mask[row + slot] = 1;
              }
            }
            yield {
              inputs: { dtype: 'int32', shape: [batchSize, SEQUENCE], data: inputs },
              targets: { dtype: 'int32', shape: [batchSize, SEQUENCE], data: targets },
              mask: { dtype: 'float32', shape: [batchSize, SEQUENCE], data: mask },
            };
          }
        },
      };
    },
    loss(model: TransformerModel, batch: TensorBatch) {
      return crossEntropy(model.forward(batch['inputs']!), batch['targets']!, batch['mask']);
    },
  };
}

/** The built-in image model's task (objects jittered ±1 px). */
export const shapesMaskGitTask = shapesTask('shapes-maskgit', true);
/** The same with every object on its cell centre. */
export const shapesMaskGitCentredTask = shapesTask('shapes-maskgit-centred', false);
