// Streams downscaled raw frames out of ffmpeg through a pipe. Memory stays bounded whatever the
// video length: ffmpeg blocks on the pipe while the consumer is busy (stream backpressure), and
// the reader reuses one frame buffer.
import { FramewrightError } from '../protocol/index.js';
import { cancelledError, newCommand, runCommand } from './command.js';
import { checkInputFile } from './probe.js';
import { ChunkSink } from './sink.js';

/** Pixel layouts the frame reader can produce. */
export type AnalysisPixelFormat = 'rgb24' | 'gray';

/** Options of {@link readFrames}. */
export interface FrameReaderOptions {
  /** Width of the delivered frames; the height keeps the aspect ratio (even, at least 2). */
  readonly width: number;
  /** Source size, to compute the delivered height (from {@link probe}). */
  readonly sourceWidth: number;
  /** Source height. */
  readonly sourceHeight: number;
  /** Pixel layout (default `rgb24`: 3 bytes a pixel). */
  readonly pixelFormat?: AnalysisPixelFormat;
  /** Swscale algorithm (default `area`: averages every source pixel, so sensor noise cancels out). */
  readonly scaler?: 'area' | 'fast_bilinear' | 'bilinear' | 'neighbor';
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
}

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
  const frameBytes = width * height * (pixelFormat === 'rgb24' ? 3 : 1);
  const scaler = options.scaler ?? 'area';
  let pid: number | undefined;

  async function* iterate(): AsyncGenerator<Uint8Array> {
    const path = await checkInputFile(input);
    // Some slack (16 frames, 256 KiB to 8 MiB) keeps ffmpeg decoding through the moments the
    // event loop is busy or descheduled, while memory stays bounded whatever the video's length.
    const slack = Math.max(2 * frameBytes, Math.min(8 << 20, Math.max(256 << 10, 16 * frameBytes)));
    const sink = new ChunkSink(slack);
    const command = (await newCommand())
      .input(path)
      .outputOptions([
        '-map', '0:v:0', '-an', '-sn', '-dn',
        '-vf', `scale=${width}:${height}:flags=${scaler}`,
        '-pix_fmt', pixelFormat, '-vsync', 'passthrough', '-f', 'rawvideo',
      ])
      .output(sink, { end: true });
    // ffmpeg decodes what a cut-off file still holds and exits 0; its demuxer's complaint is the
    // only sign, and a partial analysis must not pass for a whole one.
    let truncated = false;
    command.on('stderr', (line: string) => {
      if (/partial file|truncat/i.test(line)) truncated = true;
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
        failure = error;
        sink.abandon();
      },
    );

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
    if (options.signal?.aborted === true) throw cancelledError(`decoding ${path}`);
    if (failure !== undefined) throw failure;
    if (truncated) throw new FramewrightError('UNSUPPORTED_MEDIA', `${path} is truncated: its data ends before its last frame`);
    if (filled !== 0) throw new FramewrightError('UNSUPPORTED_MEDIA', `decoding ${path} ended inside a frame`);
  }

  return {
    width,
    height,
    frameBytes,
    pid: () => pid,
    [Symbol.asyncIterator]: () => iterate(),
  };
}
