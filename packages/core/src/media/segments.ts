// Writing pieces of a video: clip files (stream copy or frame-exact re-encode) and thumbnails.
// Every output goes through writeAtomic: ffmpeg writes a temporary name that is renamed on success.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { writeAtomic } from '../util/fs.js';
import { FramewrightError } from '../protocol/index.js';
import { newCommand, runCommand } from './command.js';
import { checkInputFile, type Rational } from './probe.js';
import { FrameTimeline } from './timeline.js';

/** How a clip file is made. */
export type SegmentMode = 'copy' | 'accurate';

/** Options of {@link cutSegment}. */
export interface SegmentOptions {
  /** First frame (inclusive, 0-based). */
  readonly startFrame: number;
  /** End frame (exclusive). */
  readonly endFrame: number;
  /** Frame rate of the source (from {@link probe}). */
  readonly fps: Rational;
  /**
   * Where the source's frames lie in time (from its decoded timestamps, see
   * {@link FrameTimeline.fromTimestamps}); without it frame `i` is at `i / fps`, which is wrong for
   * variable-rate video.
   */
  readonly timeline?: FrameTimeline;
  /**
   * `copy`: stream copy, fast, starts at the keyframe at or before `startFrame` and runs at least
   * to `endFrame`. `accurate`: re-encoded (H.264/AAC) with exactly `endFrame - startFrame` frames.
   */
  readonly mode: SegmentMode;
  /** Whether to keep the first audio stream (default true). */
  readonly audio?: boolean;
  /** Cancels the cut (ffmpeg is killed; nothing is left behind). */
  readonly signal?: AbortSignal;
}

const fixed = (s: number) => Math.max(0, s).toFixed(6);
const clockOf = (options: { fps: Rational; timeline?: FrameTimeline }) => options.timeline ?? FrameTimeline.constant(options.fps, Number.MAX_SAFE_INTEGER);
/** Where `frame` starts on ffmpeg's clock, the one `-ss` counts on. */
const at = (clock: FrameTimeline, frame: number) => clock.startSeconds + clock.secondsOf(frame);
/**
 * Where to seek to land exactly on `frame`: a hair before its timestamp, so rounding can never
 * drop it, and far less than the frame before lasts, so that frame is dropped and the picture
 * starts at 0.
 */
const seekTo = (clock: FrameTimeline, frame: number) => fixed(at(clock, frame) - Math.min(0.001, clock.frameSeconds(Math.max(0, frame - 1)) / 4));

function checkRange(startFrame: number, endFrame: number): void {
  if (!Number.isInteger(startFrame) || !Number.isInteger(endFrame) || startFrame < 0 || endFrame <= startFrame) {
    throw new FramewrightError('INVALID_PARAMS', `segment frames must satisfy 0 <= start < end, got ${startFrame}..${endFrame}`);
  }
}

/**
 * Writes frames `[startFrame, endFrame)` of `input` to `output` (container from its extension).
 *
 * @example
 * ```ts
 * await cutSegment('in.mp4', '/out/clip-001.mp4', { startFrame: 0, endFrame: 50, fps: info.fps, mode: 'accurate' });
 * ```
 */
