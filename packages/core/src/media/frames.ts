// Streams downscaled raw frames out of ffmpeg through a pipe. Memory stays bounded whatever the
// video length: ffmpeg blocks on the pipe while the consumer is busy (stream backpressure), and
// the reader reuses one frame buffer. Each frame's timestamp comes from ffmpeg's showinfo filter
// on stderr, so variable-rate video gets real times instead of frame ÷ average rate.
import { cancelled, FramewrightError, isFramewrightError } from '../protocol/index.js';
import { newCommand, runCommand } from './command.js';
import { checkInputFile, type Rational } from './probe.js';
import { ChunkSink } from './sink.js';
import type { FrameTimestamps } from './timeline.js';

/**
 * Pixel layouts the frame reader can produce: `rgb24` (3 bytes a pixel), `gray` (1), `yuv420p`
 * (planar: the luma plane, then the two chroma planes at half width and height; ffmpeg makes it
 * with less work than RGB).
 */
export type AnalysisPixelFormat = 'rgb24' | 'gray' | 'yuv420p';

/** Options of {@link readFrames}. */
export interface FrameReaderOptions {
  /** Width of the delivered frames; the height keeps the aspect ratio (even, at least 2). */
  readonly width: number;
  /** Source size, to compute the delivered height (from {@link probe}). */
  readonly sourceWidth: number;
  /** Source height. */
  readonly sourceHeight: number;
  /** Pixel layout (default `rgb24`: 3 bytes a pixel; see {@link AnalysisPixelFormat}). */
  readonly pixelFormat?: AnalysisPixelFormat;
  /** Swscale algorithm (default `area`: averages every source pixel, so sensor noise cancels out). */
  readonly scaler?: 'area' | 'fast_bilinear' | 'bilinear' | 'neighbor';
  /**
   * Decode for analysis only (default false): a source at least 8 times as wide as the delivered
   * frames skips the deblocking filter on frames no other frame is predicted from. Its codec
   * blocks are then well under a delivered pixel, so the frames hardly differ from a full decode;
   * timestamps and frame count never do. (Skipping deblocking on reference frames too would let
   * the error drift until the next keyframe, which then looks like a cut; a cheap pre-shrink before
   * the area scaler would save a little more but alias grain and fine detail into the differences.)
   */
  readonly fastDecode?: boolean;
  /** Cancels decoding: ffmpeg is killed and the iteration rejects with `CANCELLED`. */
  readonly signal?: AbortSignal;
}

/**
 * A stream of frames. Iterate it once with `for await`; each yielded buffer is valid until the
 * next step of the iteration (it is reused, so copy what you keep).
 */
export interface FrameStream extends AsyncIterable<Uint8Array> {
  /** Width of each frame in pixels. */
  readonly width: number;
  /** Height of each frame in pixels. */
  readonly height: number;
  /** Bytes per frame. */
  readonly frameBytes: number;
  /** Process id of the decoding ffmpeg once it started (for diagnostics and tests). */
  readonly pid: () => number | undefined;
  /**
   * The timestamps of the frames delivered, once the iteration ended without an error; `undefined`
   * before that, or when ffmpeg did not report a time base.
   */
  readonly timestamps: () => FrameTimestamps | undefined;
}

/** A growable Float64Array (amortised doubling), NaN where nothing was set. */
class GrowingSeries {
  private data = new Float64Array(1024).fill(Number.NaN);
  length = 0;

