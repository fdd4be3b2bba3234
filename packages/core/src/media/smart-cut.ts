// Clip files from stream copies: `copy` takes whole GOPs around a clip, `smart` copies the GOPs
// inside it and re-encodes only the frames before its first keyframe and after its last, with the
// source's codec parameters, joined by ffmpeg's concat demuxer over MPEG-TS pieces (Annex B, each
// piece starting on an IDR frame with its own SPS/PPS). Audio is re-encoded from the clip's exact
// start, so it starts with the first frame in either mode.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { FramewrightError, isFramewrightError } from '../protocol/index.js';
import { firstParameterSets, freeParameterSetId, joinParameterSets, writeAvcConfig } from './avc-config.js';
import { newCommand, runCommand, type FfmpegCommand } from './command.js';
import { CutLayout } from './cut-layout.js';
import { readVideoPackets } from './packets.js';
import { checkInputFile, probeVideoCodec, type Rational, type VideoCodecInfo } from './probe.js';
import type { FrameTimeline } from './timeline.js';

/** A source prepared for stream-copied clips (see {@link prepareSegmentSource}), shared by all its clips. */
export interface SegmentSource {
  /** Absolute path of the video. */
  readonly path: string;
  /** Its codec parameters. */
  readonly codec: VideoCodecInfo;
  /** Where it can be cut without re-encoding, or why that is not known. */
  readonly layout: CutLayout | string;
  /** The libx264 options whose output joins the stream's own packets, or why there are none. */
  readonly encoder: readonly string[] | string;
}

/** How one piece of a clip file was made, as {@link cutSegment} reports it. */
export interface CopiedSegment {
  /** First frame of the source in the file. */
  readonly startFrame: number;
  /** End frame (exclusive) of the source in the file. */
  readonly endFrame: number;
  /** Frames of the file that were re-encoded; the others are the source's packets. */
  readonly reencodedFrames: number;
}

// ffprobe's H.264 profile names, and libx264's.
const X264_PROFILES: Readonly<Record<string, string>> = {
  'Constrained Baseline': 'baseline', Baseline: 'baseline', Main: 'main', High: 'high',
  'High 10': 'high10', 'High 10 Intra': 'high10', 'High 4:2:2': 'high422', 'High 4:2:2 Intra': 'high422',
  'High 4:4:4 Predictive': 'high444', 'High 4:4:4 Intra': 'high444',
};
const X264_PIXEL_FORMATS = new Set([
  'yuv420p', 'yuvj420p', 'yuv422p', 'yuvj422p', 'yuv444p', 'yuvj444p', 'nv12', 'nv16', 'nv21',
  'yuv420p10le', 'yuv422p10le', 'yuv444p10le', 'nv20le', 'gray', 'gray10le',
]);
// libx264 delays decode timestamps by 0, 1 (B-frames) or 2 (B-pyramid) frames; this many B-frames give each.
const X264_BFRAMES_FOR_DELAY = ['0', '1', '3'] as const;
const REENCODE = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18'] as const;
const AUDIO = ['-c:a', 'aac', '-b:a', '160k'] as const;
/** The pieces a smart cut joins are MPEG-TS, whose timestamps count at 90 kHz. */
const MPEG_TS_TIME_BASE: Rational = { num: 1, den: 90000 };

/**
 * The libx264 options whose pieces join `codec`'s stream: the same profile, level, pixel format
 * and colour description, and a decode delay at least the stream's (`reorderDelay` frames), so
 * decode timestamps keep rising where pieces meet. A string says why no options can.
 */
