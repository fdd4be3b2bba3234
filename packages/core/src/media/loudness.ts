// Per-frame audio loudness the way auto-editor (its current release, src/analyze/audio) measures it
// for its default edit: the audio, resampled to signed 16-bit at its own rate and channel count, is
// cut into chunks one video frame long (sample rate ÷ frame rate samples, rounded, the remainder
// carried from chunk to chunk) and each chunk's loudness is its largest absolute sample over every
// channel ÷ 32767 (−32768 counts as 32767). ffmpeg decodes to s16 PCM on a pipe; only one number per
// chunk is kept, so memory stays flat on long files.
import type ffmpeg from 'fluent-ffmpeg';
import { FramewrightError } from '../protocol/index.js';
import { lastLine, newCommand, runCommand } from './command.js';
import { checkInputFile, type AudioInfo, type Rational } from './probe.js';
import { LARGE_AUDIO_FRAMES } from './pcm.js';
import { ChunkSink } from './sink.js';

/** Loudness of an audio track, one value per chunk of one frame's duration. */
export interface ChunkLoudness {
  /** Samples per second of the audio that was measured. */
  readonly sampleRate: number;
  /** Channels of the audio that was measured. */
  readonly channels: number;
  /** The frame rate the chunks follow. */
  readonly fps: Rational;
  /** Largest absolute sample of each chunk ÷ 32767, 0 to 1 (full scale). */
  readonly levels: Float32Array;
}

/** Options of {@link readChunkLoudness}. */
export interface ChunkLoudnessOptions {
  /** The video's frame rate: one chunk per frame. */
  readonly fps: Rational;
  /** Sample rate of the stream (from `probe`); ffmpeg is asked for exactly this. */
  readonly sampleRate: number;
  /** Channel count of the stream (from `probe`). */
  readonly channels: number;
  /** Which audio stream, 0-based (default 0, the first). */
  readonly stream?: number;
  /** Cancels decoding (ffmpeg is killed; rejects with `CANCELLED`). */
  readonly signal?: AbortSignal;
}

/**
 * Where chunk `k` of audio at `sampleRate` cut into chunks of `fps` frames begins, for every `k`:
 * chunks are `sampleRate·den/num` samples long, each rounded (half up) with the remainder
 * carried into the next, so the boundaries never drift from the frames. Calls `onChunk(length)`
 * for each chunk's length in order, through `next()`.
 */
export class ChunkBoundaries {
  private readonly p: number;
  private readonly q: number;
  private error = 0;
  /** The smallest number of samples left that still makes a chunk (auto-editor drops a shorter tail). */
  readonly minimumLeft: number;

  constructor(sampleRate: number, fps: Rational) {
    if (!Number.isSafeInteger(sampleRate) || sampleRate <= 0) throw new FramewrightError('UNSUPPORTED_MEDIA', `audio sample rate ${sampleRate} is not usable`);
    // Exact size p/q samples; the carried error is kept in units of 1/q, so nothing is lost to floats.
    this.p = sampleRate * fps.den;
    this.q = fps.num;
    this.minimumLeft = Math.ceil(this.p / this.q);
  }

  /** Length in samples of the next chunk. */
  next(): number {
    const s = this.p + this.error;
    const floor = Math.floor(s / this.q);
    const rest = s - floor * this.q;
    // Round half up, as auto-editor's round() of the (positive) size does.
    const size = 2 * rest >= this.q ? floor + 1 : floor;
    this.error = s - size * this.q;
    return size;
  }
}

/**
 * Every audio stream of `input`, in order (OBS records up to six tracks).
 * @throws FramewrightError `UNSUPPORTED_MEDIA` when ffprobe cannot read it
 */
export async function probeAudioStreams(input: string): Promise<AudioInfo[]> {
  const path = await checkInputFile(input);
  const command = await newCommand();
  const data = await new Promise<ffmpeg.FfprobeData>((resolve, reject) => {
    command.input(path).ffprobe(['-v', 'error'], (error: Error | null, result: ffmpeg.FfprobeData) => {
      if (error) reject(new FramewrightError('UNSUPPORTED_MEDIA', `not a readable media file: ${path} (${lastLine(error.message) || 'ffprobe cannot read it'})`, { cause: error }));
      else resolve(result);
    });
  });
  return data.streams
    .filter((s) => s.codec_type === 'audio')
    .map((s) => ({ codec: s.codec_name ?? 'unknown', sampleRate: Number(s.sample_rate) || 0, channels: s.channels ?? 0 }));
}

/**
 * The loudness of every audio stream of `input` together, as auto-editor's default `stream=all`
 * edit hears them: a frame is as loud as its loudest stream.
 */