  set(index: number, value: number): void {
    while (index >= this.data.length) {
      const grown = new Float64Array(this.data.length * 2).fill(Number.NaN);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[index] = value;
    this.length = Math.max(this.length, index + 1);
  }

  done(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

// showinfo's lines: "[Parsed_showinfo_1 @ 0x…] [info] config in time_base: 1/12800, …" once, then
// "[Parsed_showinfo_1 @ 0x…] [info] n:   0 pts:      0 pts_time:0 …" per frame. pts is the exact
// integer; pts_time is printed to 6 significant digits only.
const SHOWINFO_TIME_BASE = /^\[Parsed_showinfo_\d+ @ [^\]]*\] (?:\[info\] )?config in time_base: (\d+)\/(\d+)/;
const SHOWINFO_FRAME = /^\[Parsed_showinfo_\d+ @ [^\]]*\] (?:\[info\] )?n:\s*(\d+) pts:\s*(-?\d+|NOPTS)/;
// With `-loglevel level+…` every line carries its level; these are the ones an error message quotes.
const PROBLEM_LEVEL = / ?\[(error|fatal|panic)\] /;

/** The analysis size for a source size and a target width: even numbers, aspect kept. */
export function analysisSize(width: number, sourceWidth: number, sourceHeight: number): { width: number; height: number } {
  const w = Math.max(2, Math.min(sourceWidth, width) & ~1);
  const h = Math.max(2, Math.round((w * sourceHeight) / sourceWidth / 2) * 2);
  return { width: w, height: h };
}

/**
 * Decodes the first video stream of `input`, downscaled to `options.width`, as raw frames.
 *
 * @example
 * ```ts
 * const info = await probe(file);
 * const frames = readFrames(file, { width: 96, sourceWidth: info.width, sourceHeight: info.height });
 * for await (const frame of frames) analyse(frame); // frame.length === frames.frameBytes
 * ```
 */
export function readFrames(input: string, options: FrameReaderOptions): FrameStream {
  const { width, height } = analysisSize(options.width, options.sourceWidth, options.sourceHeight);
  const pixelFormat = options.pixelFormat ?? 'rgb24';
  // The analysis size is even, so the chroma planes of yuv420p are exactly a quarter each.
  const frameBytes = pixelFormat === 'rgb24' ? width * height * 3 : pixelFormat === 'yuv420p' ? (width * height * 3) / 2 : width * height;
  const scaler = options.scaler ?? 'area';
  const fast = options.fastDecode === true && options.sourceWidth >= 8 * width;
  let pid: number | undefined;
  let timestamps: FrameTimestamps | undefined;

  async function* iterate(): AsyncGenerator<Uint8Array> {
    timestamps = undefined;
    const path = await checkInputFile(input);
    // Some slack (16 frames, 256 KiB to 8 MiB) keeps ffmpeg decoding through the moments the
    // event loop is busy or descheduled, while memory stays bounded whatever the video's length.
    const slack = Math.max(2 * frameBytes, Math.min(8 << 20, Math.max(256 << 10, 16 * frameBytes)));
    const sink = new ChunkSink(slack);
    // showinfo logs at info level, so this command logs at info with each line's level named;
    // only a bounded tail of that log is kept for error messages.
    const command = (await newCommand({ stderrLines: 64 }))
      .addOption('-loglevel', 'level+info')
      .addOption('-nostats')
      .input(path)
      .inputOptions(fast ? ['-skip_loop_filter', 'noref'] : [])
      .outputOptions([
        '-map', '0:v:0', '-an', '-sn', '-dn',
        // showinfo without its checksums (and their mean and deviation) costs only its log line.
        '-vf', `scale=${width}:${height}:flags=${scaler},showinfo=checksum=0`,
        // passthrough: every decoded frame once, none duplicated or dropped to make a constant rate.
        '-pix_fmt', pixelFormat, '-vsync', 'passthrough', '-f', 'rawvideo',
      ])
      .output(sink, { end: true });
    // ffmpeg decodes what a cut-off file still holds and exits 0; its demuxer's complaint is the
    // only sign, and a partial analysis must not pass for a whole one.
    let truncated = false;
    let lastProblem = '';
    let timeBase: Rational | undefined;
    const pts = new GrowingSeries();
    command.on('stderr', (line: string) => {
      const frameLine = SHOWINFO_FRAME.exec(line);
      if (frameLine !== null) {
        pts.set(Number(frameLine[1]), frameLine[2] === 'NOPTS' ? Number.NaN : Number(frameLine[2]));
        return;
      }
      const base = SHOWINFO_TIME_BASE.exec(line);
      if (base !== null) {
        if (timeBase === undefined && Number(base[1]) > 0 && Number(base[2]) > 0) timeBase = { num: Number(base[1]), den: Number(base[2]) };
        return;
      }
      // Only errors count, as when this command logged errors alone: info lines quote the file's
      // metadata, which may say anything.
      if (!PROBLEM_LEVEL.test(line)) return;
      if (/partial file|truncat/i.test(line)) truncated = true;
      lastProblem = line.replace(PROBLEM_LEVEL, (m) => (m.startsWith(' ') ? ' ' : '')).trim();
    });
    // Stopped by the caller's signal, or by us when the consumer stops reading early.
    const stop = new AbortController();
    const forwardAbort = () => stop.abort();
    options.signal?.addEventListener('abort', forwardAbort, { once: true });
    if (options.signal?.aborted === true) stop.abort();
    const running = runCommand(command, `decoding ${path}`, stop.signal, (p) => (pid = p));
    let failure: unknown;
    // On success the sink ends by itself once every buffered chunk was read; on failure it is
    // abandoned so the loop below does not wait for data that will never come.
    const exited = running.done.then(
      () => undefined,
      (error: unknown) => {
        // The error quotes the last problem ffmpeg reported, as with error-only logging.
        failure = isFramewrightError(error) && error.code === 'FFMPEG_FAILED' && lastProblem !== ''
          ? new FramewrightError('FFMPEG_FAILED', `decoding ${path} failed: ${lastProblem}`, { cause: error })
          : error;
        sink.abandon();
      },
    );
    let delivered = 0;

    const frame = new Uint8Array(frameBytes);
    let filled = 0;
    let complete = false;
    try {
      for await (const chunk of sink.chunks()) {
        let offset = 0;
        while (offset < chunk.length) {
          const n = Math.min(frameBytes - filled, chunk.length - offset);
          frame.set(chunk.subarray(offset, offset + n), filled);
          filled += n;
          offset += n;
          if (filled === frameBytes) {
            filled = 0;
            delivered++;
            yield frame;
          }
        }
      }
      complete = true;
    } finally {
      // Stopping early (break, error, cancel) must not leave ffmpeg blocked on a full pipe.
      if (!complete) stop.abort();
      await exited;
      options.signal?.removeEventListener('abort', forwardAbort);
    }
    if (options.signal?.aborted === true) throw cancelled(`decoding ${path}`);
    if (failure !== undefined) throw failure;
    if (truncated) throw new FramewrightError('UNSUPPORTED_MEDIA', `${path} is truncated: its data ends before its last frame`);
    if (filled !== 0) throw new FramewrightError('UNSUPPORTED_MEDIA', `decoding ${path} ended inside a frame`);
    if (timeBase !== undefined) {
      const all = pts.done();
      // A frame showinfo did not report is NaN; frames it reported beyond those delivered are cut off.
      const times = new Float64Array(delivered).fill(Number.NaN);
      times.set(all.subarray(0, delivered));
      timestamps = { timeBase, pts: times };
    }
  }

  return {
    width,
    height,
    frameBytes,
    pid: () => pid,
    timestamps: () => timestamps,
    [Symbol.asyncIterator]: () => iterate(),
  };
}
