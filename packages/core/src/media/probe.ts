// Media inspection through ffprobe, with the input checks every media function shares.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type ffmpeg from 'fluent-ffmpeg';
import { FramewrightError } from '../protocol/index.js';
import { pathProblem } from '../util/names.js';
import { lastLine, newCommand } from './command.js';

/** A frame rate as an exact fraction, e.g. `{ num: 30000, den: 1001 }` for 29.97. */
export interface Rational {
  /** Numerator. */
  readonly num: number;
  /** Denominator. */
  readonly den: number;
}

/** The audio stream of a file. */
export interface AudioInfo {
  /** Codec name, e.g. `aac`. */
  readonly codec: string;
  /** Samples per second. */
  readonly sampleRate: number;
  /** Channel count. */
  readonly channels: number;
}

/** What {@link probe} reports about a video file. */
export interface MediaInfo {
  /** Absolute path of the file. */
  readonly path: string;
  /** Frame width in pixels (display orientation is not applied). */
  readonly width: number;
  /** Frame height in pixels. */
  readonly height: number;
  /** Frame rate as a fraction. */
  readonly fps: Rational;
  /** Number of video frames (container frame count, or counted packets when the container has none). */
  readonly frameCount: number;
  /** Duration in seconds. */
  readonly durationSeconds: number;
  /** Video codec name, e.g. `h264`. */
  readonly codec: string;
  /** The first audio stream, or `undefined` when there is none. */
  readonly audio: AudioInfo | undefined;
}

/**
 * Checks that `input` is an existing, readable regular file and returns its absolute path.
 * Absolute paths also keep names that start with `-` from ever being read as ffmpeg options.
 * A path no file call takes (a NUL byte, a name over 255 bytes) is `INVALID_PARAMS`.
 */
export async function checkInputFile(input: string): Promise<string> {
  const path = resolve(input);
  // A NUL byte or an over-long name would reach stat as a raw error quoting the whole path.
  const problem = pathProblem(path);
  if (problem !== undefined) throw new FramewrightError('INVALID_PARAMS', `input ${problem}`);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FramewrightError('INPUT_NOT_FOUND', `input not found: ${path}`);
    throw new FramewrightError('INPUT_UNREADABLE', `input cannot be read: ${path} (${code ?? 'unknown error'})`);
  }
  if (!info.isFile()) throw new FramewrightError('INPUT_UNREADABLE', `input is not a regular file: ${path}`);
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new FramewrightError('INPUT_UNREADABLE', `input is not readable (permission denied): ${path}`);
  }
  if (info.size === 0) throw new FramewrightError('UNSUPPORTED_MEDIA', `input is an empty file: ${path}`);
  return path;
}

function parseRational(text: string | undefined): Rational | undefined {
  const match = /^(\d+)(?:\/(\d+))?$/.exec(text ?? '');
  if (match === null) return undefined;
  const num = Number(match[1]);
  const den = match[2] === undefined ? 1 : Number(match[2]);
  return num > 0 && den > 0 ? { num, den } : undefined;
}

const value = (r: Rational) => r.num / r.den;

// r_frame_rate is exact for constant-rate footage; avg_frame_rate is the fallback for files whose
// r_frame_rate is a timebase artefact (some variable-rate phone clips report 90000/1).
function pickFps(stream: ffmpeg.FfprobeStream): Rational | undefined {
  const r = parseRational(stream.r_frame_rate);
  const avg = parseRational(stream.avg_frame_rate);
  if (r !== undefined && (avg === undefined || Math.abs(value(avg) - value(r)) / value(r) < 0.01)) return r;
  return avg ?? r;
}

function toNumber(text: unknown): number | undefined {
  const n = typeof text === 'number' ? text : Number.parseFloat(String(text));
  return Number.isFinite(n) ? n : undefined;
}

function ffprobe(path: string, options: string[]): Promise<ffmpeg.FfprobeData> {
  return newCommand().then((command) => new Promise((resolvePromise, reject) => {
    command.input(path).ffprobe(options, (error: Error | null, data: ffmpeg.FfprobeData) => {
      if (error) {
        const detail = lastLine(error.message) || 'ffprobe cannot read it';
        reject(new FramewrightError('UNSUPPORTED_MEDIA', `not a readable video file: ${path} (${detail})`, { cause: error }));
      } else resolvePromise(data);
    });
  }));
}

/**
 * Inspects a video file with ffprobe.
 *
 * Errors (one line, naming the file): `INPUT_NOT_FOUND`, `INPUT_UNREADABLE` (folder, no permission),
 * `UNSUPPORTED_MEDIA` (empty, not a media file, truncated, no video stream).
 *
 * @example
 * ```ts
 * const info = await probe('talk.mp4');
 * console.log(info.width, info.height, info.fps, info.frameCount);
 * ```
 */
