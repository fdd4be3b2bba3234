import { FramewrightError } from '../../../protocol/index.js';
import { assertFrameRate, isDropFrameRate, isTimecodeRate, type FrameRate } from '../timecode.js';

/** One clip of a cut list: source frames `[startFrame, endFrame)`, 0-based in decode order. */
export interface CutRange {
  /** First frame of the clip. */
  startFrame: number;
  /** Frame after the last frame of the clip (exclusive). */
  endFrame: number;
}

/**
 * A dissolve at the edit between two clips of a cut list, centred on it: `frames` frames before
 * the edit and as many after. Editors build it from the outgoing clip's media after its out point
 * and the incoming clip's before its in point, so when the two clips follow each other in the
 * source, the dissolve shows exactly the source's frames around the cut (the dissolve, fade or
 * fade-through that was there), and stays a dissolve when the clips are trimmed or moved.
 */
export interface CutTransition {
  /** Index in `clips` of the incoming clip (at least 1: the edit is before it). */
  clip: number;
  /** Frames on each side of the edit (the transition lasts twice as many). */
  frames: number;
}

/**
 * Everything the editor formats need to describe a cut of one video: the source media and the
 * clips, laid end to end on a timeline that starts at frame 0 in the order given, and dissolves
 * at some of the edits.
 */
export interface CutList {
  /** Name of the timeline (sequence, project) in the editor. */
  name: string;
  /** Absolute path of the source video (POSIX, `C:\…` or a `\\server\share\…` UNC path). */
  mediaPath: string;
  /** Exact frame rate of the source video. */
  fps: FrameRate;
  /** Timecodes are drop-frame; only valid for 29.97 and 59.94. */
  dropFrame: boolean;
  /** Video width in pixels. */
  width: number;
  /** Video height in pixels. */
  height: number;
  /** Number of frames in the source video. */
  frameCount: number;
  /** The source has an audio stream; clips then carry audio too. */
  hasAudio: boolean;
  /** Audio sample rate in Hz (default 48000). */
  audioSampleRate?: number;
  /** Audio channel count (default 2). */
  audioChannels?: number;
  /** The clips, in timeline order. */
  clips: CutRange[];
  /** Dissolves at edits, at most one per edit (default none: every edit is a cut). */
  transitions?: CutTransition[];
}

/** Audio sample rate assumed when a cut list with audio does not say. */
export const DEFAULT_AUDIO_SAMPLE_RATE = 48000;
/** Audio channel count assumed when a cut list with audio does not say. */
export const DEFAULT_AUDIO_CHANNELS = 2;

/**
 * Checks a cut list before any format is rendered, so a bad one fails with one line naming the
 * field instead of producing a file an editor rejects.
 * @throws FramewrightError `INVALID_PARAMS`
 */
export function assertCutList(list: CutList): void {
  const fail = (message: string): never => {
    throw new FramewrightError('INVALID_PARAMS', `cut list: ${message}`);
  };
  if (typeof list.name !== 'string') fail('name must be a string');
  if (typeof list.mediaPath !== 'string' || !isAbsoluteMediaPath(list.mediaPath)) {
    fail(`mediaPath must be an absolute path, got ${JSON.stringify(list.mediaPath)}`);
  }
  assertFrameRate(list.fps);
  if (list.dropFrame && !isDropFrameRate(list.fps)) {
    fail(`dropFrame is only valid at 29.97 and 59.94 fps, not ${list.fps.num}/${list.fps.den}`);
  }
  for (const key of ['width', 'height'] as const) {
    if (!Number.isSafeInteger(list[key]) || list[key] <= 0) fail(`${key} must be a positive integer, got ${list[key]}`);
  }
  if (!Number.isSafeInteger(list.frameCount) || list.frameCount < 0) {
    fail(`frameCount must be a non-negative integer, got ${list.frameCount}`);
  }
  for (const key of ['audioSampleRate', 'audioChannels'] as const) {
    const value = list[key];
    if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) fail(`${key} must be a positive integer, got ${value}`);
  }
  if (!Array.isArray(list.clips)) fail('clips must be an array');
  list.clips.forEach((clip, i) => {
    const { startFrame, endFrame } = clip;
    if (!Number.isSafeInteger(startFrame) || startFrame < 0) fail(`clips[${i}].startFrame must be a non-negative integer, got ${startFrame}`);
    if (!Number.isSafeInteger(endFrame) || endFrame <= startFrame) {
      fail(`clips[${i}].endFrame must be an integer greater than startFrame ${startFrame}, got ${endFrame}`);
    }
    if (endFrame > list.frameCount) fail(`clips[${i}].endFrame ${endFrame} is past frameCount ${list.frameCount}`);
  });
  assertTransitions(list, fail);
}

/** Half the frames each edit of `list` dissolves over, by incoming clip index (0 for a cut). */
export function transitionFrames(list: CutList): number[] {
  const frames = list.clips.map(() => 0);
  for (const t of list.transitions ?? []) frames[t.clip] = t.frames;
  return frames;
}

