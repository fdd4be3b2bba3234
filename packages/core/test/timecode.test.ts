import { describe, expect, it } from 'vitest';
import {
  framesToTimecode,
  isDropFrameRate,
  isNtscRate,
  timecodeBase,
  timecodeToFrames,
} from '../src/ops/clip-cut/timecode.js';

const FPS_23_976 = { num: 24000, den: 1001 };
const FPS_25 = { num: 25, den: 1 };
const FPS_29_97 = { num: 30000, den: 1001 };
const FPS_30 = { num: 30, den: 1 };
const FPS_50 = { num: 50, den: 1 };
const FPS_59_94 = { num: 60000, den: 1001 };
const FPS_60 = { num: 60, den: 1 };

describe('isDropFrameRate', () => {
  it('is true only for 29.97 and 59.94, in any equivalent rational form', () => {
    expect(isDropFrameRate(FPS_29_97)).toBe(true);
    expect(isDropFrameRate(FPS_59_94)).toBe(true);
    expect(isDropFrameRate({ num: 60000, den: 2002 })).toBe(true);
    for (const fps of [FPS_23_976, FPS_25, FPS_30, FPS_50, FPS_60, { num: 2997, den: 100 }]) {
      expect(isDropFrameRate(fps), `${fps.num}/${fps.den}`).toBe(false);
    }
  });

  it('rejects a rate that is not positive integers', () => {
    expect(() => isDropFrameRate({ num: 0, den: 1 })).toThrow(/frame rate/);
    expect(() => isDropFrameRate({ num: 29.97, den: 1 })).toThrow(/frame rate/);
  });
});

describe('timecode bases', () => {
  it('counts whole frames per timecode second, with NTSC rates flagged', () => {
    expect(timecodeBase(FPS_23_976)).toBe(24);
    expect(timecodeBase(FPS_29_97)).toBe(30);
    expect(timecodeBase(FPS_59_94)).toBe(60);
    expect(timecodeBase(FPS_25)).toBe(25);
    expect(isNtscRate(FPS_23_976)).toBe(true);
    expect(isNtscRate(FPS_29_97)).toBe(true);
    expect(isNtscRate(FPS_25)).toBe(false);
    expect(isNtscRate(FPS_60)).toBe(false);
  });
});

describe('framesToTimecode', () => {
  it('writes known 29.97 drop-frame values, skipping ;00 and ;01 except every tenth minute', () => {
    const cases: Array<[number, string]> = [
      [0, '00:00:00;00'],
      [1799, '00:00:59;29'],
      [1800, '00:01:00;02'],
      [3598, '00:02:00;02'],
      [17981, '00:09:59;29'],
      [17982, '00:10:00;00'],
      [17983, '00:10:00;01'],
      [19782, '00:11:00;02'],
      [107892, '01:00:00;00'],
    ];
    for (const [frame, tc] of cases) expect(framesToTimecode(frame, FPS_29_97, true), String(frame)).toBe(tc);
  });

  it('writes known 59.94 drop-frame values, skipping ;00 to ;03 except every tenth minute', () => {
    const cases: Array<[number, string]> = [
      [3599, '00:00:59;59'],
      [3600, '00:01:00;04'],
      [35963, '00:09:59;59'],
      [35964, '00:10:00;00'],
      [215784, '01:00:00;00'],
    ];
    for (const [frame, tc] of cases) expect(framesToTimecode(frame, FPS_59_94, true), String(frame)).toBe(tc);
  });

  it('writes non-drop timecode on a base of 24 for 23.976 and the whole rate otherwise', () => {
    expect(framesToTimecode(24, FPS_23_976, false)).toBe('00:00:01:00');
    expect(framesToTimecode(86400, FPS_23_976, false)).toBe('01:00:00:00');
    expect(framesToTimecode(1799, FPS_29_97, false)).toBe('00:00:59:29');
    expect(framesToTimecode(1800, FPS_29_97, false)).toBe('00:01:00:00');
    expect(framesToTimecode(49, FPS_25, false)).toBe('00:00:01:24');
    expect(framesToTimecode(3659, FPS_60, false)).toBe('00:01:00:59');
    expect(framesToTimecode(90000, FPS_50, false)).toBe('00:30:00:00');
  });

  it('wraps at 24 hours like the SMPTE clock', () => {
    expect(framesToTimecode(24 * 3600 * 25, FPS_25, false)).toBe('00:00:00:00');
    expect(framesToTimecode(107892 * 24, FPS_29_97, true)).toBe('00:00:00;00');
    expect(framesToTimecode(107892 * 24 - 1, FPS_29_97, true)).toBe('23:59:59;29');
  });

  it('rejects drop-frame at a rate that has none, and bad frame numbers', () => {
    expect(() => framesToTimecode(0, FPS_25, true)).toThrow(/drop-frame/);
    expect(() => framesToTimecode(0, FPS_23_976, true)).toThrow(/drop-frame/);
    expect(() => framesToTimecode(-1, FPS_25, false)).toThrow(/non-negative integer/);
    expect(() => framesToTimecode(1.5, FPS_25, false)).toThrow(/non-negative integer/);
  });
});

