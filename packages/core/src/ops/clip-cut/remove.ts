// clip-cut's `remove`: which frames of a recording to keep. The edit is auto-editor's default one
// (its current release, src/edit and src/util): a frame is active when its audio chunk is loud
// (loudness and threshold compared in the 16-bit steps auto-editor keeps them in) or speech, a
// margin is added before and after every active stretch, and then the mask is smoothed
// until it no longer changes: in each pass, active stretches shorter than minclip become inactive
// and inactive stretches shorter than mincut become active, both judged on the pass's input.
// Seconds become frames as auto-editor makes them: milliseconds × fps, truncated.
import type { Rational } from '../../media/index.js';
import { FramewrightError } from '../../protocol/index.js';

/** How a removal decides what to keep, in seconds (auto-editor's defaults in {@link REMOVE_DEFAULTS}). */
export interface RemoveSettings {
  /** Loudness (0-1, full scale) at or above which a chunk is loud. */
  readonly silenceThreshold: number;
  /** Speech probability at or above which a VAD window is speech. */
  readonly speechThreshold: number;
  /** Seconds kept before each active stretch (negative trims into it). */
  readonly marginBeforeSeconds: number;
  /** Seconds kept after each active stretch (negative trims into it). */
  readonly marginAfterSeconds: number;
  /** Inactive stretches shorter than this are kept (auto-editor's mincut). */
  readonly minSilenceSeconds: number;
  /** Active stretches shorter than this are dropped (auto-editor's minclip). */
  readonly minKeptSeconds: number;
}

/** auto-editor's default edit: `--edit audio:threshold=0.04 --margin 0.2s --smooth 0.2s,0.1s`. */
export const REMOVE_DEFAULTS: RemoveSettings = Object.freeze({
  silenceThreshold: 0.04,
  speechThreshold: 0.5,
  marginBeforeSeconds: 0.2,
  marginAfterSeconds: 0.2,
  minSilenceSeconds: 0.2,
  minKeptSeconds: 0.1,
});

/** A kept range of frames, `[startFrame, endFrame)`. */
export interface KeptFrames {
  readonly startFrame: number;
  readonly endFrame: number;
}

/** A loudness 0-1 as auto-editor stores and compares it: 16-bit unsigned normalised, rounded in float32. */
export function toUnorm16(value: number): number {
  const c = Math.max(0, Math.min(1, Math.fround(value)));
  return Math.trunc(Math.fround(Math.fround(c * 65535) + 0.5));
}

/** Whether a chunk of loudness `level` is loud at `threshold`, compared as auto-editor does (both as {@link toUnorm16}). */
export function isLoud(level: number, threshold: number): boolean {
  return toUnorm16(level) >= toUnorm16(threshold);
}

/** Frames in `seconds` at `fps`, as auto-editor counts them (whole milliseconds × fps, truncated toward zero). */
export function secondsToFrames(seconds: number, fps: Rational): number {
  return Math.trunc((Math.round(seconds * 1000) / 1000) * (fps.num / fps.den));
}

/**
 * The loudness ratio a threshold written as a ratio (`0.04`), a percentage (`4%`) or in dB
 * (`-28dB`, 20·log10 of the ratio) stands for.
 * @throws FramewrightError `INVALID_PARAMS` for anything else, or a ratio outside 0-1
 */
export function parseThreshold(text: string): number {
  const match = /^\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*(dB|db|%)?\s*$/.exec(text);
  if (match === null) throw new FramewrightError('INVALID_PARAMS', `threshold ${JSON.stringify(text)} is not a ratio (0.04), a percentage (4%) or dB (-28dB)`);
  const value = Number(match[1]);
  const unit = match[2]?.toLowerCase();
  const ratio = unit === 'db' ? 10 ** (value / 20) : unit === '%' ? value / 100 : value;
  if (!(ratio >= 0 && ratio <= 1)) throw new FramewrightError('INVALID_PARAMS', `threshold ${JSON.stringify(text)} is ${ratio}, outside 0 to 1 (full scale; 0 dB at most)`);
  return ratio;
}

/**
 * The margins `0.2s` (both sides) or `0.1s,0.3s` (before, after) stand for, in seconds; `s`,
 * `sec` or nothing after each number.
 * @throws FramewrightError `INVALID_PARAMS` otherwise
 */
