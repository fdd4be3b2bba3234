// Whisper's decoding: greedy search under the timestamp rules (transformers'
// WhisperTimeStampLogitsProcessor), windows cut into segments and the seek to the next window as
// openai/whisper transcribe.py does it, language detection, and the speech ranges to decode.
import { WHISPER_AUDIO } from '../../models/index.js';
import { FramewrightError } from '../../protocol/errors.js';
import { logMelSpectrogram } from './mel.js';
import type { WhisperTask, WhisperTokens } from './tokens.js';
import type { WhisperDecoding, WhisperModel } from './whisper.js';

/** New tokens one window may produce (half of Whisper's 448 positions; the rest is the prompt's). */
export const MAX_WINDOW_TOKENS = 224;

/** A stretch of speech with its text, in file time. */
export interface Segment {
  readonly startSeconds: number;
  readonly endSeconds: number;
  readonly text: string;
  /** The text tokens, each with its text. */
  readonly tokens: readonly { readonly id: number; readonly text: string }[];
}

/** A window's tokens cut into segments, and how far to move before the next window. */
export interface WindowSegments {
  /** Segments with times from the window's start. */
  readonly segments: readonly Segment[];
  /** Seconds from the window's start where the next window begins. */
  readonly advanceSeconds: number;
}

const NEG = -Infinity;

/**
 * Applies Whisper's rules to the logits of the next token, in place: special tokens other than
 * `<|endoftext|>` never come out; with timestamps, the first token is a timestamp of at most
 * `maxInitialTimestamp` steps, timestamps come in pairs and never go back, and a timestamp is
 * forced when timestamps together are likelier than any text token. Without, no timestamp.
 */
