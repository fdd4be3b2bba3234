// The CLIP tokenizer (openai/CLIP simple_tokenizer.py): lowercase, collapse whitespace, split with
// CLIP's regex, map bytes to printable characters (GPT-2's byte encoder), byte-level BPE with
// '</w>' marking word ends, then <|startoftext|> … <|endoftext|> padded to the context length.
import { readFile } from 'node:fs/promises';
import { FramewrightError } from '../../../protocol/errors.js';
import { byteEncoder } from '../../../util/byte-encoder.js';

const START = '<|startoftext|>';
const END = '<|endoftext|>';

/** CLIP's pre-tokenizer pattern (case-insensitive; the text is lowercased first anyway). */
const PRE_TOKENIZER = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

const BYTE_ENCODER = byteEncoder();

/** Token ids of one prompt, padded to the context length. */
export interface ClipEncoding {
  /** Exactly `contextLength` ids. */
  readonly ids: number[];
  /** True when the prompt was longer than the context and was cut. */
  readonly truncated: boolean;
}

/**
 * A CLIP BPE tokenizer from a Hugging Face `vocab.json` (token → id) and `merges.txt` (one merge
 * per line, best first; a `#version` first line is skipped).
 *
 * @example
 * ```ts
 * const tokenizer = await ClipTokenizer.fromFiles('tokenizer/vocab.json', 'tokenizer/merges.txt');
 * tokenizer.encode('a photo of a cat').ids.slice(0, 7); // [49406, 320, 1125, 539, 320, 2368, 49407]
 * ```
 */
export class ClipTokenizer {
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, string[]>();
  /** Id of `<|startoftext|>`. */
  readonly startId: number;
  /** Id of `<|endoftext|>`. */
  readonly endId: number;
  /** Id used for padding. */
  readonly padId: number;

  /**
   * Builds the tokenizer from the vocabulary and merges of a CLIP text encoder.
   * @param vocab - token → id
   * @param merges - merge pairs, best first (`"a b"`)
   * @param contextLength - ids per prompt (77)
   * @param padToken - the padding token (`<|endoftext|>` for SD 1.x, `!` for SD 2.x / SD-Turbo)
   */
  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    merges: readonly string[],
    readonly contextLength = 77,
    padToken = END,
  ) {
    merges.forEach((m, i) => this.ranks.set(m, i));
    const id = (token: string) => {
      const value = vocab.get(token);
      if (value === undefined) throw new FramewrightError('MODEL_INVALID', `CLIP vocabulary has no ${token} token`);
      return value;
    };
    this.startId = id(START);
    this.endId = id(END);
    this.padId = id(padToken);
  }

  /**
   * Reads `vocab.json` and `merges.txt`.
   * @throws FramewrightError `MODEL_INVALID` naming the file that is unreadable or malformed
   */
  static async fromFiles(vocabPath: string, mergesPath: string, contextLength = 77, padToken = END): Promise<ClipTokenizer> {
    let vocab: unknown;
    try {
      vocab = JSON.parse(await readFile(vocabPath, 'utf8'));
    } catch {
      throw new FramewrightError('MODEL_INVALID', `CLIP vocabulary ${vocabPath} is not a readable JSON file`);
    }
    if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab) || !Object.values(vocab).every((v) => Number.isInteger(v))) {
      throw new FramewrightError('MODEL_INVALID', `CLIP vocabulary ${vocabPath} must map tokens to integer ids`);
    }
    const text = await readFile(mergesPath, 'utf8').catch(() => {
      throw new FramewrightError('MODEL_INVALID', `CLIP merges ${mergesPath} cannot be read`);
    });
    const merges = text.split('\n').filter((line, i) => line.trim() !== '' && !(i === 0 && line.startsWith('#version')));
    if (merges.some((m) => m.split(' ').length !== 2)) throw new FramewrightError('MODEL_INVALID', `CLIP merges ${mergesPath} must hold one "a b" pair per line`);
    return new ClipTokenizer(new Map(Object.entries(vocab as Record<string, number>)), merges, contextLength, padToken);
  }

  /** Byte-level BPE of one pre-token (already byte-encoded); returns its subword strings. */
  bpe(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached !== undefined) return cached;
    const chars = [...token];
    let word = [...chars.slice(0, -1), `${chars[chars.length - 1]}</w>`];
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const [a, b] = [word[best]!, word[best + 1]!];
      const merged: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i < word.length - 1 && word[i] === a && word[i + 1] === b) {
          merged.push(a + b);
          i++;
        } else merged.push(word[i]!);
      }
      word = merged;
    }
    this.cache.set(token, word);
    return word;
  }

  /** The ids of `text` without start/end tokens or padding. Subwords missing from the vocabulary are skipped. */
  tokenize(text: string): number[] {
    const clean = text.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
    const ids: number[] = [];
    for (const match of clean.matchAll(PRE_TOKENIZER)) {
      const encoded = [...new TextEncoder().encode(match[0])].map((b) => BYTE_ENCODER[b]!).join('');
      for (const piece of this.bpe(encoded)) {
        const id = this.vocab.get(piece);
        if (id !== undefined) ids.push(id);
      }
    }
    return ids;
  }

  /** `<|startoftext|>`, the prompt's ids (cut to fit), `<|endoftext|>`, then padding to the context length. */
  encode(text: string): ClipEncoding {
    const body = this.tokenize(text);
    const room = this.contextLength - 2;
    const kept = body.slice(0, room);
    const ids = [this.startId, ...kept, this.endId];
    while (ids.length < this.contextLength) ids.push(this.padId);
    return { ids, truncated: body.length > room };
  }
}
