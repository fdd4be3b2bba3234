// Renders the kept ranges of a video end to end as one MP4 (H.264 + AAC), frame-exact and with the
// audio sample-exact: one ffmpeg picks the kept frames by number (select) and re-times them as
// consecutive frames; the audio is decoded to PCM on a pipe, the kept samples of each kept frame
// (the same frame-long chunks the loudness analysis measures) are passed on to the encoder's stdin,
// so the edited audio is exactly as long as its frames and nothing drifts on long recordings.
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { cancelled, FramewrightError } from '../protocol/index.js';
import { writeAtomic } from '../util/fs.js';
import { newCommand, runCommand } from './command.js';
import { ChunkBoundaries } from './loudness.js';
import { checkInputFile, type Rational } from './probe.js';
import { LARGE_AUDIO_FRAMES } from './pcm.js';
import { ChunkSink } from './sink.js';

/** A range of frames, `[startFrame, endFrame)`. */
export interface FrameRange {
  readonly startFrame: number;
  readonly endFrame: number;
}

/** Options of {@link renderKeptRanges}. */
export interface RenderKeptOptions {
  /** The frames to keep, in order, not overlapping. */
  readonly ranges: readonly FrameRange[];
  /** The video's frame rate. */
  readonly fps: Rational;
  /** The audio to carry, or none (picture only). */
  readonly audio?: { readonly sampleRate: number; readonly channels: number };
  /** Cancels (ffmpeg is killed, nothing is left behind; rejects with `CANCELLED`). */
  readonly signal?: AbortSignal;
}

/**
 * Sample ranges `[start, end)` (in sample frames) of the audio under each frame range, frame
 * `f` covering the chunk of samples the loudness analysis measured for it.
 */
export function sampleRanges(ranges: readonly FrameRange[], sampleRate: number, fps: Rational): Array<[number, number]> {
  const boundaries = new ChunkBoundaries(sampleRate, fps);
  const out: Array<[number, number]> = [];
  let frame = 0;
  let at = 0;
  for (const { startFrame, endFrame } of ranges) {
    for (; frame < startFrame; frame++) at += boundaries.next();
    const start = at;
    for (; frame < endFrame; frame++) at += boundaries.next();
    out.push([start, at]);
  }
  return out;
}

/** The select expression of the kept frames: `between(n,a,b)+…`, one term per range. */
function selectExpression(ranges: readonly FrameRange[]): string {
  return ranges.map((r) => `between(n,${r.startFrame},${r.endFrame - 1})`).join('+');
}

/**
 * Writes `output` (MP4) with the `ranges` of `input` end to end.
 *
 * @example
 * ```ts
 * await renderKeptRanges('talk.mp4', 'talk-edited.mp4', { ranges: [{ startFrame: 0, endFrame: 90 }, { startFrame: 150, endFrame: 300 }], fps: { num: 30, den: 1 }, audio: { sampleRate: 48000, channels: 2 } });
 * ```
 */
export async function renderKeptRanges(input: string, output: string, options: RenderKeptOptions): Promise<void> {
  const path = await checkInputFile(input);
  const { ranges, fps, audio, signal } = options;
  if (ranges.length === 0) throw new FramewrightError('INVALID_PARAMS', `nothing of ${path} is kept, so there is no edited video to render`);
  const work = await mkdtemp(join(tmpdir(), 'fw-render-'));
  // The encoder and the audio decoder stop together: either failing, or a cancel, ends both.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // A long edit has thousands of ranges: the filter goes in a script file, not on the command line.
    const script = join(work, 'video.filter');
    await writeFile(script, `select='${selectExpression(ranges)}',setpts=N*${fps.den}/(${fps.num}*TB)`);
    await writeAtomic(output, async (temp) => {
      const pcm = audio === undefined ? undefined : new PassThrough({ highWaterMark: 1 << 20 });
      const encoder = (await newCommand({ stderrLines: 20 })).input(path);
      if (pcm !== undefined && audio !== undefined) {
        encoder.input(pcm).inputOptions(['-f', 'f32le', '-ar', String(audio.sampleRate), '-ac', String(audio.channels)]);
      }
      encoder
        .outputOptions([
          '-map', '0:v:0', ...(pcm === undefined ? [] : ['-map', '1:a:0']), '-filter_script:v', script, '-sn', '-dn', '-fps_mode', 'passthrough',
          '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p',
          ...(pcm === undefined ? [] : ['-c:a', 'aac', '-b:a', '160k']), '-movflags', '+faststart', '-f', 'mp4',
        ])
        .output(temp);
      const encoding = runCommand(encoder, `rendering the edited ${path}`, stop.signal);
      encoding.done.catch(() => stop.abort());
      const feeding = pcm === undefined || audio === undefined ? Promise.resolve() : feedKeptAudio(path, pcm, ranges, fps, audio, stop.signal);
      feeding.catch(() => stop.abort());
      await Promise.all([encoding.done, feeding]);
    });
  } catch (error) {
    if (signal?.aborted === true) throw cancelled('render');
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Decodes the audio of `path` and writes the samples under the kept frames into `pcm`; kept
 * frames past the end of the audio get silence, so the audio is as long as the picture.
 */
async function feedKeptAudio(
  path: string,
  pcm: PassThrough,
  ranges: readonly FrameRange[],
  fps: Rational,
  audio: { readonly sampleRate: number; readonly channels: number },
  signal: AbortSignal,
): Promise<void> {
  const bytesPerFrame = 4 * audio.channels;
  // Byte ranges of the decoded stream to pass on.
  const keep = sampleRanges(ranges, audio.sampleRate, fps).map(([s, e]) => [s * bytesPerFrame, e * bytesPerFrame] as const);
  const sink = new ChunkSink(1 << 20);
  const decoder = (await newCommand())
    .input(path)
    .outputOptions(['-map', '0:a:0', '-vn', '-sn', '-dn', '-af', LARGE_AUDIO_FRAMES, '-ac', String(audio.channels), '-ar', String(audio.sampleRate), '-c:a', 'pcm_f32le', '-f', 'f32le'])
    .output(sink, { end: true });
  const decoding = runCommand(decoder, `reading the audio of ${path}`, signal);
  decoding.done.catch(() => sink.abandon());
  const write = async (bytes: Buffer) => {
    if (bytes.length === 0) return;
    if (!pcm.write(bytes)) await Promise.race([once(pcm, 'drain'), once(signal, 'abort')]);
    if (signal.aborted) throw cancelled('render');
  };
  let offset = 0; // bytes of decoded audio seen
  let range = 0;
  for await (const chunk of sink.chunks()) {
    const end = offset + chunk.length;
    while (range < keep.length && keep[range]![0] < end) {
      const [s, e] = keep[range]!;
      const from = Math.max(s, offset) - offset;
      const to = Math.min(e, end) - offset;
      if (to > from) await write(chunk.subarray(from, to));
      if (e > end) break;
      range++;
    }
    offset = end;
  }
  await decoding.done;
  // What the audio lacks under the kept frames (it ended early) is silence.
  let missing = 0;
  for (; range < keep.length; range++) missing += keep[range]![1] - Math.max(keep[range]![0], offset);
  for (let left = missing; left > 0; left -= 1 << 20) await write(Buffer.alloc(Math.min(left, 1 << 20)));
  pcm.end();
}
