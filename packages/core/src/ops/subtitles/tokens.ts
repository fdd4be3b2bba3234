// Whisper's tokens: the special ids of generation_config.json, the prompt Whisper expects, the
// timestamp tokens, and text from vocab.json (GPT-2 byte-level BPE read backwards).
import { readFile } from 'node:fs/promises';
import { WHISPER_AUDIO, WhisperGenerationConfigSchema, type WhisperGenerationConfig } from '../../models/index.js';
import { FramewrightError, oneLine } from '../../protocol/errors.js';
import { assertValid } from '../../protocol/validate.js';
import { byteDecoder } from '../../util/byte-encoder.js';

/** What the decoder is asked to do. */
export type WhisperTask = 'transcribe' | 'translate';

const BYTE_DECODER = byteDecoder();

/**
 * One Whisper model's vocabulary and special tokens.
 *
 * @example
 * ```ts
 * const tokens = await WhisperTokens.load('generation_config.json', 'vocab.json');
 * tokens.prompt({ language: 'en', task: 'transcribe', timestamps: true }); // [50258, 50259, 50359]
 * ```
 */
export class WhisperTokens {
  /** `<|startoftranscript|>`. */
  readonly start: number;
  /** `<|endoftext|>`: ids from here up are special. */
  readonly end: number;
  /** `<|notimestamps|>`. */
  readonly noTimestamps: number;
  /** `<|0.00|>`: the first timestamp token. */
  readonly timestampBegin: number;
  /** Language code → token id (`en` → `<|en|>`); empty for English-only models. */
  readonly languages: ReadonlyMap<string, number>;
  /** Task → token id; empty for English-only models. */
  readonly tasks: ReadonlyMap<string, number>;
  /** The first timestamp token may be at most this many steps (0.02 s) in. */
  readonly maxInitialTimestamp: number;
  private readonly text: ReadonlyMap<number, string>;

  /** @param config - generation_config.json; @param vocab - vocab.json (token string → id) */
  constructor(config: WhisperGenerationConfig, vocab: Readonly<Record<string, number>>) {
    this.start = config.decoder_start_token_id;
    this.end = config.eos_token_id;
    this.noTimestamps = config.no_timestamps_token_id;
    this.timestampBegin = config.no_timestamps_token_id + 1;
    this.maxInitialTimestamp = config.max_initial_timestamp_index ?? 50;
    const code = (token: string) => /^<\|(.+)\|>$/.exec(token)?.[1] ?? token;
    this.languages = new Map(Object.entries(config.lang_to_id ?? {}).map(([token, id]) => [code(token), id]));
    this.tasks = new Map(Object.entries(config.task_to_id ?? {}));
    this.text = new Map(Object.entries(vocab).filter(([, id]) => id < this.end).map(([token, id]) => [id, token]));
  }

  /** Reads generation_config.json and vocab.json. */
  static async load(configPath: string, vocabPath: string): Promise<WhisperTokens> {
    const read = async (path: string): Promise<unknown> => {
      try {
        return JSON.parse(await readFile(path, 'utf8'));
      } catch (error) {
        throw new FramewrightError('MODEL_INVALID', `cannot read ${path}: ${oneLine(error instanceof Error ? error.message : String(error))}`);
      }
    };
    const config = await read(configPath);
    assertValid(WhisperGenerationConfigSchema, config, configPath, 'MODEL_INVALID');
    const vocab = await read(vocabPath);
    if (typeof vocab !== 'object' || vocab === null || !Object.values(vocab).every((v) => Number.isInteger(v))) {
      throw new FramewrightError('MODEL_INVALID', `${vocabPath} is not a vocab.json (an object of token → id)`);
    }
    return new WhisperTokens(config, vocab as Record<string, number>);
  }

  /** True for models with language and task tokens. */
  get multilingual(): boolean {
    return this.languages.size > 0;
  }

  /** True for `<|0.00|>` … `<|30.00|>`. */
  isTimestamp(id: number): boolean {
    return id >= this.timestampBegin;
  }

  /** Seconds of a timestamp token from its window's start. */
  seconds(id: number): number {
    return (id - this.timestampBegin) * WHISPER_AUDIO.timestampSeconds;
  }

  /**
   * The tokens a window's decoding starts with: `<|startoftranscript|>`, the language and the task
   * (multilingual models), and `<|notimestamps|>` when timestamps are not wanted.
   * @throws FramewrightError `INVALID_PARAMS` for a language or task the model does not have
   */
  prompt(options: { language?: string; task: WhisperTask; timestamps: boolean }): number[] {
    const ids = [this.start];
    if (this.multilingual) {
      if (options.language === undefined) throw new FramewrightError('INVALID_PARAMS', 'a multilingual Whisper needs a language (detect it first)');
      const language = this.languages.get(options.language);
      if (language === undefined) throw new FramewrightError('INVALID_PARAMS', `language ${JSON.stringify(options.language)} is not one of this model's (${[...this.languages.keys()].join(', ')})`, { pointer: '/language' });
      const task = this.tasks.get(options.task);
      if (task === undefined) throw new FramewrightError('INVALID_PARAMS', `this model has no ${options.task} task`, { pointer: '/task' });
      ids.push(language, task);
    } else if (options.task === 'translate' || (options.language !== undefined && options.language !== 'en')) {
      throw new FramewrightError('INVALID_PARAMS', 'this Whisper model is English-only: it transcribes English and does not translate', { pointer: options.task === 'translate' ? '/task' : '/language' });
    }
    if (!options.timestamps) ids.push(this.noTimestamps);
    return ids;
  }

  /** The text of `ids`; special and timestamp tokens are left out. */
  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      const token = this.text.get(id);
      if (token === undefined) continue;
      for (const char of token) {
        const byte = BYTE_DECODER.get(char);
        if (byte !== undefined) bytes.push(byte);
      }
    }
    return new TextDecoder().decode(Uint8Array.from(bytes));
  }
}
