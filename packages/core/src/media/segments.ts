// Writing pieces of a video: clip files (stream copy, smart cut or frame-exact re-encode) and
// thumbnails. Every output goes through writeAtomic: ffmpeg writes a temporary name that is renamed
// on success.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { writeAtomic } from '../util/fs.js';
import { FramewrightError, isFramewrightError } from '../protocol/index.js';
import { newCommand, runCommand } from './command.js';
import { checkInputFile, probeVideoCodec, type Rational } from './probe.js';
import { copyClip, prepareSegmentSource, seekOptions, smartClip, trackEndOptions, type CopiedSegment, type SegmentSource } from './smart-cut.js';
import { FrameTimeline } from './timeline.js';

/**
 * How a clip file is made. `smart`: frame-exact, re-encoding only the frames before the clip's
 * first keyframe and after its last and copying the rest. `copy`: stream copy of whole GOPs, from
 * the keyframe at or before the clip. `accurate`: frame-exact, all re-encoded.
 */
export type SegmentMode = 'smart' | 'copy' | 'accurate';

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
   * `smart` (frame-exact; re-encodes only the frames before the first keyframe inside the clip and
   * after the last, H.264 with the source's parameters, and copies the rest), `copy` (stream copy
   * of whole GOPs: from the keyframe at or before `startFrame` to where every frame before
   * `endFrame` is decoded; the result says which frames) or `accurate` (all re-encoded, H.264/AAC,
   * exactly `endFrame - startFrame` frames). Audio is re-encoded from the file's first frame in
   * every mode.
   */
  readonly mode: SegmentMode;
  /**
   * The source prepared by {@link prepareSegmentSource}, to share its reading between the clips of
   * one video. Smart and copy read it here when absent; `accurate` seeks by its packets when
   * given (a seek by time alone lands mid-GOP in MPEG-TS, where frames would be lost).
   */
  readonly source?: SegmentSource;
  /** Whether to keep the first audio stream (default true). */
  readonly audio?: boolean;
  /** Told the work folder a smart cut makes beside `output`, before it writes there (a crash-undo can then remove it). */
  readonly onWorkDir?: (dir: string) => Promise<void>;
  /** Cancels the cut (ffmpeg is killed; nothing is left behind). */
  readonly signal?: AbortSignal;
}

/** What {@link cutSegment} wrote. */
export interface SegmentResult extends CopiedSegment {
  /** How the file was made: the mode asked for, or `accurate` where that could not be used. */
  readonly mode: SegmentMode;
  /** Why the mode asked for could not be used, when it could not (one line). */
  readonly fallback?: string;
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
 * How long frames `[startFrame, endFrame)` are shown, from the source's packets or the timeline
 * of its decoded frames; undefined when neither was given (frame ÷ fps is a guess).
 */
function spanSeconds(options: SegmentOptions, source: SegmentSource | undefined): number | undefined {
  const { startFrame, endFrame, timeline } = options;
  if (source !== undefined && typeof source.layout !== 'string') return source.layout.seconds(endFrame) - source.layout.seconds(startFrame);
  return timeline === undefined ? undefined : timeline.secondsOf(endFrame) - timeline.secondsOf(startFrame);
}

/** Re-encodes frames `[startFrame, endFrame)` into `output` (H.264/AAC), each frame at its source time. */
async function reencode(path: string, output: string, options: SegmentOptions, audio: boolean, source: SegmentSource | undefined): Promise<void> {
  const clock = clockOf(options);
  const frames = options.endFrame - options.startFrame;
  const seconds = spanSeconds(options, source);
  const timeBase = seconds === undefined ? undefined : (source?.codec ?? (await probeVideoCodec(path))).timeBase;
  const command = await newCommand();
  // ffmpeg decodes from the keyframe before the seek point and drops the frames before it;
  // -frames:v then stops at the exact count.
  command
    .input(path)
    .inputOptions((source === undefined ? undefined : seekOptions(source, options.startFrame)) ?? ['-ss', seekTo(clock, options.startFrame)])
    .outputOptions([
      '-map', '0:v:0', ...(audio ? ['-map', '0:a:0?'] : []), '-sn', '-dn',
      // The encoder counts in the source's time base, so variable-rate frames keep their times.
      '-frames:v', String(frames), '-vsync', 'passthrough', '-enc_time_base:v', '-1',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p',
      ...(audio ? ['-c:a', 'aac', '-b:a', '160k'] : []),
      ...(seconds === undefined || timeBase === undefined ? [] : trackEndOptions(output, timeBase, frames, seconds)),
      '-movflags', '+faststart',
    ])
    .output(output);
  await runCommand(command, `cutting frames ${options.startFrame}-${options.endFrame} of ${path}`, options.signal).done;
}

/**
 * Writes frames `[startFrame, endFrame)` of `input` to `output` (container from its extension)
 * and says which frames the file holds and how it was made. A `smart` or `copy` cut the source
 * does not allow (a codec smart cut cannot match, timestamps that do not place every frame, a
 * piece that did not come out whole) is made `accurate` instead, and `fallback` says why.
 *
 * @example
 * ```ts
 * const cut = await cutSegment('in.mp4', '/out/clip-001.mp4', { startFrame: 0, endFrame: 50, fps: info.fps, mode: 'smart' });
 * console.log(cut.mode, cut.reencodedFrames);
 * ```
 */
export async function cutSegment(input: string, output: string, options: SegmentOptions): Promise<SegmentResult> {
  const path = await checkInputFile(input);
  checkRange(options.startFrame, options.endFrame);
  const { startFrame, endFrame, mode } = options;
  const audio = options.audio ?? true;
  let result: SegmentResult = { startFrame, endFrame, reencodedFrames: endFrame - startFrame, mode: 'accurate' };
  let source = options.source;
  await writeAtomic(output, async (temp) => {
    if (mode !== 'accurate') {
      try {
        source ??= await prepareSegmentSource(path, { ...(options.timeline === undefined ? {} : { timeline: options.timeline }), ...(options.signal === undefined ? {} : { signal: options.signal }) });
        const copyOptions = { audio, ...(options.signal === undefined ? {} : { signal: options.signal }), ...(options.onWorkDir === undefined ? {} : { onWorkDir: options.onWorkDir }) };
        const made = mode === 'smart' ? await smartClip(source, temp, startFrame, endFrame, copyOptions) : await copyClip(source, temp, startFrame, endFrame, copyOptions);
        result = { ...(made ?? result), mode };
        // A smart cut of a clip without a keyframe inside re-encodes it whole.
        if (made !== undefined) return;
      } catch (error) {
        if (!isFramewrightError(error) || error.code === 'CANCELLED' || options.signal?.aborted === true) throw error;
        if (error.code !== 'UNSUPPORTED_MEDIA' && error.code !== 'FFMPEG_FAILED') throw error;
        result = { ...result, fallback: error.message };
      }
    }
    await reencode(path, temp, options, audio, source);
  });
  return result;
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
  /** The source prepared by {@link prepareSegmentSource}: seeks land by its packets (see {@link SegmentOptions.source}). */
  readonly source?: SegmentSource;
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
        .inputOptions((options.source === undefined ? undefined : seekOptions(options.source, frame)) ?? ['-ss', at])
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
