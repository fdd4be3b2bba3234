import { FramewrightError } from '../../protocol/index.js';

/** A frame rate as an exact rational, e.g. `{ num: 30000, den: 1001 }` for 29.97. */
export interface FrameRate {
  /** Numerator (frames). */
  num: number;
  /** Denominator (seconds). */
  den: number;
}

/** SMPTE timecode is a 24-hour clock; frame numbers wrap after this many hours. */
const HOURS_PER_DAY = 24;

/**
 * True when SMPTE drop-frame timecode applies to `fps`: exactly 30000/1001 (29.97) or
 * 60000/1001 (59.94). 24000/1001 (23.976) is not drop-frame: it runs non-drop on a base of 24.
 *
 * @example
 * ```ts
 * isDropFrameRate({ num: 30000, den: 1001 }); // true
 * isDropFrameRate({ num: 24000, den: 1001 }); // false
 * ```
 */
export function isDropFrameRate(fps: FrameRate): boolean {
  assertFrameRate(fps);
  return fps.num * 1001 === 30000 * fps.den || fps.num * 1001 === 60000 * fps.den;
}

/**
 * True when `fps` is an NTSC rate, `N × 1000/1001` for a whole N (23.976, 29.97, 59.94, …):
 * editors describe those as the whole base N with an NTSC flag.
 */
export function isNtscRate(fps: FrameRate): boolean {
  assertFrameRate(fps);
  return (fps.num * 1001) % (1000 * fps.den) === 0;
}

/**
 * The whole number of frames a timecode second counts: 30 for 29.97, 24 for 23.976, 25 for 25.
 * Rates that are neither whole nor NTSC round to the nearest whole number.
 */
export function timecodeBase(fps: FrameRate): number {
  assertFrameRate(fps);
  return Math.max(1, Math.round(fps.num / fps.den));
}

/**
 * Formats a 0-based frame number as SMPTE timecode `HH:MM:SS:FF`; drop-frame timecode uses `;`
 * before the frames (`HH:MM:SS;FF`) and skips frame labels 00 and 01 (00–03 at 59.94) at the start
 * of every minute except each tenth, so the clock stays in step with real time. Timecode is a
 * 24-hour clock: frames past 24 hours wrap to 00:00:00:00.
 *
 * @param frame - 0-based frame number (a non-negative integer)
 * @param fps - the video's frame rate
 * @param dropFrame - write drop-frame timecode; only valid for 29.97 and 59.94 ({@link isDropFrameRate})
 * @throws FramewrightError `INVALID_PARAMS` for a negative or fractional frame, a bad rate, or
 * drop-frame at a rate that has none
 *
 * @example
 * ```ts
 * framesToTimecode(1800, { num: 30000, den: 1001 }, true); // "00:01:00;02"
 * framesToTimecode(50, { num: 25, den: 1 }, false);        // "00:00:02:00"
 * ```
 */
export function framesToTimecode(frame: number, fps: FrameRate, dropFrame: boolean): string {
  if (!Number.isSafeInteger(frame) || frame < 0) {
    throw new FramewrightError('INVALID_PARAMS', `timecode: frame must be a non-negative integer, got ${frame}`);
  }
  assertDropFrameAllowed(fps, dropFrame);
  const base = timecodeBase(fps);
  const drop = dropFrame ? dropPerMinute(base) : 0;
  const framesPerDay = realFramesPerDay(base, drop);
  let label = frame % framesPerDay;
  if (drop > 0) {
    // Add back the labels skipped so far: `drop` per minute, except each tenth minute.
    const framesPer10Minutes = base * 600 - drop * 9;
    const framesPerMinute = base * 60 - drop;
    const tens = Math.floor(label / framesPer10Minutes);
    const rest = label % framesPer10Minutes;
    const minutesDropped = rest > drop ? Math.floor((rest - drop) / framesPerMinute) : 0;
    label += drop * 9 * tens + drop * minutesDropped;
  }
  const ff = label % base;
  const totalSeconds = Math.floor(label / base);
  const ss = totalSeconds % 60;
  const mm = Math.floor(totalSeconds / 60) % 60;
  const hh = Math.floor(totalSeconds / 3600);
  return `${pad2(hh)}:${pad2(mm)}:${pad2(ss)}${dropFrame ? ';' : ':'}${pad2(ff)}`;
}