export function matchingEncoder(codec: VideoCodecInfo, reorderDelay: number): readonly string[] | string {
  if (codec.codec !== 'h264') return `smart cut re-encodes H.264 only, and this video is ${codec.codec}`;
  const profile = codec.profile === undefined ? undefined : X264_PROFILES[codec.profile];
  if (profile === undefined) return `smart cut cannot match the H.264 profile ${codec.profile ?? '(unknown)'}`;
  if (codec.pixelFormat === undefined || !X264_PIXEL_FORMATS.has(codec.pixelFormat)) return `smart cut cannot match the pixel format ${codec.pixelFormat ?? '(unknown)'}`;
  if (codec.fieldOrder !== undefined && codec.fieldOrder !== 'progressive') return `smart cut cannot match interlaced video (${codec.fieldOrder})`;
  const bframes = X264_BFRAMES_FOR_DELAY[reorderDelay];
  if (bframes === undefined) return `smart cut cannot match a B-frame delay of ${reorderDelay} frames`;
  const c = codec.color;
  return [
    ...REENCODE, '-profile:v', profile, '-pix_fmt', codec.pixelFormat, '-bf', bframes,
    ...(codec.level === undefined ? [] : ['-level:v', String(codec.level)]),
    ...(c.range === undefined ? [] : ['-color_range', c.range]),
    ...(c.space === undefined ? [] : ['-colorspace', c.space]),
    ...(c.transfer === undefined ? [] : ['-color_trc', c.transfer]),
    ...(c.primaries === undefined ? [] : ['-color_primaries', c.primaries]),
  ];
}

/**
 * Reads what stream-copied clips of `input` need, once for all its clips: its codec parameters and
 * its packets (a demux, no decoding). `timeline` is the frames a decode gave (from the analysis);
 * a stream whose packets do not match it is not cut by copying.
 */
export async function prepareSegmentSource(input: string, options: { timeline?: FrameTimeline; signal?: AbortSignal } = {}): Promise<SegmentSource> {
  const path = await checkInputFile(input);
  const [codec, packets] = await Promise.all([
    probeVideoCodec(path),
    // A stream whose packets cannot be listed is still cut, by re-encoding.
    readVideoPackets(path, options.signal).catch((error: unknown) => {
      if (isFramewrightError(error) && error.code !== 'CANCELLED' && options.signal?.aborted !== true) return error.message;
      throw error;
    }),
  ]);
  const layout = typeof packets === 'string' ? packets : CutLayout.of(packets, options.timeline);
  const matching = typeof layout === 'string' ? `its packets cannot be placed: ${layout}` : matchingEncoder(codec, layout.reorderDelay);
  const encoder = typeof matching === 'string' ? matching : await withOwnParameterSets(path, matching, options.signal);
  return { path, codec, layout, encoder };
}

/**
 * `encoder` numbering its parameter sets with an id the source's do not use (see avc-config.ts),
 * or why that cannot be done.
 */
async function withOwnParameterSets(path: string, encoder: readonly string[], signal?: AbortSignal): Promise<readonly string[] | string> {
  const sets = await firstParameterSets(path, signal).catch((error: unknown) => {
    if (isFramewrightError(error) && error.code !== 'CANCELLED' && signal?.aborted !== true) return error.message;
    throw error;
  });
  if (typeof sets === 'string') return `its parameter sets cannot be read: ${sets}`;
  if (!sets.some((s) => s.type === 7) || !sets.some((s) => s.type === 8)) return 'no SPS and PPS come before its first frame';
  const id = freeParameterSetId(sets);
  if (id === undefined) return 'it uses every parameter set id';
  return [...encoder, '-x264-params', `sps-id=${id}`];
}

/** What a clip file's command needs besides the frames. */
export interface CopyOptions {
  /** Keep the first audio stream. */
  readonly audio: boolean;
  /** Cancels the cut. */
  readonly signal?: AbortSignal;
  /** Told the work folder a smart cut makes beside the output before it writes there (so a crash-undo removes it). */
  readonly onWorkDir?: (dir: string) => Promise<void>;
}

const fixed = (s: number) => s.toFixed(6);
/** `seconds` rounded down to ffmpeg's microseconds (robust to float error in the last digit). */
const floorMicro = (seconds: number) => Math.floor(Math.round(seconds * 1e7) / 10) / 1e6;
// Containers whose seek index lands on a keyframe at or before the time asked for; in others
// (MPEG-TS, program streams) a seek lands on any packet whose decode time is at or before it.
const INDEXED = /(^|,)(mov|mp4|matroska|webm|avi)(,|$)/;

/**
 * Input options that read `source` so that `first` is its first frame at time 0: timestamps are
 * the demuxer's own (`-seek_timestamp`, so a file's start time does not shift them), the seek lands
 * on or before the clean keyframe at or before `first`, and `-itsoffset` puts `first` at 0, so the
 * frames before it have negative times and are dropped (decoding: -ss trims them; copying:
 * `-copypriorss 0` drops what precedes the first keyframe at or after 0).
 */
