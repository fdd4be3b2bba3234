// Whisper in ONNX Runtime: the encoder once per 30 s window, then the decoder one token at a time
// with its key/value cache (Optimum's merged decoder, or decoder + decoder_with_past).
import { packFile, whisperModelIo, WHISPER_AUDIO, WHISPER_NAMES, type ModelPack, type WhisperModelIo } from '../../models/index.js';
import { FramewrightError } from '../../protocol/errors.js';
import { openOnnxSession, type OnnxSession, type OnnxSessionOptions, type OnnxTensorValue } from '../../runtime/onnx-session.js';

/** One window of audio to decode. */
export interface WhisperWindow {
  /** `input_features`, [melBins, 3000] row-major. */
  readonly features: Float32Array;
  /** Where the window starts in the file, seconds. Models that hear only the audio ignore it. */
  readonly startSeconds: number;
  /** Seconds of audio in the window (30, or less at the end of a range). */
  readonly durationSeconds: number;
}

/** The decoder of one window, token by token. */
export interface WhisperDecoding {
  /** Feeds `ids` after those fed before and returns the logits of the last one (vocab long). */
  step(ids: readonly number[]): Promise<Float32Array>;
}

/** A Whisper model as the decoding loop sees it. */
export interface WhisperModel {
  /** Mel bins the encoder takes. */
  readonly melBins: number;
  /** Encodes a window and starts its decoder. */
  begin(window: WhisperWindow): Promise<WhisperDecoding>;
}

type Tensors = Record<string, OnnxTensorValue>;

/** Whisper on ONNX Runtime, from the files of a speech-to-text pack. */
export class OnnxWhisper implements WhisperModel {
  readonly melBins: number;

  private constructor(
    readonly io: WhisperModelIo,
    private readonly encoder: OnnxSession,
    private readonly decoder: OnnxSession,
    private readonly withPast: OnnxSession | undefined,
  ) {
    this.melBins = io.melBins;
  }

  /**
   * Opens the encoder and decoder(s) and checks their interface.
   * @throws FramewrightError `MODEL_INVALID` when a file is not Optimum's Whisper interface
   */
  static async open(files: { encoder: string; decoder: string; decoderWithPast?: string }, options: OnnxSessionOptions = {}): Promise<OnnxWhisper> {
    const encoder = await openOnnxSession(files.encoder, options);
    const decoder = await openOnnxSession(files.decoder, options);
    const withPast = files.decoderWithPast === undefined ? undefined : await openOnnxSession(files.decoderWithPast, options);
    const io = whisperModelIo(encoder, decoder, withPast, { encoder: files.encoder, decoder: files.decoder, ...(files.decoderWithPast === undefined ? {} : { withPast: files.decoderWithPast }) });
    return new OnnxWhisper(io, encoder, decoder, io.layout === 'merged' ? undefined : withPast);
  }

  /** Opens the model of a speech-to-text pack (roles encoder, decoder, optional decoder_with_past). */
  static async fromPack(pack: ModelPack, options: OnnxSessionOptions = {}): Promise<OnnxWhisper> {
    const hasWithPast = pack.manifest.files.some((f) => f.role === 'decoder_with_past');
    return OnnxWhisper.open({ encoder: packFile(pack, 'encoder'), decoder: packFile(pack, 'decoder'), ...(hasWithPast ? { decoderWithPast: packFile(pack, 'decoder_with_past') } : {}) }, options);
  }

  async begin(window: WhisperWindow): Promise<OnnxDecoding> {
    if (window.features.length !== this.melBins * WHISPER_AUDIO.frames) {
      throw new FramewrightError('INVALID_PARAMS', `Whisper features must be ${this.melBins} × ${WHISPER_AUDIO.frames}, got ${window.features.length} values`);
    }
    const out = await this.encoder.run({ [WHISPER_NAMES.features]: { data: window.features, dims: [1, this.melBins, WHISPER_AUDIO.frames] } });
    return new OnnxDecoding(this.io, out[WHISPER_NAMES.hidden]!, this.decoder, this.withPast);
  }
}

