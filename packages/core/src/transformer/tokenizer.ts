import { FramewrightError } from '../protocol/errors.js';

/** Id of the padding token in every {@link PromptTokenizer} vocabulary. */
export const PAD_ID = 0;
/** Id of the unknown-token marker in every {@link PromptTokenizer} vocabulary. */
export const UNK_ID = 1;
const SPECIALS = ['<pad>', '<unk>'];

/** Configuration of {@link PromptTokenizer} (JSON; the vocabulary travels with the model). */
export interface TokenizerConfig {
  /** `word`: lower-cased runs of letters/digits and single punctuation marks; `char`: lower-cased characters. */
  kind: 'word' | 'char';
  /** Tokens by id; ids 0 and 1 are `<pad>` and `<unk>`. */
  vocabulary: string[];
}

/** Token ids and padding mask of a batch of prompts, ready for {@link PromptEncoder.forward}. */
export interface EncodedPrompts {
  /** `[batch·maxLength]` ids, padded with {@link PAD_ID}. */
  ids: Int32Array;
  /** `[batch·maxLength]`: 1 for a token, 0 for padding. */
  mask: Float32Array;
  /** `[batch, maxLength]`. */
  shape: [number, number];
}

/**
 * A word- or character-level tokenizer over a fixed vocabulary.
 *
 * @example
 * ```ts
 * const tok = PromptTokenizer.fromCorpus(['a red circle', 'a blue square'], 'word');
 * tok.encode(['a red square'], 8).ids; // [2, 3, 6, 0, 0, 0, 0, 0] (ids depend on the corpus)
 * ```
 */
export class PromptTokenizer {
  /** The JSON configuration (kind and vocabulary). */
  readonly config: TokenizerConfig;
  private readonly ids: Map<string, number>;

  /**
   * Builds the word-to-id table from the vocabulary.
   * @param config - kind and vocabulary (must start with `<pad>`, `<unk>`)
   */
  constructor(config: TokenizerConfig) {
    if (config.vocabulary[PAD_ID] !== SPECIALS[0] || config.vocabulary[UNK_ID] !== SPECIALS[1]) {
      throw new FramewrightError('MODEL_INVALID', 'tokenizer vocabulary must start with <pad>, <unk>');
    }
    this.config = config;
    this.ids = new Map(config.vocabulary.map((t, i) => [t, i]));
  }

  /** Builds a vocabulary of every token in `texts` (sorted, so the result does not depend on order). */
  static fromCorpus(texts: readonly string[], kind: 'word' | 'char'): PromptTokenizer {
    const tokens = new Set<string>();
    for (const t of texts) for (const tok of split(t, kind)) tokens.add(tok);
    return new PromptTokenizer({ kind, vocabulary: [...SPECIALS, ...[...tokens].sort()] });
  }

  /** Vocabulary size including the special tokens. */
  get size(): number {
    return this.config.vocabulary.length;
  }

  /** Splits a text into tokens (no ids). */
  tokenize(text: string): string[] {
    return split(text, this.config.kind);
  }

  /** Encodes prompts to `[batch, maxLength]` ids and mask; longer prompts are truncated. */
  encode(texts: readonly string[], maxLength: number): EncodedPrompts {
    const ids = new Int32Array(texts.length * maxLength);
    const mask = new Float32Array(texts.length * maxLength);
    texts.forEach((text, b) => {
      this.tokenize(text)
        .slice(0, maxLength)
        .forEach((tok, i) => {
          ids[b * maxLength + i] = this.ids.get(tok) ?? UNK_ID;
          mask[b * maxLength + i] = 1;
        });
    });
    return { ids, mask, shape: [texts.length, maxLength] };
  }
}

function split(text: string, kind: 'word' | 'char'): string[] {
  const lower = text.toLowerCase();
  return kind === 'char' ? Array.from(lower) : (lower.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? []);
}