export async function readAllStreamsLoudness(input: string, options: Omit<ChunkLoudnessOptions, 'sampleRate' | 'channels' | 'stream'>): Promise<Float32Array> {
  const streams = (await probeAudioStreams(input)).filter((s) => s.sampleRate > 0 && s.channels > 0);
  if (streams.length === 0) throw new FramewrightError('UNSUPPORTED_MEDIA', `${input} has no audio stream with a usable sample rate and channel count`);
  const all = await Promise.all(streams.map((s, stream) => readChunkLoudness(input, { ...options, sampleRate: s.sampleRate, channels: s.channels, stream })));
  const out = new Float32Array(Math.max(...all.map((l) => l.levels.length)));
  for (const { levels } of all) for (let j = 0; j < levels.length; j++) if (levels[j]! > out[j]!) out[j] = levels[j]!;
  return out;
}

/**
 * Measures the loudness of one audio stream of `input` (the first unless `stream` says), one value per video frame.
 *
 * @example
 * ```ts
 * const info = await probe('talk.mp4');
 * const { levels } = await readChunkLoudness(info.path, { fps: info.fps, sampleRate: info.audio!.sampleRate, channels: info.audio!.channels });
 * const loud = levels.map((v) => (v >= 0.04 ? 1 : 0));
 * ```
 */
export async function readChunkLoudness(input: string, options: ChunkLoudnessOptions): Promise<ChunkLoudness> {
  const path = await checkInputFile(input);
  const { sampleRate, channels, fps } = options;
  if (!Number.isSafeInteger(channels) || channels <= 0) throw new FramewrightError('UNSUPPORTED_MEDIA', `the audio of ${path} has no usable channel count`);
  const boundaries = new ChunkBoundaries(sampleRate, fps);
  const sink = new ChunkSink(1 << 18);
  const command = (await newCommand())
    .input(path)
    .outputOptions(['-map', `0:a:${options.stream ?? 0}`, '-vn', '-sn', '-dn', '-af', LARGE_AUDIO_FRAMES, '-ac', String(channels), '-ar', String(sampleRate), '-c:a', 'pcm_s16le', '-f', 's16le'])
    .output(sink, { end: true });
  const running = runCommand(command, `reading the audio of ${path}`, options.signal);

  let levels = new Float32Array(4096);
  let count = 0;
  // The chunk being filled: its length in sample frames, how many values (frames × channels) are in.
  let target = boundaries.next() * channels;
  let filled = 0;
  let peak = 0;
  // A chunk that is complete but shorter than the minimum waits for one more sample before it counts.
  let pending = -1;
  const pendingNeeds = boundaries.minimumLeft * channels;
  const push = (value: number) => {
    if (count === levels.length) {
      const grown = new Float32Array(levels.length * 2);
      grown.set(levels);
      levels = grown;
    }
    levels[count++] = value;
  };
  // Pipe chunks need not hold whole samples, nor start 2-byte aligned: such a chunk is copied here.
  let scratch = new Int16Array(1 << 16);
  let scratchBytes = new Uint8Array(scratch.buffer);
  let carry = 0;

  const take = (samples: Int16Array, n: number) => {
    let i = 0;
    while (i < n) {
      if (pending >= 0) {
        push(pending);
        pending = -1;
      }
      const end = Math.min(n, i + target - filled);
      // Largest and smallest apart: two compares a sample, no branch on the sign.
      let hi = peak;
      let lo = -peak;
      for (let j = i; j < end; j++) {
        const v = samples[j]!;
        hi = v > hi ? v : hi;
        lo = v < lo ? v : lo;
      }
      peak = Math.min(32767, hi > -lo ? hi : -lo);
      filled += end - i;
      i = end;
      if (filled === target) {
        const level = peak / 32767;
        if (target >= pendingNeeds) push(level);
        else pending = level;
        peak = 0;
        filled = 0;
        target = boundaries.next() * channels;
      }
    }
  };

  await sink.consume(running.done, (chunk) => {
    if (carry === 0 && chunk.byteOffset % 2 === 0) {
      // The usual case: whole samples in place, read without a copy.
      const whole = Math.floor(chunk.length / 2);
      take(new Int16Array(chunk.buffer, chunk.byteOffset, whole), whole);
      carry = chunk.length - whole * 2;
      if (carry > 0) scratchBytes.set(chunk.subarray(whole * 2));
      return;
    }
    const total = carry + chunk.length;
    if (total > scratchBytes.length) {
      const bigger = new Int16Array(Math.ceil(total / 2) * 2);
      bigger.set(scratch.subarray(0, Math.ceil(carry / 2)));
      scratch = bigger;
      scratchBytes = new Uint8Array(scratch.buffer);
    }
    scratchBytes.set(chunk, carry);
    const whole = Math.floor(total / 2);
    take(scratch, whole);
    carry = total - whole * 2;
    if (carry > 0) scratchBytes.copyWithin(0, whole * 2, total);
  });
  // A chunk cut short by the end of the audio is dropped, as auto-editor drops it.
  return { sampleRate, channels, fps, levels: levels.slice(0, count) };
}