export async function cutSegment(input: string, output: string, options: SegmentOptions): Promise<void> {
  const path = await checkInputFile(input);
  checkRange(options.startFrame, options.endFrame);
  const frames = options.endFrame - options.startFrame;
  const audio = options.audio ?? true;
  const clock = clockOf(options);
  await writeAtomic(output, async (temp) => {
    const command = await newCommand();
    if (options.mode === 'accurate') {
      // ffmpeg decodes from the keyframe before the seek point and drops the frames before it;
      // -frames:v then stops at the exact count.
      command
        .input(path)
        .inputOptions(['-ss', seekTo(clock, options.startFrame)])
        .outputOptions([
          '-map', '0:v:0', ...(audio ? ['-map', '0:a:0?'] : []), '-sn', '-dn',
          '-frames:v', String(frames), '-vsync', 'passthrough',
          '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p',
          ...(audio ? ['-c:a', 'aac', '-b:a', '160k'] : []),
          '-movflags', '+faststart',
        ]);
    } else {
      // Stream copy can only start on a keyframe; one extra frame of duration makes sure the
      // last requested frame is inside the file.
      const length = clock.secondsOf(options.endFrame) - clock.secondsOf(options.startFrame) + clock.frameSeconds(options.endFrame - 1);
      command
        .input(path)
        .inputOptions(['-ss', fixed(at(clock, options.startFrame))])
        .outputOptions([
          '-map', '0:v:0', ...(audio ? ['-map', '0:a:0?'] : []), '-sn', '-dn',
          '-t', fixed(length), '-c', 'copy', '-movflags', '+faststart',
        ]);
    }
    command.output(temp);
    await runCommand(command, `cutting frames ${options.startFrame}-${options.endFrame} of ${path}`, options.signal).done;
  });
}

/** Options of {@link writeThumbnail}. */
export interface ThumbnailOptions {
  /** The frame to show (0-based). */
  readonly frame: number;
  /** Frame rate of the source. */
  readonly fps: Rational;
  /** Where the source's frames lie in time (see {@link SegmentOptions.timeline}). */
  readonly timeline?: FrameTimeline;
  /** Thumbnail width (default 320; height keeps the aspect). */
  readonly width?: number;
  /**
   * The frame shown instead when none decodes at `frame` (a clip's first frame, when its middle
   * lies past the last frame a seek reaches).
   */
  readonly orFrame?: number;
  /** Cancels it. */
  readonly signal?: AbortSignal;
}

/**
 * Writes one frame of `input` as a JPEG or PNG (from the extension of `output`).
 *
 * @throws FramewrightError `UNSUPPORTED_MEDIA` naming the thumbnail when no frame decodes at
 *   `frame` (nor at `orFrame`), e.g. past the last frame a seek reaches
 */
export async function writeThumbnail(input: string, output: string, options: ThumbnailOptions): Promise<void> {
  const path = await checkInputFile(input);
  const frames = options.orFrame === undefined || options.orFrame === options.frame ? [options.frame] : [options.frame, options.orFrame];
  await writeAtomic(output, async (temp) => {
    const tried: string[] = [];
    for (const frame of frames) {
      const at = seekTo(clockOf(options), frame);
      const command = (await newCommand())
        .input(path)
        .inputOptions(['-ss', at])
        .outputOptions([
          '-map', '0:v:0', '-frames:v', '1', '-vf', `scale=${options.width ?? 320}:-2`,
          // -update keeps the image muxer from reading '%' in the name as a sequence pattern.
          '-q:v', '3', '-f', 'image2', '-update', '1',
        ])
        .output(temp);
      await runCommand(command, `writing a thumbnail of ${path}`, options.signal).done;
      // ffmpeg succeeds without writing anything when no frame decodes after the seek point.
      if (await stat(temp).then(() => true, () => false)) return;
      tried.push(`${Number(at).toFixed(3)} s (frame ${frame})`);
    }
    throw new FramewrightError('UNSUPPORTED_MEDIA', `no thumbnail for ${basename(output)}: no frame of ${path} decodes at ${tried.join(' nor at ')}`);
  });
}

/** What {@link decodeNull} measured. */
export interface DecodeTiming {
  /** Wall-clock seconds ffmpeg took. */
  readonly seconds: number;
}

/**
 * Decodes the first video stream of `input` and discards it (`ffmpeg -i X -f null -`): the
 * reference throughput for the clip-cut benchmark.
 */
export async function decodeNull(input: string, signal?: AbortSignal): Promise<DecodeTiming> {
  const path = await checkInputFile(input);
  const command = (await newCommand()).input(path).outputOptions(['-map', '0:v:0', '-an', '-f', 'null']).output('-');
  const started = performance.now();
  await runCommand(command, `decoding ${path}`, signal).done;
  return { seconds: (performance.now() - started) / 1000 };
}