function assertTransitions(list: CutList, fail: (message: string) => never): void {
  if (list.transitions === undefined) return;
  if (!Array.isArray(list.transitions)) fail('transitions must be an array');
  const seen = new Set<number>();
  list.transitions.forEach(({ clip, frames }, i) => {
    const at = `transitions[${i}]`;
    if (!Number.isSafeInteger(clip) || clip < 1 || clip >= list.clips.length) fail(`${at}.clip must be the index of a clip after the first, got ${clip}`);
    if (seen.has(clip)) fail(`${at}: clip ${clip} has a transition already`);
    seen.add(clip);
    if (!Number.isSafeInteger(frames) || frames < 1) fail(`${at}.frames must be a positive integer, got ${frames}`);
    const incoming = list.clips[clip]!;
    const outgoing = list.clips[clip - 1]!;
    // Media beyond the clips' ends, within the source, and room on the timeline.
    if (incoming.startFrame < frames || outgoing.endFrame + frames > list.frameCount) fail(`${at}: ${frames} frames of media are not there on both sides of the edit`);
  });
  const frames = transitionFrames(list);
  list.clips.forEach((clip, i) => {
    const used = frames[i]! + (frames[i + 1] ?? 0);
    if (used > clip.endFrame - clip.startFrame) fail(`clips[${i}] is ${clip.endFrame - clip.startFrame} frames, shorter than its transitions (${used} frames)`);
  });
}

/**
 * Throws unless the rate is a whole number or an NTSC rate: formats built on timecode (EDL,
 * FCP7 XML) cannot describe any other rate faithfully.
 */
export function assertTimecodeRate(fps: FrameRate, format: string): void {
  if (!isTimecodeRate(fps)) {
    throw new FramewrightError('INVALID_PARAMS', `${format} cannot describe ${fps.num}/${fps.den} fps: only whole and NTSC (x1000/1001) rates`);
  }
}

/** A clip placed in seconds (from frame timestamps) rather than frames. */
export interface TimedRange {
  /** Where the clip starts, seconds from the first frame. */
  startSeconds: number;
  /** Where it ends (exclusive). */
  endSeconds: number;
}

/**
 * Clips placed in seconds as frames at `fps`, for a video whose own frames do not fall on `fps`
 * frames (variable rate, or a rate timecode cannot count): each boundary goes to the nearest
 * frame, a clip that starts where the one before ends starts on that frame, and every clip keeps
 * at least one frame.
 *
 * @example
 * ```ts
 * rangesAtRate([{ startSeconds: 0, endSeconds: 2 }, { startSeconds: 2, endSeconds: 5.5 }], { num: 30, den: 1 });
 * // [{ startFrame: 0, endFrame: 60 }, { startFrame: 60, endFrame: 165 }]
 * ```
 */
export function rangesAtRate(clips: readonly TimedRange[], fps: FrameRate): CutRange[] {
  assertFrameRate(fps);
  const frameOf = (seconds: number) => Math.max(0, Math.round((seconds * fps.num) / fps.den));
  const ranges: CutRange[] = [];
  clips.forEach((clip, i) => {
    const previous = i > 0 ? ranges[i - 1] : undefined;
    const startFrame = previous !== undefined && clips[i - 1]!.endSeconds === clip.startSeconds ? previous.endFrame : frameOf(clip.startSeconds);
    ranges.push({ startFrame, endFrame: Math.max(startFrame + 1, frameOf(clip.endSeconds)) });
  });
  return ranges;
}

/** The rate with `num/den` in lowest terms, so rationals written from it are canonical. */
export function reducedRate(fps: FrameRate): FrameRate {
  const divisor = gcd(fps.num, fps.den);
  return { num: fps.num / divisor, den: fps.den / divisor };
}

/** The file name at the end of the media path (either separator). */
export function mediaFileName(mediaPath: string): string {
  return mediaPath.split(/[\\/]/).filter((part) => part.length > 0).pop() ?? mediaPath;
}

/** Where each clip lands on the timeline: clips are laid end to end from frame 0. */
export function timelineOffsets(clips: readonly CutRange[]): number[] {
  let offset = 0;
  return clips.map((clip) => {
    const start = offset;
    offset += clip.endFrame - clip.startFrame;
    return start;
  });
}

/** Total length of the timeline in frames. */
export function timelineLength(clips: readonly CutRange[]): number {
  return clips.reduce((sum, clip) => sum + clip.endFrame - clip.startFrame, 0);
}

/**
 * The `file:` URL of an absolute path, every byte outside RFC 3986 unreserved characters
 * percent-encoded (spaces, `#`, `?`, `%`, `&`, unicode), the same on every platform.
 * `localhost` gives the `file://localhost/…` form FCP7 XML readers expect.
 */
export function fileUrl(mediaPath: string, options: { localhost?: boolean } = {}): string {
  const slashed = mediaPath.replace(/\\/g, '/');
  const unc = /^\/\/([^/]+)(\/.*)?$/.exec(slashed);
  if (unc) return `file://${encodeUrlPath(unc[1] ?? '')}${encodeUrlPath(unc[2] ?? '/')}`;
  const drive = /^([A-Za-z]):(\/.*)?$/.exec(slashed);
  const path = drive ? `/${drive[1]}:${encodeUrlPath(drive[2] ?? '/')}` : encodeUrlPath(slashed);
  return `file://${options.localhost ? 'localhost' : ''}${path}`;
}

function encodeUrlPath(path: string): string {
  try {
    return path
      .split('/')
      .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
      .join('/');
  } catch {
    throw new FramewrightError('INVALID_PARAMS', `cut list: mediaPath is not valid unicode: ${JSON.stringify(path)}`);
  }
}

function isAbsoluteMediaPath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || /^\\\\[^\\]+\\/.test(path);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