/**
 * Parses SMPTE timecode `HH:MM:SS:FF` back to a 0-based frame number. The separator before the
 * frames may be `:`, `;`, `.` or `,` (tools disagree); `dropFrame` alone decides how the
 * timecode counts.
 *
 * @param tc - the timecode
 * @param fps - the video's frame rate
 * @param dropFrame - the timecode is drop-frame (29.97 and 59.94 only)
 * @throws FramewrightError `INVALID_PARAMS` for malformed timecode, fields out of range, or a
 * drop-frame label that does not exist (e.g. `00:01:00;00` at 29.97)
 *
 * @example
 * ```ts
 * timecodeToFrames('00:10:00;00', { num: 30000, den: 1001 }, true); // 17982
 * ```
 */
export function timecodeToFrames(tc: string, fps: FrameRate, dropFrame: boolean): number {
  assertDropFrameAllowed(fps, dropFrame);
  const match = /^(\d{2}):(\d{2}):(\d{2})[:;.,](\d{2,3})$/.exec(tc.trim());
  if (!match) {
    throw new FramewrightError('INVALID_PARAMS', `timecode: expected HH:MM:SS:FF, got ${JSON.stringify(tc)}`);
  }
  const [hh, mm, ss, ff] = match.slice(1).map(Number) as [number, number, number, number];
  const base = timecodeBase(fps);
  const drop = dropFrame ? dropPerMinute(base) : 0;
  if (hh >= HOURS_PER_DAY || mm >= 60 || ss >= 60 || ff >= base) {
    throw new FramewrightError('INVALID_PARAMS', `timecode: ${tc} is out of range at ${base} frames per second`);
  }
  if (drop > 0 && ss === 0 && ff < drop && mm % 10 !== 0) {
    throw new FramewrightError('INVALID_PARAMS', `timecode: ${tc} does not exist in drop-frame timecode`);
  }
  const totalMinutes = hh * 60 + mm;
  return (totalMinutes * 60 + ss) * base + ff - drop * (totalMinutes - Math.floor(totalMinutes / 10));
}

/** Throws `INVALID_PARAMS` unless `fps` has positive integer `num` and `den`. */
export function assertFrameRate(fps: FrameRate): void {
  if (!Number.isSafeInteger(fps.num) || !Number.isSafeInteger(fps.den) || fps.num <= 0 || fps.den <= 0) {
    throw new FramewrightError('INVALID_PARAMS', `frame rate must be positive integers num/den, got ${fps.num}/${fps.den}`);
  }
}

function assertDropFrameAllowed(fps: FrameRate, dropFrame: boolean): void {
  if (dropFrame && !isDropFrameRate(fps)) {
    throw new FramewrightError('INVALID_PARAMS', `timecode: drop-frame applies only to 29.97 and 59.94 fps, not ${fps.num}/${fps.den}`);
  }
  assertFrameRate(fps);
}

/** Frame labels skipped per minute: 2 at a base of 30, 4 at 60. */
function dropPerMinute(base: number): number {
  return Math.round(base / 15);
}

