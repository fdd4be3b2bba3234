import * as tf from '@tensorflow/tfjs';
import { type TextEncoderConfig, TransformerModel, meanPool, textEncoderModelConfig } from './model.js';
import { Module } from './module.js';
import { Rng } from './random.js';
import { PromptTokenizer } from './tokenizer.js';

export { PromptTokenizer, PAD_ID, UNK_ID, type TokenizerConfig, type EncodedPrompts } from './tokenizer.js';

/** Configuration of {@link PromptEncoder} (the same as a model's `text.encoder`). */
export type PromptEncoderConfig = TextEncoderConfig;

/**
 * Small text encoder for prompts: ids `[batch, maxLength]` int32 + mask `[batch, maxLength]` →
 * token vectors `[batch, maxLength, width]` (a {@link TransformerModel} with token input, sinusoidal
 * positions, bidirectional attention with a padding mask, GELU, final norm and no head) — the
 * context of cross-attention. {@link PromptEncoder.pool} gives one vector per prompt.
 * Variables: `encoder.*` (see {@link TransformerModel}).
 */
export class PromptEncoder extends Module<PromptEncoderConfig> {
  /** The tokenizer built from `config.tokenizer`. */
  readonly tokenizer: PromptTokenizer;
  private readonly encoder: TransformerModel;

  /**
   * Builds the tokenizer and the encoder transformer.
   * @param config - tokenizer and sizes
   * @param rng - initialisation stream
   */
  constructor(config: PromptEncoderConfig, rng: Rng = new Rng(0)) {
    super(config);
    this.tokenizer = new PromptTokenizer(config.tokenizer);
    this.encoder = this.child(
      'encoder',
      new TransformerModel(textEncoderModelConfig(config), rng),
    );
  }

  /** Tokenizes prompts into tensors: ids `[batch, maxLength]` int32 and mask `[batch, maxLength]`. */
  tensors(prompts: readonly string[]): {
    /** Token ids `[batch, maxLength]` int32. */
    ids: tf.Tensor2D;
    /** Padding mask `[batch, maxLength]`: 1 = token. */
    mask: tf.Tensor2D;
  } {
    const e = this.tokenizer.encode(prompts, this.config.maxLength);
    return { ids: tf.tensor2d(e.ids, e.shape, 'int32'), mask: tf.tensor2d(e.mask, e.shape) };
  }

  /** ids `[batch, L]`, mask `[batch, L]` → `[batch, L, width]`. */
  forward(ids: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor3D {
    return this.encoder.forward(ids, { mask });
  }

  /** Mean of the token vectors over non-padding positions: `[batch, L, width]`, mask → `[batch, width]`. */
  pool(tokens: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
    return meanPool(tokens, mask);
  }
}