function readFrom(source: SegmentSource, layout: CutLayout, first: number): string[] {
  const key = layout.lastKeyframeUpTo(first) ?? 0;
  const dts = layout.decodeSeconds(key);
  const indexed = INDEXED.test(source.codec.formatName);
  // Just before the keyframe's decode time, the last a packet-by-packet seek may land on; half a
  // second before it where that time is not known.
  const target = floorMicro(indexed ? layout.seconds(key) : Number.isFinite(dts) ? dts - 0.001 : layout.seconds(key) - 0.5);
  return ['-seek_timestamp', '1', '-ss', fixed(target), '-itsoffset', fixed(target - floorMicro(layout.seconds(first)))];
}

/**
 * The input options that read `source` from frame `first` (at time 0) when its packets place every
 * frame, else undefined. A seek by time alone lands mid-GOP in containers without a keyframe index
 * (MPEG-TS), and the decoder then skips to the next keyframe: these land before one.
 */
export function seekOptions(source: SegmentSource, first: number): string[] | undefined {
  return typeof source.layout === 'string' ? undefined : readFrom(source, source.layout, first);
}

// MP4 and QuickTime outputs, whose tracks end where their last packet in decode order ends.
const MOV_OUTPUT = /\.(mp4|m4v|mov|3gp)$/i;

/** The timescale ffmpeg's MP4 muxer gives a track of `timeBase`: its denominator, doubled until at least 10000. */
function movTimescale(timeBase: Rational): number {
  let timescale = timeBase.den;
  while (timescale < 10000) timescale *= 2;
  return timescale;
}

/**
 * Output options that make the video track of `output` (a clip of `frames` frames whose stream
 * is in `timeBase`) last `seconds`, from its first frame to the end of its last. An MP4 track ends
 * at the decode time of its last packet plus that packet's duration, and with B-frames decode
 * times run a frame or two behind the frames shown: where frames were dropped among the last few
 * (OBS under load) the track would end before its last frame has been shown, and players and
 * editors cut it short. The last packet gets the duration that ends the track where it should, in
 * ticks of a timescale set here, so the number means what it says. Other containers time a track
 * by its frames: nothing to add.
 */
export function trackEndOptions(output: string, timeBase: Rational, frames: number, seconds: number): string[] {
  if (!MOV_OUTPUT.test(output)) return [];
  const timescale = movTimescale(timeBase);
  const end = Math.round(seconds * timescale);
  return ['-video_track_timescale', String(timescale), '-bsf:v', `setts=pts=PTS:dts=DTS:duration='if(eq(N,${frames - 1}),${end}+STARTDTS-DTS,DURATION)'`];
}

/** Output options that drop what a copy's seek reached before its first keyframe. */
const COPY_FROM_SEEK = ['-copypriorss', '0'] as const;

/** Re-encoded audio of the source from frame `from` to `to`, as a second input (index 1). */
function addAudio(command: FfmpegCommand, source: SegmentSource, layout: CutLayout, from: number, to: number, audio: boolean): string[] {
  if (!audio) return [];
  const start = floorMicro(layout.seconds(from));
  command.input(source.path).inputOptions(['-seek_timestamp', '1', '-ss', fixed(start), '-t', fixed(layout.seconds(to) - start)]);
  return ['-map', '1:a:0?', ...AUDIO];
}

async function checkFrames(file: string, expected: number, what: string, signal?: AbortSignal): Promise<void> {
  const packets = await readVideoPackets(file, signal);
  if (packets.pts.length !== expected) throw new FramewrightError('FFMPEG_FAILED', `${what} holds ${packets.pts.length} frames instead of ${expected}`);
}

/**
 * Writes a stream copy of `[range.startFrame, range.endFrame)` (split points of the layout, the
 * first a clean keyframe) to `output`, audio re-encoded over the same seconds.
 */
