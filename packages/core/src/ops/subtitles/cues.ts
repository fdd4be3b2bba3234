// Segments → caption cues that editors accept: sentence-sized, at most `maxLines` lines of
// `maxLineChars`, each on screen between `minSeconds` and `maxSeconds`.
import type { Cue } from '../../media/subtitles.js';
import { FramewrightError } from '../../protocol/errors.js';
import type { Segment } from './decode.js';

/** Limits of {@link cuesFromSegments}. */
export interface CueLimits {
  /** Characters a line (default 42). */
  readonly maxLineChars?: number;
  /** Lines a cue (default 2). */
  readonly maxLines?: number;
  /** Shortest time on screen, where the next cue leaves room (default 1). */
  readonly minSeconds?: number;
  /** Longest time on screen (default 7). */
  readonly maxSeconds?: number;
  /** A pause at least this long between words always ends a cue (default 1). */
  readonly maxGapSeconds?: number;
}

/** A word with its time. */
export interface TimedWord {
  readonly text: string;
  readonly startSeconds: number;
  readonly endSeconds: number;
}

/** A cue and the words in it. */
export interface TimedCue extends Cue {
  readonly words: readonly TimedWord[];
}

const DEFAULTS = { maxLineChars: 42, maxLines: 2, minSeconds: 1, maxSeconds: 7, maxGapSeconds: 1 };

/**
 * The words of a segment. Tokens that begin with a space begin a word; the others (punctuation,
 * word pieces) continue it. Whisper's timestamps bound the segment; a word's time inside it is
 * interpolated by character position.
 */
export function wordsOf(segment: Segment): TimedWord[] {
  const pieces: string[] = [];
  for (const token of segment.tokens) {
    if (pieces.length === 0 || /^\s/.test(token.text)) pieces.push(token.text.trim());
    else pieces[pieces.length - 1] += token.text;
  }
  const words = pieces.filter((p) => p !== '');
  const total = words.reduce((n, w) => n + w.length, 0);
  const span = segment.endSeconds - segment.startSeconds;
  let at = 0;
  return words.map((text) => {
    const start = segment.startSeconds + (span * at) / total;
    at += text.length;
    return { text, startSeconds: start, endSeconds: segment.startSeconds + (span * at) / total };
  });
}

/**
 * Lines for `text` within the limits (two lines balanced), or undefined when it does not fit.
 */
export function layoutLines(words: readonly string[], maxLineChars: number, maxLines: number): string[] | undefined {
  const lines: string[] = [];
  for (const word of words) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= maxLineChars) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  if (lines.length > maxLines || lines.some((l) => l.length > maxLineChars)) return undefined;
  if (lines.length !== 2) return lines;
  // Two lines: the split with the shorter longest line (a bottom-heavy pyramid when equal).
  let best = lines;
  for (let k = 1; k < words.length; k++) {
    const pair = [words.slice(0, k).join(' '), words.slice(k).join(' ')];
    const longest = Math.max(pair[0]!.length, pair[1]!.length);
    if (longest <= maxLineChars && longest < Math.max(best[0]!.length, best[1]!.length)) best = pair;
  }
  return best;
}

const SENTENCE_END = /[.!?…。！？]["')\]]*$/;
const CLAUSE_END = /[,;:、，]$/;

/**
 * Cues from segments, within `limits`: a cue ends at a sentence's end once it has lasted
 * `minSeconds`, at a pause of `maxGapSeconds`, or where the next word would break a limit (then
 * at its last clause end, if it has one). Short cues are held on screen up to `minSeconds` while
 * the next cue has not begun.
 * @throws FramewrightError `INVALID_PARAMS` for limits that cannot hold (a minimum over the maximum)
 */
export function cuesFromSegments(segments: readonly Segment[], limits: CueLimits = {}): TimedCue[] {
  const l = { ...DEFAULTS, ...limits };
  if (!(l.minSeconds <= l.maxSeconds) || l.maxLineChars < 1 || l.maxLines < 1) {
    throw new FramewrightError('INVALID_PARAMS', `cue limits do not hold together: ${l.minSeconds}-${l.maxSeconds} s, ${l.maxLines} lines of ${l.maxLineChars}`);
  }
  const groups: TimedWord[][] = [];
  let current: TimedWord[] = [];
  const fits = (words: readonly TimedWord[]) => words[words.length - 1]!.endSeconds - words[0]!.startSeconds <= l.maxSeconds + 1e-9 && layoutLines(words.map((w) => w.text), l.maxLineChars, l.maxLines) !== undefined;
  const close = () => {
    if (current.length > 0) groups.push(current);
    current = [];
  };
  for (const word of segments.flatMap(wordsOf)) {
    const last = current[current.length - 1];
    if (last !== undefined && word.startSeconds - last.endSeconds >= l.maxGapSeconds) close();
    if (current.length > 0 && !fits([...current, word])) {
      // Prefer ending at the last clause inside the cue; else before this word.
      let cut = -1;
      for (let k = current.length - 1; k >= 1; k--) {
        if (CLAUSE_END.test(current[k - 1]!.text) || SENTENCE_END.test(current[k - 1]!.text)) {
          cut = k;
          break;
        }
      }
      if (cut > 0 && fits([...current.slice(cut), word])) {
        groups.push(current.slice(0, cut));
        current = current.slice(cut);
      } else close();
    }
    current.push(word);
    if (SENTENCE_END.test(word.text) && word.endSeconds - current[0]!.startSeconds >= l.minSeconds) close();
  }
  close();
  return groups.map((words, i) => {
    const start = words[0]!.startSeconds;
    const next = groups[i + 1]?.[0]?.startSeconds ?? Infinity;
    let end = Math.min(words[words.length - 1]!.endSeconds, start + l.maxSeconds);
    if (end - start < l.minSeconds) end = Math.min(start + l.minSeconds, Math.max(end, next));
    const lines = layoutLines(words.map((w) => w.text), l.maxLineChars, l.maxLines) ?? [words.map((w) => w.text).join(' ')];
    return { startSeconds: start, endSeconds: end, text: lines.join('\n'), words };
  });
}