describe('timecodeToFrames', () => {
  it('reads known drop-frame values, whichever frame separator the tool wrote', () => {
    expect(timecodeToFrames('00:01:00;02', FPS_29_97, true)).toBe(1800);
    expect(timecodeToFrames('00:01:00:02', FPS_29_97, true)).toBe(1800);
    expect(timecodeToFrames('00:10:00;00', FPS_29_97, true)).toBe(17982);
    expect(timecodeToFrames('00:01:00;04', FPS_59_94, true)).toBe(3600);
    expect(timecodeToFrames('00:10:00.00', FPS_59_94, true)).toBe(35964);
  });

  it('rejects labels that drop-frame skips, fields out of range, and malformed text', () => {
    expect(() => timecodeToFrames('00:01:00;01', FPS_29_97, true)).toThrow(/does not exist/);
    expect(() => timecodeToFrames('00:01:00;03', FPS_59_94, true)).toThrow(/does not exist/);
    expect(timecodeToFrames('00:10:00;01', FPS_29_97, true)).toBe(17983);
    expect(() => timecodeToFrames('00:00:00:25', FPS_25, false)).toThrow(/out of range/);
    expect(() => timecodeToFrames('00:60:00:00', FPS_25, false)).toThrow(/out of range/);
    expect(() => timecodeToFrames('24:00:00:00', FPS_25, false)).toThrow(/out of range/);
    expect(() => timecodeToFrames('1:00:00:00', FPS_25, false)).toThrow(/HH:MM:SS:FF/);
    expect(() => timecodeToFrames('00:00:00:00', FPS_25, true)).toThrow(/drop-frame/);
  });

  it('round-trips every frame of the first 25 minutes and around each hour, at every rate', () => {
    const rates: Array<[{ num: number; den: number }, boolean]> = [
      [FPS_23_976, false],
      [FPS_25, false],
      [FPS_29_97, true],
      [FPS_29_97, false],
      [FPS_30, false],
      [FPS_50, false],
      [FPS_59_94, true],
      [FPS_60, false],
    ];
    for (const [fps, dropFrame] of rates) {
      const frames = Math.ceil((25 * 60 * fps.num) / fps.den);
      const failures: string[] = [];
      let previous = '';
      const check = (frame: number): void => {
        const tc = framesToTimecode(frame, fps, dropFrame);
        const back = timecodeToFrames(tc, fps, dropFrame);
        if (back !== frame) failures.push(`${fps.num}/${fps.den} frame ${frame} -> ${tc} -> ${back}`);
      };
      for (let frame = 0; frame < frames; frame++) {
        check(frame);
        const tc = framesToTimecode(frame, fps, dropFrame);
        if (!(tc > previous)) failures.push(`${fps.num}/${fps.den} frame ${frame}: ${tc} not after ${previous}`);
        previous = tc;
      }
      for (let hour = 1; hour < 24; hour++) {
        const around = timecodeToFrames(`${String(hour).padStart(2, '0')}:00:00:00`, fps, dropFrame);
        for (let frame = around - 5; frame < around + 5; frame++) check(frame);
      }
      expect(failures.slice(0, 5)).toEqual([]);
    }
  });
});