async function copyFrames(source: SegmentSource, layout: CutLayout, output: string, range: { startFrame: number; endFrame: number }, options: CopyOptions): Promise<void> {
  const { startFrame, endFrame } = range;
  const command = (await newCommand()).input(source.path).inputOptions(readFrom(source, layout, startFrame));
  const audio = addAudio(command, source, layout, startFrame, endFrame, options.audio);
  // From the keyframe on, exactly the packets of these frames.
  command
    .outputOptions([
      '-map', '0:v:0', ...audio, ...COPY_FROM_SEEK, '-frames:v', String(endFrame - startFrame), '-c:v', 'copy',
      ...trackEndOptions(output, layout.timeBase, endFrame - startFrame, layout.seconds(endFrame) - layout.seconds(startFrame)), '-movflags', '+faststart',
    ])
    .output(output);
  const what = `copying frames ${startFrame}-${endFrame} of ${source.path}`;
  await runCommand(command, what, options.signal).done;
  await checkFrames(output, endFrame - startFrame, what, options.signal);
}

/**
 * A stream copy of the clip `[startFrame, endFrame)`: whole GOPs from the keyframe at or before
 * its start, to where every frame before its end has been decoded. Returns the frames written.
 * @throws FramewrightError `UNSUPPORTED_MEDIA` when the source cannot be cut by copying (say why)
 */
export async function copyClip(source: SegmentSource, output: string, startFrame: number, endFrame: number, options: CopyOptions): Promise<CopiedSegment> {
  const layout = usableLayout(source);
  const range = layout.copyRange(startFrame, endFrame);
  if (range === undefined) throw new FramewrightError('UNSUPPORTED_MEDIA', `no keyframe a copy can start on comes before frame ${startFrame}`);
  await copyFrames(source, layout, output, range, options);
  return { ...range, reencodedFrames: 0 };
}

function usableLayout(source: SegmentSource): CutLayout {
  if (typeof source.layout === 'string') throw new FramewrightError('UNSUPPORTED_MEDIA', `its packets cannot be placed: ${source.layout}`);
  return source.layout;
}

/** Runs `pieces` at once; the first failure stops the others. */
async function allOrNothing(signal: AbortSignal | undefined, pieces: Array<(signal: AbortSignal) => Promise<void>>): Promise<void> {
  const stop = new AbortController();
  const forward = () => stop.abort();
  signal?.addEventListener('abort', forward, { once: true });
  if (signal?.aborted === true) stop.abort();
  try {
    const settled = await Promise.allSettled(pieces.map((piece) => piece(stop.signal).catch((error: unknown) => {
      stop.abort();
      throw error;
    })));
    // The failure that stopped the others, not the cancellations it caused.
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    const first = failures.find((e) => !(isFramewrightError(e) && e.code === 'CANCELLED')) ?? failures[0];
    if (first !== undefined) throw first;
  } finally {
    signal?.removeEventListener('abort', forward);
  }
}

/**
 * A frame-exact clip `[startFrame, endFrame)` that re-encodes only what lies before its first
 * clean keyframe and after its last, and stream-copies the GOPs between. `undefined` when no
 * keyframe lies inside the clip: there is nothing to copy, and the caller re-encodes it whole.
 * @throws FramewrightError `UNSUPPORTED_MEDIA` naming why the source cannot be smart-cut
 */