const ids64 = (ids: readonly number[]): OnnxTensorValue => ({ data: BigInt64Array.from(ids.map((i) => BigInt(i))), dims: [1, ids.length] });

function lastRow(logits: OnnxTensorValue): Float32Array {
  const vocab = logits.dims[2]!;
  const rows = logits.dims[1]!;
  return (logits.data as Float32Array).slice((rows - 1) * vocab, rows * vocab);
}

/** One window's decoder with its key/value cache. */
export class OnnxDecoding implements WhisperDecoding {
  private past: Tensors | undefined;
  private fed: number[] = [];

  /** @internal */
  constructor(
    private readonly io: WhisperModelIo,
    private readonly hidden: OnnxTensorValue,
    private readonly decoder: OnnxSession,
    private readonly withPast: OnnxSession | undefined,
  ) {}

  /** The ids fed so far. */
  get tokens(): readonly number[] {
    return this.fed;
  }

  async step(ids: readonly number[]): Promise<Float32Array> {
    const first = this.past === undefined;
    const session = first || this.withPast === undefined ? this.decoder : this.withPast;
    const feeds: Tensors = { [WHISPER_NAMES.inputIds]: ids64(ids), [WHISPER_NAMES.encoderStates]: this.hidden };
    if (this.io.layout === 'merged') {
      Object.assign(feeds, first ? this.emptyPast() : this.past);
      feeds[WHISPER_NAMES.useCacheBranch] = { data: Uint8Array.of(first ? 0 : 1), dims: [1] };
    } else if (!first) Object.assign(feeds, this.past);
    // decoder_with_past exports often drop encoder_hidden_states (unused once the cross-attention cache exists).
    const declared = new Set(session.inputs.map((i) => i.name));
    const out = await session.run(Object.fromEntries(Object.entries(feeds).filter(([name]) => declared.has(name))));
    const next: Tensors = {};
    for (let l = 0; l < this.io.layers; l++) {
      for (const kind of ['key', 'value'] as const) {
        next[WHISPER_NAMES.past(l, 'decoder', kind)] = out[WHISPER_NAMES.present(l, 'decoder', kind)]!;
        const encoderName = WHISPER_NAMES.past(l, 'encoder', kind);
        next[encoderName] = first ? out[WHISPER_NAMES.present(l, 'encoder', kind)]! : this.past![encoderName]!;
      }
    }
    this.past = next;
    this.fed = [...this.fed, ...ids];
    return lastRow(out[WHISPER_NAMES.logits]!);
  }

  /**
   * The logits after `ids` computed from scratch, without the cache (the first-step decoder on
   * the whole sequence). Decoding uses {@link OnnxDecoding.step}; this is its check.
   */
  async withoutCache(ids: readonly number[]): Promise<Float32Array> {
    const feeds: Tensors = { [WHISPER_NAMES.inputIds]: ids64(ids), [WHISPER_NAMES.encoderStates]: this.hidden };
    if (this.io.layout === 'merged') {
      Object.assign(feeds, this.emptyPast());
      feeds[WHISPER_NAMES.useCacheBranch] = { data: Uint8Array.of(0), dims: [1] };
    }
    return lastRow((await this.decoder.run(feeds))[WHISPER_NAMES.logits]!);
  }

  private emptyPast(): Tensors {
    const empty: OnnxTensorValue = { data: new Float32Array(0), dims: [1, this.io.heads, 0, this.io.headDim] };
    const feeds: Tensors = {};
    for (let l = 0; l < this.io.layers; l++) {
      for (const side of ['decoder', 'encoder'] as const) for (const kind of ['key', 'value'] as const) feeds[WHISPER_NAMES.past(l, side, kind)] = empty;
    }
    return feeds;
  }
}
