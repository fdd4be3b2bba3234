// Decoded audio as 32-bit float PCM, streamed: ffmpeg writes the first audio stream of a file at
// the asked rate and channel count to a pipe, and each piece reaches the caller as whole samples,
// so nothing but the piece in hand is held.
import { newCommand, runCommand } from './command.js';
import { checkInputFile } from './probe.js';
import { ChunkSink } from './sink.js';

/**
 * ffmpeg's audio filter that regroups decoded audio into frames of 16384 samples (the last one not
 * padded): the pipe then carries ~40 KB writes instead of one per codec frame (8 KB for AAC), which
 * takes a third of the CPU off reading an hour of audio, on both sides of the pipe.
 */
export const LARGE_AUDIO_FRAMES = 'asetnsamples=n=16384:p=0';

/** Options of {@link streamPcm}. */
export interface PcmOptions {
  /** Samples per second to decode at (ffmpeg resamples). */
  readonly sampleRate: number;
  /** Channels to decode to (ffmpeg mixes down or up); samples are interleaved. */
  readonly channels: number;
  /** Cancels decoding (ffmpeg is killed; rejects with `CANCELLED`). */
  readonly signal?: AbortSignal;
}

/**
 * Decodes the first audio stream of `input` and hands `onSamples` each piece of interleaved
 * float samples in order, waiting for it before reading on (so a slow consumer holds ffmpeg back).
 * The array is only valid during the call.
 *
 * @example
 * ```ts
 * let peak = 0;
 * await streamPcm('talk.mp4', { sampleRate: 16000, channels: 1 }, (s) => { for (const v of s) peak = Math.max(peak, Math.abs(v)); });
 * ```
 */
export async function streamPcm(input: string, options: PcmOptions, onSamples: (samples: Float32Array) => void | Promise<void>): Promise<void> {
  const path = await checkInputFile(input);
  const sink = new ChunkSink(1 << 18);
  const command = (await newCommand())
    .input(path)
    .outputOptions(['-map', '0:a:0', '-vn', '-sn', '-dn', '-af', LARGE_AUDIO_FRAMES, '-ac', String(options.channels), '-ar', String(options.sampleRate), '-c:a', 'pcm_f32le', '-f', 'f32le'])
    .output(sink, { end: true });
  const running = runCommand(command, `reading the audio of ${path}`, options.signal);
  running.done.catch(() => sink.abandon());
  // Pipe chunks need not hold whole floats nor start 4-byte aligned: each is copied behind the carry.
  let carry = new Uint8Array(0);
  for await (const chunk of sink.chunks()) {
    const bytes = new Uint8Array(carry.length + chunk.length);
    bytes.set(carry);
    bytes.set(chunk, carry.length);
    const whole = Math.floor(bytes.length / 4);
    if (whole > 0) await onSamples(new Float32Array(bytes.buffer, 0, whole));
    carry = bytes.slice(whole * 4);
  }
  await running.done;
}