export async function smartClip(source: SegmentSource, output: string, startFrame: number, endFrame: number, options: CopyOptions): Promise<CopiedSegment | undefined> {
  const layout = usableLayout(source);
  const plan = layout.plan(startFrame, endFrame);
  if (plan.copy === undefined) return undefined;
  if (plan.head === undefined && plan.tail === undefined) {
    await copyFrames(source, layout, output, { startFrame, endFrame }, options);
    return { startFrame, endFrame, reencodedFrames: 0 };
  }
  // Only pieces that are re-encoded must match the stream's codec.
  if (typeof source.encoder === 'string') throw new FramewrightError('UNSUPPORTED_MEDIA', source.encoder);
  const encoder = source.encoder;
  const dir = await mkdtemp(join(dirname(output), '.fw-smart-cut-'));
  try {
    await options.onWorkDir?.(dir);
    const rotation = ((Math.round(source.codec.rotation) % 360) + 360) % 360;
    const reencode = async (name: string, [from, to]: readonly [number, number], signal: AbortSignal) => {
      const command = (await newCommand())
        .input(source.path)
        // The pieces keep the stored orientation; the rotation is written once, on the whole file.
        .inputOptions([...(rotation === 0 ? [] : ['-noautorotate']), ...readFrom(source, layout, from)])
        .outputOptions([
          '-map', '0:v:0', '-an', '-sn', '-dn', '-frames:v', String(to - from),
          // Each frame keeps its time in the source's own time base (variable-rate video too).
          '-vsync', 'passthrough', '-enc_time_base:v', '-1', ...encoder, '-f', 'mpegts',
        ])
        .output(join(dir, name));
      await runCommand(command, `re-encoding frames ${from}-${to} of ${source.path}`, signal).done;
    };
    const copy = async ([from, to]: readonly [number, number], signal: AbortSignal) => {
      const command = (await newCommand())
        .input(source.path)
        .inputOptions(readFrom(source, layout, from))
        .outputOptions(['-map', '0:v:0', '-an', '-sn', '-dn', ...COPY_FROM_SEEK, '-frames:v', String(to - from), '-c', 'copy', '-f', 'mpegts'])
        .output(join(dir, 'copy.ts'));
      await runCommand(command, `copying frames ${from}-${to} of ${source.path}`, signal).done;
    };
    const pieces: Array<{ name: string; range: readonly [number, number] }> = [];
    const work: Array<(signal: AbortSignal) => Promise<void>> = [];
    if (plan.head !== undefined) {
      const head = plan.head;
      pieces.push({ name: 'head.ts', range: head });
      // Decoded from the keyframe before the clip; the frames before its start are dropped.
      work.push((signal) => reencode('head.ts', head, signal));
    }
    pieces.push({ name: 'copy.ts', range: plan.copy });
    work.push((signal) => copy(plan.copy!, signal));
    if (plan.tail !== undefined) {
      const tail = plan.tail;
      pieces.push({ name: 'tail.ts', range: tail });
      // The tail starts on a keyframe: nothing before it is decoded.
      work.push((signal) => reencode('tail.ts', tail, signal));
    }
    await allOrNothing(options.signal, work);
    // Each piece lasts what its frames last in the source, so the next one starts where they end.
    const list = ['ffconcat version 1.0', ...pieces.flatMap((p) => [`file '${p.name}'`, `duration ${fixed(layout.seconds(p.range[1]) - layout.seconds(p.range[0]))}`])];
    const listPath = join(dir, 'pieces.ffconcat');
    await writeFile(listPath, `${list.join('\n')}\n`);
    // An MP4 clip's header lists the parameter sets of both encoders, so it is joined beside it first.
    const header = MOV_OUTPUT.test(output);
    const joined = header ? join(dir, `joined${extname(output)}`) : output;
    const command = (await newCommand()).input(listPath).inputOptions(['-f', 'concat', '-safe', '0']);
    const audio = addAudio(command, source, layout, startFrame, endFrame, options.audio);
    command
      .outputOptions([
        '-map', '0:v:0', ...audio, '-c:v', 'copy',
        ...trackEndOptions(output, MPEG_TS_TIME_BASE, endFrame - startFrame, layout.seconds(endFrame) - layout.seconds(startFrame)),
        ...(rotation === 0 ? [] : ['-metadata:s:v:0', `rotate=${rotation}`]),
        '-movflags', '+faststart',
      ])
      .output(joined);
    const what = `joining frames ${startFrame}-${endFrame} of ${source.path}`;
    await runCommand(command, what, options.signal).done;
    if (header) {
      // The source's sets first (the copied GOPs), then libx264's.
      const order = [...pieces].sort((a, b) => Number(b.name === 'copy.ts') - Number(a.name === 'copy.ts'));
      const sets = joinParameterSets(await Promise.all(order.map((p) => firstParameterSets(join(dir, p.name), options.signal))));
      await writeAvcConfig(joined, output, sets);
    }
    await checkFrames(output, endFrame - startFrame, what, options.signal);
    const reencoded = (plan.head === undefined ? 0 : plan.head[1] - plan.head[0]) + (plan.tail === undefined ? 0 : plan.tail[1] - plan.tail[0]);
    return { startFrame, endFrame, reencodedFrames: reencoded };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
