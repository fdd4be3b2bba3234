/**
 * The transformer: components on TensorFlow.js with stable variable names, exact maths in each
 * class comment (the ONNX exporter relies on both).
 * @packageDocumentation
 */
export { Rng, mixSeed } from './random.js';
export { Module, initValues, type Init } from './module.js';
export { checkShape, checkDtype, dense, layerNormRows, batchMatMul, embeddingLookup, gelu, silu, MASK_VALUE, type DimSpec } from './ops.js';
export { Linear, LayerNorm, Embedding, type LinearConfig, type LayerNormConfig, type EmbeddingConfig } from './layers.js';
export { MultiHeadAttention, KVCache, causalBias, type AttentionConfig, type AttentionOptions } from './attention.js';
export { PositionalEncoding, sinusoidalTable, sincos2dTable, sincos3dTable, type PositionalConfig } from './positional.js';
export { FeedForward, type FeedForwardConfig } from './feedforward.js';
export { TimestepEmbedding, AdaLNModulation, modulate, type TimestepEmbeddingConfig, type AdaLNConfig } from './conditioning.js';
export { TransformerBlock, type BlockConfig, type BlockInputs } from './block.js';
export { SpaceTimeBlock, type SpaceTimeBlockConfig } from './spacetime.js';
export { PatchEmbed, PatchUnembed, patchify, unpatchify, type PatchConfig } from './patch.js';
export { Dropout, validateDropoutRates, type DropoutRates } from './dropout.js';
export {
  TransformerModel,
  validateModelConfig,
  conditioningWidth,
  textEncoderModelConfig,
  meanPool,
  type TransformerModelConfig,
  type TextEncoderConfig,
  type ModelInputs,
} from './model.js';
export { PromptTokenizer, PAD_ID, UNK_ID, type TokenizerConfig, type EncodedPrompts } from './tokenizer.js';
export { PromptEncoder, type PromptEncoderConfig } from './text.js';