export async function probe(input: string): Promise<MediaInfo> {
  const path = await checkInputFile(input);
  const data = await ffprobe(path, ['-v', 'error']);
  const video = data.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (video === undefined) throw new FramewrightError('UNSUPPORTED_MEDIA', `no video stream in ${path}`);
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  const fps = pickFps(video);
  if (width <= 0 || height <= 0 || fps === undefined) {
    throw new FramewrightError('UNSUPPORTED_MEDIA', `video stream of ${path} has no usable size or frame rate`);
  }
  const durationSeconds = toNumber(data.format.duration) ?? toNumber(video.duration) ?? 0;
  let frameCount = toNumber(video.nb_frames);
  if (frameCount === undefined || frameCount <= 0) {
    const counted = await ffprobe(path, ['-v', 'error', '-count_packets', '-select_streams', String(video.index)]);
    frameCount = toNumber(counted.streams[0]?.nb_read_packets) ?? Math.round((durationSeconds * fps.num) / fps.den);
  }
  if (frameCount <= 0) throw new FramewrightError('UNSUPPORTED_MEDIA', `video stream of ${path} has no frames`);
  const a = data.streams.find((s) => s.codec_type === 'audio');
  const audio: AudioInfo | undefined = a === undefined
    ? undefined
    : { codec: a.codec_name ?? 'unknown', sampleRate: toNumber(a.sample_rate) ?? 0, channels: a.channels ?? 0 };
  return { path, width, height, fps, frameCount, durationSeconds, codec: video.codec_name ?? 'unknown', audio };
}

/**
 * Counts the frames of the first video stream by decoding it (`ffprobe -count_frames`): exact,
 * and slower than {@link probe}'s container count. Used to verify frame-exact outputs.
 */
export async function countDecodedFrames(input: string): Promise<number> {
  const path = await checkInputFile(input);
  const data = await ffprobe(path, ['-v', 'error', '-count_frames', '-select_streams', 'v:0']);
  const counted = toNumber(data.streams[0]?.nb_read_frames);
  if (counted === undefined) throw new FramewrightError('UNSUPPORTED_MEDIA', `no video stream in ${path}`);
  return counted;
}

/** What a re-encode must match to join a video stream's own packets (see {@link probeVideoCodec}). */
export interface VideoCodecInfo {
  /** Codec name, e.g. `h264`. */
  readonly codec: string;
  /** Profile as ffprobe names it, e.g. `High`, `Constrained Baseline`. */
  readonly profile: string | undefined;
  /** Level as ffprobe reports it (`40` for 4.0), when known. */
  readonly level: number | undefined;
  /** Pixel format, e.g. `yuv420p`. */
  readonly pixelFormat: string | undefined;
  /** `progressive`, `tt`, `bb`, `tb`, `bt`, or undefined when not said. */
  readonly fieldOrder: string | undefined;
  /** Display rotation in degrees (from the display matrix), 0 when none. */
  readonly rotation: number;
  /** Colour properties as ffprobe names them (`tv`, `bt709`, …); only those the file states. */
  readonly color: { readonly range?: string; readonly space?: string; readonly transfer?: string; readonly primaries?: string };
  /** The container as ffprobe names it, e.g. `mov,mp4,m4a,3gp,3g2,mj2`, `matroska,webm`, `mpegts`. */
  readonly formatName: string;
  /** Seconds per timestamp tick of the stream, e.g. 1/12800. */
  readonly timeBase: Rational;
}

/** The codec parameters of the first video stream of `input`. Errors as {@link probe}'s. */
export async function probeVideoCodec(input: string): Promise<VideoCodecInfo> {
  const path = await checkInputFile(input);
  const data = await ffprobe(path, ['-v', 'error']);
  const video = data.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (video === undefined) throw new FramewrightError('UNSUPPORTED_MEDIA', `no video stream in ${path}`);
  const known = (v: unknown) => (typeof v === 'string' && v !== '' && v !== 'unknown' ? v : undefined);
  const level = toNumber(video.level);
  const color: Record<string, string> = {};
  for (const [key, field] of [['range', 'color_range'], ['space', 'color_space'], ['transfer', 'color_transfer'], ['primaries', 'color_primaries']] as const) {
    const v = known(video[field]);
    if (v !== undefined) color[key] = v;
  }
  return {
    codec: video.codec_name ?? 'unknown',
    profile: known(video.profile),
    level: level !== undefined && level > 0 ? level : undefined,
    pixelFormat: known(video.pix_fmt),
    fieldOrder: known(video.field_order),
    rotation: toNumber(video.rotation) ?? 0,
    color,
    formatName: data.format.format_name ?? 'unknown',
    // ffprobe always states it; 90 kHz (MPEG's clock) only keeps the type whole.
    timeBase: parseRational(video.time_base) ?? { num: 1, den: 90000 },
  };
}