function realFramesPerDay(base: number, drop: number): number {
  const minutes = HOURS_PER_DAY * 60;
  return minutes * 60 * base - drop * (minutes - minutes / 10);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Timecode above this rate is not something editors count; a variable-rate video never gets more. */
const MAX_TIMECODE_RATE = 120;

/**
 * True when timecode can count `fps` as it is: a whole number of frames a second or an NTSC rate
 * (the formats built on timecode, CMX3600 EDL and FCP7 XML, express nothing else).
 */
export function isTimecodeRate(fps: FrameRate): boolean {
  assertFrameRate(fps);
  return fps.num % fps.den === 0 || isNtscRate(fps);
}

/**
 * The rate timecode counts a constant-rate video at: its own rate when timecode can count it
 * ({@link isTimecodeRate}), else the smallest whole multiple of it up to 120 fps (12.5 → 25, every
 * frame on a timecode frame), else the nearest whole rate.
 *
 * @example
 * ```ts
 * timecodeRateFor({ num: 25, den: 2 });     // { num: 25, den: 1 }
 * timecodeRateFor({ num: 30000, den: 1001 }); // unchanged
 * ```
 */
export function timecodeRateFor(fps: FrameRate): FrameRate {
  if (isTimecodeRate(fps)) return fps;
  for (let k = 2; (k * fps.num) / fps.den <= MAX_TIMECODE_RATE; k++) {
    if ((k * fps.num) % fps.den === 0) return { num: (k * fps.num) / fps.den, den: 1 };
  }
  return { num: Math.min(MAX_TIMECODE_RATE, timecodeBase(fps)), den: 1 };
}

/** Histogram bins per frame a second when looking for a video's most common rate. */
const RATE_BINS = 10;
/** Frame lengths within this share of each other are one rate: timestamps jitter by a few percent. */
const RATE_SPREAD = 0.04;

/**
 * The rate to count a variable-rate video's timecode at: that of its most common frame length, so
 * a phone clip at 30 fps that drops to 15 in the dark counts at 30, and an OBS recording at 60
 * that drops frames under load counts at 60. Frames whose rates lie within 4 % of each other are
 * one group (timestamps jitter); the largest group (the faster of equal ones) gives the rate, its
 * average rounded to a whole rate, or N × 1000/1001 when it averages within 0.05 % of that. At most
 * 120, at least 1.
 *
 * @param frameLengths - each frame's length in seconds
 * @example
 * ```ts
 * nominalFrameRate([1 / 24, 1 / 60, 1 / 60, 1 / 15]); // { num: 60, den: 1 }
 * ```
 */
export function nominalFrameRate(frameLengths: Iterable<number>): FrameRate {
  const size = MAX_TIMECODE_RATE * RATE_BINS + 1;
  // Prefix sums of frames and seconds over rate bins, so any window is two subtractions.
  const frames = new Float64Array(size + 1);
  const seconds = new Float64Array(size + 1);
  for (const length of frameLengths) {
    if (!(length > 0)) continue;
    const bin = Math.max(RATE_BINS, Math.min(size - 1, Math.round(RATE_BINS / length)));
    frames[bin + 1]! += 1;
    seconds[bin + 1]! += length;
  }
  for (let i = 1; i <= size; i++) {
    frames[i]! += frames[i - 1]!;
    seconds[i]! += seconds[i - 1]!;
  }
  const window = (centre: number): [number, number] => [Math.floor(centre * (1 - RATE_SPREAD)), Math.min(size - 1, Math.ceil(centre * (1 + RATE_SPREAD)))];
  const count = (centre: number) => {
    const [lo, hi] = window(centre);
    return frames[hi + 1]! - frames[lo]!;
  };
  let most = 0;
  for (let c = RATE_BINS; c < size; c++) most = Math.max(most, count(c));
  if (most === 0) return { num: 1, den: 1 };
  // The windows holding the most frames form runs; the fastest run's middle centres its group.
  let last = size - 1;
  while (count(last) < most) last--;
  let first = last;
  while (first > RATE_BINS && count(first - 1) === most) first--;
  const [lo, hi] = window(Math.round((first + last) / 2));
  const average = (frames[hi + 1]! - frames[lo]!) / (seconds[hi + 1]! - seconds[lo]!);
  const whole = Math.max(1, Math.min(MAX_TIMECODE_RATE, Math.round(average)));
  const ntsc = (whole * 1000) / 1001;
  return Math.abs(average - ntsc) / ntsc < 0.0005 ? { num: whole * 1000, den: 1001 } : { num: whole, den: 1 };
}
