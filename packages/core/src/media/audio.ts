// Audio loudness over time: ffmpeg decodes the first audio stream to low-rate mono PCM on a pipe and
// we keep one RMS level per window, so memory is a few bytes per window of audio.
import { newCommand, runCommand } from './command.js';
import { checkInputFile } from './probe.js';
import { ChunkSink } from './sink.js';
import { streamPcm } from './pcm.js';

/** Loudness of an audio track, one value per fixed window. */
export interface AudioLevels {
  /** Length of each window in seconds. */
  readonly windowSeconds: number;
  /** RMS level of each window in dBFS (−120 for digital silence). */
  readonly levelsDb: Float32Array;
}

/** A stretch of audio below the silence threshold. */
export interface Silence {
  /** Start, in seconds from the file start. */
  readonly startSeconds: number;
  /** End, in seconds. */
  readonly endSeconds: number;
}

/** Options of {@link readAudioLevels}. */
export interface AudioLevelOptions {
  /** Window length in seconds (default 0.02). */
  readonly windowSeconds?: number;
  /** Cancels decoding (ffmpeg is killed; rejects with `CANCELLED`). */
  readonly signal?: AbortSignal;
}

const SAMPLE_RATE = 8000;
const FLOOR_DB = -120;

/**
 * Measures the loudness of the first audio stream of `input`, window by window.
 *
 * @example
 * ```ts
 * const levels = await readAudioLevels('talk.mp4');
 * const silences = findSilences(levels, -50, 0.5);
 * ```
 */
export async function readAudioLevels(input: string, options: AudioLevelOptions = {}): Promise<AudioLevels> {
  const path = await checkInputFile(input);
  const windowSeconds = options.windowSeconds ?? 0.02;
  const windowSamples = Math.max(1, Math.round(windowSeconds * SAMPLE_RATE));
  const sink = new ChunkSink(1 << 16);
  const command = (await newCommand())
    .input(path)
    .outputOptions(['-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 's16le'])
    .output(sink, { end: true });
  const running = runCommand(command, `reading the audio of ${path}`, options.signal);

  let levels = new Float32Array(1024);
  let count = 0;
  let sumSquares = 0;
  let inWindow = 0;
  let carry = -1; // a byte left over from a chunk that split a 16-bit sample
  const push = (rms: number) => {
    if (count === levels.length) {
      const grown = new Float32Array(levels.length * 2);
      grown.set(levels);
      levels = grown;
    }
    levels[count++] = rms > 0 ? Math.max(FLOOR_DB, 20 * Math.log10(rms)) : FLOOR_DB;
  };
  const addSample = (s: number) => {
    const v = s / 32768;
    sumSquares += v * v;
    if (++inWindow === windowSamples) {
      push(Math.sqrt(sumSquares / windowSamples));
      sumSquares = 0;
      inWindow = 0;
    }
  };

  await sink.consume(running.done, (chunk) => {
    let i = 0;
    if (carry >= 0 && chunk.length > 0) {
      addSample(((chunk[0]! << 8) | carry) << 16 >> 16);
      carry = -1;
      i = 1;
    }
    for (; i + 1 < chunk.length; i += 2) addSample(chunk.readInt16LE(i));
    if (i < chunk.length) carry = chunk[i]!;
  });
  if (inWindow > 0) push(Math.sqrt(sumSquares / inWindow));
  return { windowSeconds: windowSamples / SAMPLE_RATE, levelsDb: levels.slice(0, count) };
}

/**
 * The stretches of at least `minSeconds` whose level stays below `thresholdDb`.
 */
export function findSilences(levels: AudioLevels, thresholdDb: number, minSeconds: number): Silence[] {
  const silences: Silence[] = [];
  let start = -1;
  const close = (end: number) => {
    if (start >= 0 && (end - start) * levels.windowSeconds >= minSeconds - 1e-9) {
      silences.push({ startSeconds: start * levels.windowSeconds, endSeconds: end * levels.windowSeconds });
    }
    start = -1;
  };
  levels.levelsDb.forEach((db, i) => {
    if (db < thresholdDb) {
      if (start < 0) start = i;
    } else close(i);
  });
  close(levels.levelsDb.length);
  return silences;
}

/** Options of {@link readAudioSamples}. */
export interface AudioSampleOptions {
  /** Samples per second of the result (default 16000, what speech models take). */
  readonly sampleRate?: number;
  /** Cancels decoding (ffmpeg is killed; rejects with `CANCELLED`). */
  readonly signal?: AbortSignal;
}

/**
 * Decodes the first audio stream of `input` to mono float samples (−1…1) at `sampleRate`,
 * resampled and down-mixed by ffmpeg and read from a pipe.
 *
 * @example
 * ```ts
 * const samples = await readAudioSamples('talk.mp4', { sampleRate: 16000 });
 * ```
 */
export async function readAudioSamples(input: string, options: AudioSampleOptions = {}): Promise<Float32Array> {
  let samples = new Float32Array(1 << 16);
  let count = 0;
  await streamPcm(input, { sampleRate: options.sampleRate ?? 16000, channels: 1, ...(options.signal === undefined ? {} : { signal: options.signal }) }, (piece) => {
    if (count + piece.length > samples.length) {
      const grown = new Float32Array(Math.max(samples.length * 2, count + piece.length));
      grown.set(samples.subarray(0, count));
      samples = grown;
    }
    samples.set(piece, count);
    count += piece.length;
  });
  return samples.slice(0, count);
}