export function applyTimestampRules(logits: Float32Array, generated: readonly number[], tokens: WhisperTokens, timestamps: boolean): void {
  const { end, timestampBegin } = tokens;
  for (let id = end + 1; id < timestampBegin && id < logits.length; id++) logits[id] = NEG;
  if (!timestamps) {
    logits.fill(NEG, timestampBegin);
    return;
  }
  const count = generated.length;
  const last = generated[count - 1];
  const lastWasTimestamp = last !== undefined && tokens.isTimestamp(last);
  const penultimateWasTimestamp = count < 2 || tokens.isTimestamp(generated[count - 2]!);
  if (lastWasTimestamp) {
    if (penultimateWasTimestamp) logits.fill(NEG, timestampBegin);
    else logits.fill(NEG, 0, end);
  }
  const previous = [...generated].reverse().find((id) => tokens.isTimestamp(id));
  if (previous !== undefined) {
    const floor = lastWasTimestamp && !penultimateWasTimestamp ? previous : previous + 1;
    logits.fill(NEG, timestampBegin, Math.min(floor, logits.length));
  }
  if (count === 0) {
    logits.fill(NEG, 0, timestampBegin);
    logits.fill(NEG, timestampBegin + tokens.maxInitialTimestamp + 1);
  }
  // log-sum-exp of the timestamps against the best text token.
  let max = NEG;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  if (max === NEG) return;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  let timestampMass = 0;
  for (let i = timestampBegin; i < logits.length; i++) timestampMass += Math.exp(logits[i]! - max);
  let bestText = NEG;
  for (let i = 0; i < timestampBegin; i++) if (logits[i]! > bestText) bestText = logits[i]!;
  if (Math.log(timestampMass / sum) > bestText - max - Math.log(sum)) logits.fill(NEG, 0, timestampBegin);
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Greedy decoding of one window after `prompt`; returns the generated tokens, without the prompt
 * and without `<|endoftext|>`.
 */
export async function decodeTokens(decoding: WhisperDecoding, tokens: WhisperTokens, prompt: readonly number[], timestamps: boolean, maxTokens = MAX_WINDOW_TOKENS): Promise<number[]> {
  const generated: number[] = [];
  let logits = await decoding.step(prompt);
  while (generated.length < maxTokens) {
    applyTimestampRules(logits, generated, tokens, timestamps);
    const next = argmax(logits);
    if (next === tokens.end || logits[next] === NEG) break;
    generated.push(next);
    logits = await decoding.step([next]);
  }
  return generated;
}

/**
 * The language Whisper hears in a window: the likeliest language token after
 * `<|startoftranscript|>`.
 */
export async function detectLanguage(decoding: WhisperDecoding, tokens: WhisperTokens): Promise<string> {
  const logits = await decoding.step([tokens.start]);
  let best: [string, number] | undefined;
  for (const [code, id] of tokens.languages) if (best === undefined || logits[id]! > best[1]) best = [code, logits[id]!];
  if (best === undefined) throw new FramewrightError('INVALID_PARAMS', 'this Whisper model has no language tokens to detect');
  return best[0];
}

function segmentOf(tokens: WhisperTokens, ids: readonly number[], start: number, end: number): Segment {
  const text = ids.filter((id) => id < tokens.end);
  return { startSeconds: start, endSeconds: end, text: tokens.decode(text).trim(), tokens: text.map((id) => ({ id, text: tokens.decode([id]) })) };
}

/**
 * Cuts a window's tokens into segments at pairs of timestamps, and says where the next window
 * starts (openai/whisper transcribe.py): a window that ends on a single timestamp after text is
 * done (advance by its length); otherwise the unfinished last segment is dropped and the next
 * window starts at the last complete segment's end.
 */
export function segmentWindow(tokens: WhisperTokens, ids: readonly number[], durationSeconds: number): WindowSegments {
  const isTs = ids.map((id) => tokens.isTimestamp(id));
  const singleEnding = ids.length >= 2 && !isTs[ids.length - 2] && isTs[ids.length - 1]!;
  const consecutive: number[] = [];
  for (let i = 1; i < ids.length; i++) if (isTs[i - 1] && isTs[i]) consecutive.push(i);
  if (consecutive.length === 0) {
    const stamps = ids.filter((id) => tokens.isTimestamp(id));
    const lastStamp = stamps[stamps.length - 1];
    const end = lastStamp !== undefined && lastStamp !== tokens.timestampBegin ? tokens.seconds(lastStamp) : durationSeconds;
    const first = stamps[0] !== undefined && isTs[0] ? tokens.seconds(stamps[0]) : 0;
    const hasText = ids.some((id) => id < tokens.end);
    return { segments: hasText ? [segmentOf(tokens, ids, first, Math.min(end, durationSeconds))] : [], advanceSeconds: durationSeconds };
  }
  const slices = [...consecutive];
  if (singleEnding) slices.push(ids.length);
  const segments: Segment[] = [];
  let from = 0;
  for (const to of slices) {
    const part = ids.slice(from, to);
    if (part.some((id) => id < tokens.end)) segments.push(segmentOf(tokens, part, tokens.seconds(part[0]!), Math.min(tokens.seconds(part[part.length - 1]!), durationSeconds)));
    from = to;
  }
  const advanceSeconds = singleEnding ? durationSeconds : tokens.seconds(ids[slices[slices.length - 1]! - 1]!);
  return { segments, advanceSeconds };
}

/** Options of {@link transcribe}. */
export interface TranscribeOptions {
  /** Language code, or `auto` (default) to detect it from the first window of speech. */
  readonly language?: string;
  /** transcribe (default) or translate (to English). */
  readonly task?: WhisperTask;
  /** Timestamp tokens (default true): segment times from the model, and long files stitched at them. */
  readonly timestamps?: boolean;
  /**
   * The stretches of the file to decode, `[start, end]` seconds (default the whole file). A
   * voice-activity detector gives these: nothing outside them is decoded, and times stay in file time.
   */
  readonly speechRanges?: readonly (readonly [number, number])[];
  /** Called after each window with the seconds decoded so far and the total to decode. */
  readonly onProgress?: (doneSeconds: number, totalSeconds: number) => void;
  /** Stops between windows (rejects with `CANCELLED`). */
  readonly signal?: AbortSignal;
}

/** What {@link transcribe} heard. */
export interface Transcript {
  /** The language given or detected. */
  readonly language: string;
  readonly task: WhisperTask;
  /** Segments in file time, in order. */
  readonly segments: Segment[];
  /** Windows decoded (encoder runs, the language detection's not counted). */
  readonly windows: number;
  /** Seconds inside the speech ranges (decoded) and outside them (skipped). */
  readonly decodedSeconds: number;
  readonly skippedSeconds: number;
}

/** Sorted, merged, clipped to the file. */
export function normaliseRanges(ranges: readonly (readonly [number, number])[] | undefined, durationSeconds: number): [number, number][] {
  if (ranges === undefined) return durationSeconds > 0 ? [[0, durationSeconds]] : [];
  const sorted = ranges
    .map(([s, e], i): [number, number] => {
      if (!Number.isFinite(s) || !Number.isFinite(e) || e < s) throw new FramewrightError('INVALID_PARAMS', `speech range ${i + 1} [${s}, ${e}] does not end after it starts`, { pointer: `/speechRanges/${i}` });
      return [Math.max(0, s), Math.min(durationSeconds, e)];
    })
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  return merged;
}

/** Shorter leftovers than this at the end of a range are not worth a window (one timestamp step × 5). */
const MIN_WINDOW_SECONDS = 0.1;

/**
 * Speech to text over 16 kHz mono samples: 30 s windows laid inside each speech range, each
 * decoded greedily under Whisper's timestamp rules and stitched at its last timestamp.
 *
 * @example
 * ```ts
 * const transcript = await transcribe(model, tokens, samples, { language: 'auto', speechRanges: [[0, 12.5], [40, 61]] });
 * ```
 */
export async function transcribe(model: WhisperModel, tokens: WhisperTokens, samples: Float32Array, options: TranscribeOptions = {}): Promise<Transcript> {
  const rate = WHISPER_AUDIO.sampleRate;
  const duration = samples.length / rate;
  const ranges = normaliseRanges(options.speechRanges, duration);
  const decodedSeconds = ranges.reduce((sum, [s, e]) => sum + e - s, 0);
  const task = options.task ?? 'transcribe';
  const timestamps = options.timestamps ?? true;
  const windowAt = (start: number, end: number) => {
    const length = Math.min(WHISPER_AUDIO.chunkSeconds, end - start);
    const from = Math.round(start * rate);
    const slice = samples.subarray(from, Math.min(samples.length, from + Math.round(length * rate)));
    return { features: logMelSpectrogram(slice, model.melBins), startSeconds: start, durationSeconds: length };
  };
  let language = options.language ?? 'auto';
  if (!tokens.multilingual) {
    if (language !== 'auto' && language !== 'en') tokens.prompt({ language, task, timestamps }); // throws the clear error
    language = 'en';
  } else if (language === 'auto') {
    const first = ranges[0];
    language = first === undefined ? 'en' : await detectLanguage(await model.begin(windowAt(first[0], first[1])), tokens);
  }
  const prompt = tokens.prompt({ ...(tokens.multilingual ? { language } : {}), task, timestamps });
  const segments: Segment[] = [];
  let windows = 0;
  let done = 0;
  for (const [rangeStart, rangeEnd] of ranges) {
    let seek = rangeStart;
    while (rangeEnd - seek >= MIN_WINDOW_SECONDS) {
      if (options.signal?.aborted === true) throw new FramewrightError('CANCELLED', 'subtitles cancelled');
      const window = windowAt(seek, rangeEnd);
      const ids = await decodeTokens(await model.begin(window), tokens, prompt, timestamps);
      windows++;
      const cut = segmentWindow(tokens, ids, window.durationSeconds);
      for (const s of cut.segments) {
        if (s.startSeconds >= window.durationSeconds) continue;
        segments.push({ ...s, startSeconds: seek + s.startSeconds, endSeconds: seek + Math.max(s.endSeconds, s.startSeconds) });
      }
      // A window that cannot move forward (a timestamp at 0) moves by its whole length, as Whisper does.
      const advance = cut.advanceSeconds > 0 ? cut.advanceSeconds : window.durationSeconds;
      done += Math.min(advance, rangeEnd - seek);
      seek += advance;
      options.onProgress?.(Math.min(done, decodedSeconds), decodedSeconds);
    }
  }
  return { language, task, segments, windows, decodedSeconds, skippedSeconds: Math.max(0, duration - decodedSeconds) };
}
