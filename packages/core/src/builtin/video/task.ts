import { FramewrightError } from '../../protocol/errors.js';
import { CLIP_FRAMES } from './motion.js';
import { CLIP_SEQUENCE, MotionVocabulary, buildMotionCodebook } from './tokens.js';
import { ATTRIBUTE_SLOTS, GRID, SEQUENCE, SLOTS, ShapesVocabulary, cosineMaskRatio } from '../image/index.js';
import type { TransformerModel, TransformerModelConfig } from '../../transformer/model.js';
import { Rng, mixSeed } from '../../transformer/random.js';
import { type Dataset, type TensorBatch, type TrainingTask, crossEntropy } from '../../train/index.js';
import { sampleMotionExample } from './dataset.js';

let vocabulary: MotionVocabulary | undefined;

/**
 * Loss weight of a masked token that is not an empty background patch (object patches and
 * palettes) relative to 1 for empty patches. Most of a clip is background; without it a short
 * run learns to predict empty frames first and objects late.
 */
const OBJECT_WEIGHT = 3;

/** The built-in video model's vocabulary (`buildMotionCodebook` plus directions), built once. */
export function motionVocabulary(): MotionVocabulary {
  vocabulary ??= new MotionVocabulary(new ShapesVocabulary(buildMotionCodebook()));
  return vocabulary;
}

function checkMotionModel(config: TransformerModelConfig): void {
  const bad = (why: string): never => {
    throw new FramewrightError('INVALID_PARAMS', `task motion-maskgit needs ${why}`);
  };
  const size = motionVocabulary().size;
  if (config.input.kind !== 'tokens' || config.input.vocabSize !== size) bad(`model.input {kind: tokens, vocabSize: ${size}}`);
  if (config.outputSize !== size) bad(`model.outputSize ${size}`);
  if (config.spaceTime?.frames !== CLIP_FRAMES || config.spaceTime.causalTime === true) bad(`model.spaceTime {frames: ${CLIP_FRAMES}} (bidirectional in time)`);
  const p = config.positions;
  if (!(p.kind === 'sincos3d' && p.frames === CLIP_FRAMES && p.rows === GRID + 1 && p.cols === SLOTS)) bad(`model.positions {kind: sincos3d, frames: ${CLIP_FRAMES}, rows: ${GRID + 1}, cols: ${SLOTS}}`);
}

/**
 * `motion-maskgit`: the built-in text-to-video model. Each example is a procedural clip of a
 * shape crossing the frame with a caption; the sequence is 8 frames × [6 prompt-attribute
 * tokens, 2 palette tokens, 64 patch-mask codes] (see {@link MotionVocabulary}). A
 * cosine-scheduled share of the 8 × 66 picture tokens is replaced by mask ids and the model
 * predicts them (cross-entropy on masked positions only, object tokens weighted
 * 3× empty background patches). Batch i depends only on (seed, i).
 */
export const motionMaskGitTask: TrainingTask = {
  name: 'motion-maskgit',
  description: 'masked-token text-to-video over procedural captioned moving shapes (the built-in video model)',
  checkModel: checkMotionModel,
  dataset(config): Dataset {
    checkMotionModel(config);
    const vocab = motionVocabulary();
    const emptyPatch = vocab.image.patches.base + vocab.image.codebook.indexOf(0);
    const predictedSlots: number[] = [];
    for (let p = 0; p < CLIP_SEQUENCE; p++) if (p % SEQUENCE >= ATTRIBUTE_SLOTS) predictedSlots.push(p);
    return {
      name: 'motion-maskgit',
      async *batches({ seed, batchSize, start }) {
        for (let b = start; ; b++) {
          const rng = new Rng(mixSeed(seed, b));
          const inputs = new Int32Array(batchSize * CLIP_SEQUENCE);
          const targets = new Int32Array(batchSize * CLIP_SEQUENCE);
          const mask = new Float32Array(batchSize * CLIP_SEQUENCE);
          for (let i = 0; i < batchSize; i++) {
            const { tokens } = sampleMotionExample(rng, vocab);
            const row = i * CLIP_SEQUENCE;
            targets.set(tokens, row);
            inputs.set(tokens, row);
            const masked = Math.max(1, Math.ceil(cosineMaskRatio(rng.float()) * predictedSlots.length));
            const order = rng.shuffle([...predictedSlots]);
            for (const p of order.slice(0, masked)) {
              inputs[row + p] = vocab.image.maskId(p % SEQUENCE);
              mask[row + p] = tokens[p] === emptyPatch ? 1 : OBJECT_WEIGHT;
            }
          }
          yield {
            inputs: { dtype: 'int32', shape: [batchSize, CLIP_SEQUENCE], data: inputs },
            targets: { dtype: 'int32', shape: [batchSize, CLIP_SEQUENCE], data: targets },
            mask: { dtype: 'float32', shape: [batchSize, CLIP_SEQUENCE], data: mask },
          };
        }
      },
    };
  },
  loss(model: TransformerModel, batch: TensorBatch) {
    return crossEntropy(model.forward(batch['inputs']!), batch['targets']!, batch['mask']);
  },
};
