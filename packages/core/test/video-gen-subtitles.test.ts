import { describe, expect, it } from 'vitest';
import { checkCues, formatSrt, formatVtt, parseSubtitles } from '../src/media/subtitles.js';

describe('subtitles', () => {
  it('reads SRT with cue numbers, CRLF line ends and multi-line text', () => {
    const srt = '1\r\n00:00:00,500 --> 00:00:01,250\r\nFirst line\r\nsecond line\r\n\r\n2\r\n01:02:03,004 --> 01:02:04,000\r\nLater\r\n';
    expect(parseSubtitles(srt, 'a.srt')).toEqual([
      { startSeconds: 0.5, endSeconds: 1.25, text: 'First line\nsecond line' },
      { startSeconds: 3723.004, endSeconds: 3724, text: 'Later' },
    ]);
  });

  it('reads WebVTT with its header, NOTE blocks, cue ids, short timestamps and cue settings', () => {
    const vtt = 'WEBVTT - captions\n\nNOTE written by hand\n\nintro\n00:01.000 --> 00:02.500 align:start\nHello\n\n00:03.000 --> 00:04.000\nWorld\n';
    expect(parseSubtitles(vtt, 'a.vtt')).toEqual([
      { startSeconds: 1, endSeconds: 2.5, text: 'Hello' },
      { startSeconds: 3, endSeconds: 4, text: 'World' },
    ]);
  });

  it.each([
    ['an end before the start', '1\n00:00:02,000 --> 00:00:01,000\nx\n', 'a.srt line 2: cue ends (00:00:01,000) before or when it starts (00:00:02,000)'],
    ['a start before the previous cue', '1\n00:00:02,000 --> 00:00:03,000\nx\n\n2\n00:00:01,000 --> 00:00:04,000\ny\n', 'a.srt line 6: cue starts at 00:00:01,000, before the previous cue'],
    ['61 seconds', '1\n00:00:61,000 --> 00:01:02,000\nx\n', 'a.srt line 2: timing "00:00:61,000 --> 00:01:02,000" has minutes or seconds of 60 or more'],
    ['a malformed timing', '1\n0:0:1 --> 0:0:2\nx\n', 'a.srt line 2: malformed timing "0:0:1 --> 0:0:2" (want HH:MM:SS,mmm --> HH:MM:SS,mmm)'],
    ['text where a timing belongs', 'hello\nthere\n', 'a.srt line 1: expected a timing line like 00:00:01,000 --> 00:00:02,500, got "hello"'],
    ['a cue without text', '1\n00:00:01,000 --> 00:00:02,000\n\n', 'a.srt line 2: cue has no text'],
    ['no cues', '\n\n', 'a.srt holds no cues'],
  ])('refuses %s, naming the line', (_what, text, message) => {
    expect(() => parseSubtitles(text, 'a.srt')).toThrow(message);
  });

  it('fits cues to the video: ends past it are cut, starts past it are refused', () => {
    expect(checkCues([{ startSeconds: 1, endSeconds: 9, text: 'x' }], 2, 'subtitles')).toEqual([{ startSeconds: 1, endSeconds: 2, text: 'x' }]);
    expect(() => checkCues([{ startSeconds: 3, endSeconds: 4, text: 'x' }], 2, 'subtitles')).toThrow('subtitles cue 1 starts at 3 s, after the 2.000 s video ends');
  });

  it('writes SRT and WebVTT that read back to the same cues', () => {
    const cues = [{ startSeconds: 0, endSeconds: 1.5, text: 'one' }, { startSeconds: 3661.25, endSeconds: 3662, text: 'two\nlines' }];
    expect(formatSrt(cues)).toBe('1\n00:00:00,000 --> 00:00:01,500\none\n\n2\n01:01:01,250 --> 01:01:02,000\ntwo\nlines\n');
    expect(parseSubtitles(formatSrt(cues), 'x')).toEqual(cues);
    expect(parseSubtitles(formatVtt(cues), 'x')).toEqual(cues);
  });
});
