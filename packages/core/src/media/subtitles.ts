// Captions: SRT and WebVTT read and written, every timing checked, so a broken file is a clear
// error before anything is encoded.
import { FramewrightError } from '../protocol/errors.js';

/** One caption. */
export interface Cue {
  /** Start in seconds. */
  readonly startSeconds: number;
  /** End in seconds (after the start). */
  readonly endSeconds: number;
  /** Text; may span lines. */
  readonly text: string;
}

const TIMING = /^\s*((?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3})(?:\s+.*)?$/;

function parseTime(text: string): number {
  const [clock, fraction] = text.split(/[,.]/) as [string, string];
  const parts = clock.split(':').map(Number);
  const [h, m, s] = parts.length === 3 ? parts : [0, ...parts];
  if (m! >= 60 || s! >= 60) return Number.NaN;
  return h! * 3600 + m! * 60 + s! + Number(fraction.padEnd(3, '0')) / 1000;
}

/**
 * Parses SRT or WebVTT text (`WEBVTT` header optional). Cue numbers, VTT cue ids, settings and
 * NOTE/STYLE blocks are allowed and ignored.
 * @throws FramewrightError `INVALID_PARAMS` naming `what`, the line and the problem: a malformed
 *   timing line, an end not after its start, a cue starting before the previous one, a cue with
 *   no text, no cues at all
 */
export function parseSubtitles(text: string, what: string): Cue[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const cues: Cue[] = [];
  const fail = (line: number, problem: string) => new FramewrightError('INVALID_PARAMS', `${what} line ${line}: ${problem}`);
  let i = 0;
  if (/^WEBVTT\b/.test(lines[0] ?? '')) {
    while (i < lines.length && lines[i]!.trim() !== '') i++;
  }
  while (i < lines.length) {
    while (i < lines.length && lines[i]!.trim() === '') i++;
    if (i >= lines.length) break;
    const blockStart = i;
    if (/^(NOTE|STYLE|REGION)\b/.test(lines[i]!)) {
      while (i < lines.length && lines[i]!.trim() !== '') i++;
      continue;
    }
    // An optional cue number (SRT) or id (VTT) before the timing line.
    if (!lines[i]!.includes('-->')) i++;
    const timingLine = lines[i];
    if (timingLine === undefined || !timingLine.includes('-->')) throw fail(blockStart + 1, `expected a timing line like 00:00:01,000 --> 00:00:02,500, got ${JSON.stringify(lines[blockStart]!.slice(0, 60))}`);
    const match = TIMING.exec(timingLine);
    if (match === null) throw fail(i + 1, `malformed timing ${JSON.stringify(timingLine.trim().slice(0, 60))} (want HH:MM:SS,mmm --> HH:MM:SS,mmm)`);
    const start = parseTime(match[1]!);
    const end = parseTime(match[2]!);
    if (!Number.isFinite(start) || !Number.isFinite(end)) throw fail(i + 1, `timing ${JSON.stringify(timingLine.trim())} has minutes or seconds of 60 or more`);
    if (end <= start) throw fail(i + 1, `cue ends (${match[2]}) before or when it starts (${match[1]})`);
    const previous = cues[cues.length - 1];
    if (previous !== undefined && start < previous.startSeconds) throw fail(i + 1, `cue starts at ${match[1]}, before the previous cue`);
    i++;
    const body: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') body.push(lines[i++]!);
    if (body.length === 0) throw fail(i, 'cue has no text');
    cues.push({ startSeconds: start, endSeconds: end, text: body.join('\n') });
  }
  if (cues.length === 0) throw new FramewrightError('INVALID_PARAMS', `${what} holds no cues`);
  return cues;
}

/**
 * Checks cues given as params and fits them to a video of `durationSeconds`: cues that start
 * after its end are an error; ends past it are cut to it.
 */
export function checkCues(cues: readonly Cue[], durationSeconds: number, what: string): Cue[] {
  if (cues.length === 0) throw new FramewrightError('INVALID_PARAMS', `${what}: no cues`);
  return cues.map((cue, index) => {
    if (cue.endSeconds <= cue.startSeconds) {
      throw new FramewrightError('INVALID_PARAMS', `${what} cue ${index + 1} ends (${cue.endSeconds} s) before or when it starts (${cue.startSeconds} s)`);
    }
    if (cue.startSeconds >= durationSeconds) {
      throw new FramewrightError('INVALID_PARAMS', `${what} cue ${index + 1} starts at ${cue.startSeconds} s, after the ${durationSeconds.toFixed(3)} s video ends`);
    }
    if (cue.text.trim() === '') throw new FramewrightError('INVALID_PARAMS', `${what} cue ${index + 1} has no text`);
    return { ...cue, endSeconds: Math.min(cue.endSeconds, durationSeconds) };
  });
}

function stamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

/** Cues as SRT text. */
export function formatSrt(cues: readonly Cue[]): string {
  return cues.map((c, i) => `${i + 1}\n${stamp(c.startSeconds, ',')} --> ${stamp(c.endSeconds, ',')}\n${c.text}\n`).join('\n');
}

/** Cues as WebVTT text. */
export function formatVtt(cues: readonly Cue[]): string {
  return `WEBVTT\n\n${cues.map((c) => `${stamp(c.startSeconds, '.')} --> ${stamp(c.endSeconds, '.')}\n${c.text}\n`).join('\n')}`;
}