export function parseMargin(text: string): { before: number; after: number } {
  const parts = text.split(',').map((part) => part.trim());
  const seconds = parts.map((part) => {
    const match = /^([+-]?(?:\d+\.?\d*|\.\d+))\s*(s|sec|secs|seconds?)?$/.exec(part);
    if (match === null) throw new FramewrightError('INVALID_PARAMS', `margin ${JSON.stringify(text)} is not seconds (0.2s) or before,after (0.1s,0.3s)`);
    return Number(match[1]);
  });
  if (seconds.length > 2) throw new FramewrightError('INVALID_PARAMS', `margin ${JSON.stringify(text)} has more than two values (before,after)`);
  return { before: seconds[0]!, after: seconds[1] ?? seconds[0]! };
}

/** Adds `before` frames ahead of and `after` frames behind each active stretch (negative: trims it), in place. */
export function applyMargin(mask: Uint8Array, before: number, after: number): void {
  const starts: number[] = [];
  const ends: number[] = [];
  for (let j = 1; j < mask.length; j++) {
    if (mask[j] === mask[j - 1]) continue;
    if (mask[j] === 1) starts.push(j);
    else ends.push(j);
  }
  if (before > 0) for (const i of starts) mask.fill(1, Math.max(i - before, 0), i);
  if (before < 0) for (const i of starts) mask.fill(0, i, Math.min(i - before, mask.length));
  if (after > 0) for (const i of ends) mask.fill(1, i, Math.min(i + after, mask.length));
  if (after < 0) for (const i of ends) mask.fill(0, Math.max(i + after, 0), i);
}

/**
 * Replaces, in `next`, the runs of `value` in `mask` shorter than `limit` frames. A run that
 * reaches the end of the mask is replaced up to `limit` frames long, as auto-editor does.
 */
function replaceShortRuns(mask: Uint8Array, next: Uint8Array, value: number, limit: number): void {
  let start = 0;
  let active = false;
  for (let j = 0; j < mask.length; j++) {
    if (mask[j] === value) {
      if (!active) {
        start = j;
        active = true;
      }
      if (j === mask.length - 1 && j - start < limit) next.fill(1 - value, start);
    } else if (active) {
      if (j - start < limit) next.fill(1 - value, start, j);
      active = false;
    }
  }
}

/** Smooths `mask` in place until stable: active runs under `minKept` frames are dropped, inactive runs under `minSilence` kept. */
export function smoothMask(mask: Uint8Array, minSilence: number, minKept: number): void {
  // Each pass only flips runs to the other value, so the mask settles; the cap is a guard.
  for (let pass = 0; pass < 1000; pass++) {
    const next = mask.slice();
    replaceShortRuns(mask, next, 1, minKept);
    replaceShortRuns(mask, next, 0, minSilence);
    let same = true;
    for (let j = 0; j < mask.length && same; j++) same = mask[j] === next[j];
    if (same) return;
    mask.set(next);
  }
}

/** The active runs of `mask` as frame ranges. */
export function keptRanges(mask: Uint8Array): KeptFrames[] {
  const out: KeptFrames[] = [];
  let start = -1;
  for (let j = 0; j <= mask.length; j++) {
    const on = j < mask.length && mask[j] === 1;
    if (on && start < 0) start = j;
    else if (!on && start >= 0) {
      out.push({ startFrame: start, endFrame: j });
      start = -1;
    }
  }
  return out;
}

/** Frame `j` of a `frameCount`-frame mask is active when `activeAt(j)`. */
export function maskOf(frameCount: number, activeAt: (frame: number) => boolean): Uint8Array {
  const mask = new Uint8Array(frameCount);
  for (let j = 0; j < frameCount; j++) mask[j] = activeAt(j) ? 1 : 0;
  return mask;
}

/**
 * The frames to keep of a `frameCount`-frame video whose active frames are `mask` (changed in
 * place): margins, then smoothing, at `fps`.
 *
 * @example
 * ```ts
 * const mask = maskOf(levels.length, (j) => levels[j]! >= 0.04);
 * const kept = keepFrames(mask, { num: 30, den: 1 }, REMOVE_DEFAULTS);
 * ```
 */
export function keepFrames(mask: Uint8Array, fps: Rational, settings: RemoveSettings): KeptFrames[] {
  applyMargin(mask, secondsToFrames(settings.marginBeforeSeconds, fps), secondsToFrames(settings.marginAfterSeconds, fps));
  smoothMask(mask, secondsToFrames(settings.minSilenceSeconds, fps), secondsToFrames(settings.minKeptSeconds, fps));
  return keptRanges(mask);
}
